// `npm run shards -- <command>`: see SHARDS_USAGE (shards-cli.ts).
import { runShardsCli } from './shards-cli.js';

process.exitCode = await runShardsCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr });

// `npm run devices -- <command>`: see DEVICES_USAGE (devices-args.ts).
import { mainOf } from './cli-context.js';
import { DEVICES_CLI } from './devices-cli.js';

mainOf(DEVICES_CLI);

// `npm run tokens -- <command>`: see TOKENS_USAGE (tokens-args.ts).
import { mainOf } from './cli-context.js';
import { TOKENS_CLI } from './tokens-cli.js';

mainOf(TOKENS_CLI);

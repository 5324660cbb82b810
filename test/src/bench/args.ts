// Command-line flags of bench-reps, and what the benchmarks' command lines share.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseTopology, type Topology } from './pipeline-process.js';

export interface BenchOptions {
  /** Rep messages per phase (N). */
  readonly messages: number;
  readonly stations: number;
  readonly runs: number;
  /** Publisher threads, one connection each. */
  readonly publishers: number;
  /** Unacknowledged publishes per publisher, at most. */
  readonly inFlight: number;
  readonly repsPerSet: number;
  /** One process per service (the compose stack's shape, the default) or the all-in-one process. */
  readonly topology: Topology;
  /** Extra pipeline settings (--pipeline-env KEY=VALUE). */
  readonly pipelineEnv: Readonly<Record<string, string>>;
  /** Node command-line options for the pipeline child (--cpu-prof DIR, --node-arg); empty normally. */
  readonly nodeArgs: readonly string[];
  readonly baseline: boolean;
  readonly json: boolean;
}

const USAGE = `Usage: node test/dist/bench/bench-reps.js [--messages N] [--stations S] [--runs R] [--publishers P]
  [--in-flight K] [--reps-per-set M] [--topology services|all-in-one] [--pipeline-env KEY=VALUE ...] [--no-baseline] [--cpu-prof DIR] [--node-arg OPTION ...] [--json]`;

/** Flags every benchmark command line takes, for parseArgs' options: extra pipeline settings, a JSON line, help. */
export const COMMON_FLAGS = {
  /** Extra pipeline settings, KEY=VALUE, repeatable (e.g. --pipeline-env INGEST_BATCH_MAX=2000). */
  'pipeline-env': { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Prints the problem and the usage, and exits 2. */
export function usageExit(problem: string, usage: string): never {
  console.error(`${problem}\n${usage}`);
  process.exit(2);
}

/** A flag's value as a positive integer; exits 2 with the usage on anything else. */
export function positiveFlag(name: string, text: string, usage: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) usageExit(`--${name} must be a positive integer (got "${text}")`, usage);
  return value;
}

/** Runs a command line's `main` and exits with its code; 1 when it throws. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** The --pipeline-env KEY=VALUE pairs as an environment; throws on a pair without a key. */
export function parsePipelineEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--pipeline-env expects KEY=VALUE (got "${pair}")`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Parses the flags; prints the usage and exits 0 on --help, exits 2 on a bad value. */
export function parseBenchArgs(argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  const { values: args } = parseArgs({
    args: [...argv],
    options: {
      messages: { type: 'string', default: '200000' },
      stations: { type: 'string', default: '50' },
      runs: { type: 'string', default: '3' },
      publishers: { type: 'string', default: '2' },
      'in-flight': { type: 'string', default: '500' },
      'reps-per-set': { type: 'string', default: '10' },
      topology: { type: 'string', default: 'services' },
      /** Extra pipeline settings, KEY=VALUE, repeatable (e.g. --pipeline-env INGEST_BATCH_MAX=2000). */
      'pipeline-env': { type: 'string', multiple: true, default: [] },
      /** Diagnostics: write V8 CPU profiles of the pipeline child into this folder (slows it down). */
      'cpu-prof': { type: 'string' },
      /** Diagnostics: extra node command-line options for the pipeline child, e.g. --node-arg=--trace-gc (repeatable). */
      'node-arg': { type: 'string', multiple: true, default: [] },
      /** Skip the baseline (pipeline only). */
      'no-baseline': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });

  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }

  const messages = positiveInt('messages', args.messages);
  const stations = positiveInt('stations', args.stations);
  const runs = positiveInt('runs', args.runs);
  const publishers = positiveInt('publishers', args.publishers);
  const inFlight = positiveInt('in-flight', args['in-flight']);
  const repsPerSet = positiveInt('reps-per-set', args['reps-per-set']);
  let topology: Topology;
  try {
    topology = parseTopology(args.topology);
  } catch (error) {
    usageError((error as Error).message);
  }
  let pipelineEnv: Record<string, string>;
  try {
    pipelineEnv = parsePipelineEnv(args['pipeline-env']);
  } catch (error) {
    usageError((error as Error).message);
  }
  const cpuProfDir = args['cpu-prof'] === undefined ? undefined : path.resolve(args['cpu-prof']);

  return {
    messages,
    stations,
    runs,
    publishers,
    inFlight,
    repsPerSet,
    topology,
    pipelineEnv,
    nodeArgs: [...(cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`]), ...args['node-arg']],
    baseline: !args['no-baseline'],
    json: args.json,
  };
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) usageError(`--${name} must be a positive integer (got "${text}")`);
  return value;
}

function usageError(message: string): never {
  console.error(message);
  process.exit(2);
}

// The throughput benchmark of a pure streaming segmenter on one core, shared by bench-segmenter (position
// samples) and bench-imu (bar IMU samples): the flags, the workload (synthetic sets split into blocks,
// built before the clock starts), the passes (the state object passed along, or through JSON text between
// blocks as the worker keeps it in Redis), and the table of samples/s per rate: median of the runs.
// Exits 1 when a median falls below --min, 2 on a bad flag.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { mulberry32 } from '@neurolift/stimulus';

/** What a segmenter's block call and finish return (only the reps are counted). */
interface Segmented<State> {
  readonly state: State;
  readonly reps: readonly unknown[];
}

/** One synthetic set, split into blocks. */
export interface BenchSet<Block> {
  readonly blocks: Block[];
  /** Samples in the set. */
  readonly samples: number;
  /** Reps the trace truly has. */
  readonly reps: number;
}

export interface SegmenterBench<Block, State> {
  /** The script's name: `test/dist/bench/<name>.js`, the first word of the header. */
  readonly name: string;
  /** --rates default, e.g. '50,100,200,1000'. */
  readonly defaultRates: string;
  /** --min default (samples/s). */
  readonly defaultMin: string;
  /** What a sample is called in the header ('samples', 'IMU samples'). */
  readonly samplesLabel: string;
  /** The sets in the header, e.g. 'sets of 10 reps'. */
  readonly setsLabel: string;
  /** The `index`-th set at `hz`: generates a trace with `prng` and splits it into blocks of blockMin–blockMax samples. */
  readonly makeSet: (prng: () => number, hz: number, index: number, blockMin: number, blockMax: number) => BenchSet<Block>;
  readonly create: () => State;
  readonly segment: (state: State, block: Block) => Segmented<State>;
  readonly finish: (state: State) => { readonly reps: readonly unknown[] };
}

interface Workload<Block> {
  readonly sets: Block[][];
  readonly samples: number;
  readonly blocks: number;
  readonly reps: number;
}

interface Pass {
  readonly seconds: number;
  readonly reps: number;
  readonly stateBytes: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Parses the flags, runs the benchmark and prints its table; exits 1 below --min. */
export function runSegmenterBench<Block, State>(bench: SegmenterBench<Block, State>): void {
  const { values: args } = parseArgs({
    options: {
      rates: { type: 'string', default: bench.defaultRates },
      runs: { type: 'string', default: '7' },
      samples: { type: 'string', default: '2000000' },
      'block-min': { type: 'string', default: '100' },
      'block-max': { type: 'string', default: '500' },
      min: { type: 'string', default: bench.defaultMin },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (args.help) {
    console.log(
      `Usage: node test/dist/bench/${bench.name}.js [--rates ${bench.defaultRates}] [--runs 7] [--samples 2000000] [--block-min 100] [--block-max 500] [--min ${bench.defaultMin}]`,
    );
    process.exit(0);
  }
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`--${name} must be a positive number (got "${text}")`);
      process.exit(2);
    }
    return n;
  };
  const rates = args.rates.split(',').map((r) => positive('rates', r));
  const runs = Math.round(positive('runs', args.runs));
  const target = positive('samples', args.samples);
  const blockMin = Math.round(positive('block-min', args['block-min']));
  const blockMax = Math.max(blockMin, Math.round(positive('block-max', args['block-max'])));
  const minRate = positive('min', args.min);

  /** Sets until `target` samples, split into blocks (built before the clock starts). */
  function workload(hz: number): Workload<Block> {
    const prng = mulberry32(hz);
    const sets: Block[][] = [];
    let samples = 0;
    let blocks = 0;
    let reps = 0;
    while (samples < target) {
      const set = bench.makeSet(prng, hz, sets.length, blockMin, blockMax);
      sets.push(set.blocks);
      samples += set.samples;
      blocks += set.blocks.length;
      reps += set.reps;
    }
    return { sets, samples, blocks, reps };
  }

  /** One pass over all sets; `json`: the state goes through JSON text between blocks. */
  function pass(work: Workload<Block>, json: boolean): Pass {
    let reps = 0;
    let stateBytes = 0;
    const started = performance.now();
    for (const blocks of work.sets) {
      let state = bench.create();
      for (const block of blocks) {
        const result = bench.segment(state, block);
        reps += result.reps.length;
        if (json) {
          const text = JSON.stringify(result.state);
          stateBytes += text.length;
          state = JSON.parse(text) as State;
        } else {
          state = result.state;
        }
      }
      reps += bench.finish(state).reps.length;
    }
    return { seconds: (performance.now() - started) / 1000, reps, stateBytes };
  }

  console.log(
    `${bench.name}: ${runs} runs per rate and mode, ≥ ${fmt(target)} ${bench.samplesLabel} per run, blocks of ${blockMin}–${blockMax} samples, ${bench.setsLabel}; ` +
      `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} (${os.availableParallelism()} cores, one used), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log('  rate | mode            |   median samples/s |        min … max samples/s | blocks/s (median) | reps/run | mean JSON state');
  let failed = false;
  for (const hz of rates) {
    const work = workload(hz);
    for (const json of [false, true]) {
      pass(work, json); // warm-up
      const results = Array.from({ length: runs }, () => pass(work, json));
      const perSecond = results.map((r) => work.samples / r.seconds);
      const med = median(perSecond);
      if (med < minRate) failed = true;
      const reps = results[0]?.reps ?? 0;
      if (reps !== work.reps) console.log(`  ! ${hz} Hz: ${reps} reps found, the traces have ${work.reps}`);
      const mode = json ? 'JSON state' : 'state object';
      const bytes = json ? `${fmt((results[0]?.stateBytes ?? 0) / work.blocks)} B` : '—';
      console.log(
        `${String(hz).padStart(6)} | ${mode.padEnd(15)} | ${fmt(med).padStart(18)} | ${`${fmt(Math.min(...perSecond))} … ${fmt(Math.max(...perSecond))}`.padStart(26)} | ` +
          `${fmt(work.blocks / median(results.map((r) => r.seconds))).padStart(17)} | ${String(reps).padStart(8)} | ${bytes.padStart(15)}`,
      );
    }
  }
  if (failed) {
    console.log(`\nBELOW TARGET: a median is under ${fmt(minRate)} samples/s`);
    process.exit(1);
  }
  console.log(`\nall medians ≥ ${fmt(minRate)} samples/s`);
}

// Throughput of the pure imu segmenter on one core: synthetic bar-worn IMU sets (paused, touch-and-go
// and grinding in turn, 6 reps each, with gyro) split into blocks of 100–500 samples, fed block by
// block as the worker does — once passing the state object along, once with the state through
// JSON.stringify/JSON.parse between blocks (the worker keeps it in Redis) — then finished. Prints IMU
// samples/s per rate (one sample = 3 accelerometer + 3 gyro values): median of the runs.
//
//   npx tsc -b test && node test/dist/bench/bench-imu.js --runs 5
//   node test/dist/bench/bench-imu.js --rates 200 --runs 9 --samples 4000000
//
// Exits 1 when a median falls below --min (default 1 000 000 samples/s).
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  createImuSegmenterState,
  finishImuSegmenter,
  generateSyntheticImuTrace,
  mulberry32,
  segmentImuBlock,
  splitImuIntoBlocks,
  type ImuBlock,
  type ImuRepKind,
  type ImuSegmenterState,
} from '@neurolift/stimulus';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '100,200,500' },
    runs: { type: 'string', default: '7' },
    samples: { type: 'string', default: '2000000' },
    'block-min': { type: 'string', default: '100' },
    'block-max': { type: 'string', default: '500' },
    min: { type: 'string', default: '1000000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log('Usage: node test/dist/bench/bench-imu.js [--rates 100,200,500] [--runs 7] [--samples 2000000] [--block-min 100] [--block-max 500] [--min 1000000]');
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
const KINDS: readonly ImuRepKind[] = ['paused', 'touch_and_go', 'grinding'];

interface Workload {
  readonly sets: ImuBlock[][];
  readonly samples: number;
  readonly blocks: number;
  readonly reps: number;
}

/** Sets of 6 reps until `target` samples, split into blocks (built before the clock starts). */
function workload(hz: number): Workload {
  const prng = mulberry32(hz);
  const sets: ImuBlock[][] = [];
  let samples = 0;
  let blocks = 0;
  let reps = 0;
  while (samples < target) {
    const trace = generateSyntheticImuTrace(prng, { hz, reps: 6, kind: KINDS[sets.length % KINDS.length]! });
    const split = splitImuIntoBlocks(trace, prng, blockMin, blockMax);
    sets.push(split);
    samples += trace.accel.x.length;
    blocks += split.length;
    reps += trace.truth.length;
  }
  return { sets, samples, blocks, reps };
}

interface Pass {
  readonly seconds: number;
  readonly reps: number;
  readonly stateBytes: number;
}

/** One pass over all sets; `json`: the state goes through JSON text between blocks. */
function pass(work: Workload, json: boolean): Pass {
  let reps = 0;
  let stateBytes = 0;
  const started = performance.now();
  for (const blocks of work.sets) {
    let state: ImuSegmenterState = createImuSegmenterState();
    for (const block of blocks) {
      const result = segmentImuBlock(state, block);
      reps += result.reps.length;
      if (json) {
        const text = JSON.stringify(result.state);
        stateBytes += text.length;
        state = JSON.parse(text) as ImuSegmenterState;
      } else {
        state = result.state;
      }
    }
    reps += finishImuSegmenter(state).reps.length;
  }
  return { seconds: (performance.now() - started) / 1000, reps, stateBytes };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(
  `bench-imu: ${runs} runs per rate and mode, ≥ ${fmt(target)} IMU samples per run, blocks of ${blockMin}–${blockMax} samples, sets of 6 reps (paused, touch-and-go, grinding), with gyro; ` +
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

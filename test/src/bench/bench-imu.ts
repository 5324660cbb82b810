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
import {
  createImuSegmenterState,
  finishImuSegmenter,
  generateSyntheticImuTrace,
  segmentImuBlock,
  splitImuIntoBlocks,
  type ImuBlock,
  type ImuRepKind,
  type ImuSegmenterState,
} from '@neurolift/stimulus';
import { runSegmenterBench } from './segmenter-bench.js';

const KINDS: readonly ImuRepKind[] = ['paused', 'touch_and_go', 'grinding'];

runSegmenterBench<ImuBlock, ImuSegmenterState>({
  name: 'bench-imu',
  defaultRates: '100,200,500',
  defaultMin: '1000000',
  samplesLabel: 'IMU samples',
  setsLabel: 'sets of 6 reps (paused, touch-and-go, grinding), with gyro',
  // Sets of 6 reps, the kinds in turn.
  makeSet: (prng, hz, index, blockMin, blockMax) => {
    const trace = generateSyntheticImuTrace(prng, { hz, reps: 6, kind: KINDS[index % KINDS.length]! });
    const blocks = splitImuIntoBlocks(trace, prng, blockMin, blockMax);
    return { blocks, samples: trace.accel.x.length, reps: trace.truth.length };
  },
  create: createImuSegmenterState,
  segment: (state, block) => segmentImuBlock(state, block),
  finish: (state) => finishImuSegmenter(state),
});

// Throughput of the pure rep segmenter (issue 4) on one core: synthetic sets (10 reps each, ±2 mm
// noise) split into blocks of 100–500 samples, fed block by block as the worker does — once passing
// the state object along, once with the state through JSON.stringify/JSON.parse between blocks (the
// worker keeps it in Redis) — then finished. Prints samples/s per rate: median of the runs.
//
//   npx tsc -b test && node test/dist/bench/bench-segmenter.js
//   node test/dist/bench/bench-segmenter.js --rates 100 --runs 9 --samples 4000000
//
// Exits 1 when a median falls below --min (default 2 000 000 samples/s).
import {
  createSegmenterState,
  finishSegmenter,
  generateSyntheticTrace,
  segmentBlock,
  splitIntoBlocks,
  type SamplesBlock,
  type SegmenterState,
} from '@neurolift/stimulus';
import { runSegmenterBench } from './segmenter-bench.js';

runSegmenterBench<SamplesBlock, SegmenterState>({
  name: 'bench-segmenter',
  defaultRates: '50,100,200,1000',
  defaultMin: '2000000',
  samplesLabel: 'samples',
  setsLabel: 'sets of 10 reps',
  // Sets of 10 reps, every other one with force.
  makeSet: (prng, hz, index, blockMin, blockMax) => {
    const trace = generateSyntheticTrace(prng, { hz, reps: 10, withForce: index % 2 === 0 });
    const blocks = splitIntoBlocks(trace, prng, blockMin, blockMax);
    return { blocks, samples: trace.position.length, reps: trace.truth.length };
  },
  create: createSegmenterState,
  segment: (state, block) => segmentBlock(state, block),
  finish: (state) => finishSegmenter(state),
});

/*
 * Streaming behaviour of the imu segmenter: any split into blocks, any delivery order within the wait
 * limit, duplicates, the state through JSON between blocks → the reps of the whole set delivered as one
 * block. Also: purity, JSON safety, a gap that never fills, and the state's size.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { redeliverBlocks } from '../segmentation/synthetic-blocks.js';
import type { BlockDisposition, SegmentedRep } from '../segmentation/types.js';
import type { ImuSegmenterParams } from './imu-params.js';
import { createImuSegmenterState, finishImuSegmenter, segmentImuBlock, segmentImuBlocks, type ImuSegmenterState } from './imu-segmenter.js';
import { generateSyntheticImuTrace, mulberry32, shuffleImuBlocks, splitImuIntoBlocks, withoutGyro, type SyntheticImuTrace } from './synthetic-imu.js';
import type { ImuBlock } from './types.js';

const oneBlock = (trace: SyntheticImuTrace): ImuBlock => ({
  t0: trace.t0,
  hz: trace.hz,
  loadKg: trace.loadKg,
  mount: 'bar',
  accel: trace.accel,
  ...(trace.gyro ? { gyro: trace.gyro } : {}),
});

interface Delivery {
  readonly reps: SegmentedRep[];
  readonly state: ImuSegmenterState;
  readonly dispositions: BlockDisposition[];
  readonly maxStateBytes: number;
  readonly meanStateBytes: number;
  /** Mean over the blocks once the stream runs (after the set's first wait for early blocks) and nothing is pending. */
  readonly streamingStateBytes: number;
}

function deliver(blocks: readonly ImuBlock[], json = false, params?: Partial<ImuSegmenterParams>): Delivery {
  let state = createImuSegmenterState();
  const reps: SegmentedRep[] = [];
  const dispositions: BlockDisposition[] = [];
  let maxStateBytes = 0;
  let totalBytes = 0;
  let streamingBytes = 0;
  let streamingBlocks = 0;
  for (const block of blocks) {
    const result = segmentImuBlock(state, block, params);
    dispositions.push(result.disposition);
    reps.push(...result.reps);
    state = result.state;
    const text = JSON.stringify(state);
    maxStateBytes = Math.max(maxStateBytes, text.length);
    totalBytes += text.length;
    if (state.stream !== null && state.pending.length === 0) {
      streamingBytes += text.length;
      streamingBlocks++;
    }
    if (json) state = JSON.parse(text) as ImuSegmenterState;
  }
  const end = finishImuSegmenter(state, params);
  reps.push(...end.reps);
  return {
    reps,
    state: end.state,
    dispositions,
    maxStateBytes,
    meanStateBytes: totalBytes / Math.max(1, blocks.length),
    streamingStateBytes: streamingBytes / Math.max(1, streamingBlocks),
  };
}

const traceArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  hz: fc.constantFrom(50, 100, 120, 200, 300, 500),
  kind: fc.constantFrom('paused' as const, 'touch_and_go' as const, 'grinding' as const),
  reps: fc.integer({ min: 1, max: 4 }),
  gyro: fc.boolean(),
});
type TraceSpec = typeof traceArb extends fc.Arbitrary<infer R> ? R : never;
const makeTrace = (t: TraceSpec): SyntheticImuTrace => {
  const trace = generateSyntheticImuTrace(mulberry32(t.seed), { hz: t.hz, kind: t.kind, reps: t.reps });
  return t.gyro ? trace : withoutGyro(trace);
};

describe('imu segmenter: streaming', () => {
  it('any split into blocks (1–2000 samples), the state through JSON or not: the reps of one block', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1, 7, 50, 200), fc.boolean(), (spec, split, minSize, json) => {
        const trace = makeTrace(spec);
        const reference = segmentImuBlocks([oneBlock(trace)]);
        expect(reference.length).toBe(trace.truth.length);
        const blocks = splitImuIntoBlocks(trace, mulberry32(split), minSize, Math.max(minSize, 2000 / (minSize === 1 ? 20 : 1)));
        const { reps, state } = deliver(blocks, json);
        expect(reps).toEqual(reference);
        expect(state.counters).toMatchObject({ duplicateBlocks: 0, lateBlocks: 0, rejectedBlocks: 0, gaps: 0, samples: trace.accel.x.length });
      }),
      { numRuns: 30 },
    );
  });

  it('blocks shuffled within the wait and redelivered (duplicates): the reps of in-order delivery', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.boolean(), (spec, seed, dupRate, json) => {
        const trace = makeTrace(spec);
        const prng = mulberry32(seed);
        const blocks = splitImuIntoBlocks(trace, prng, 10, 400);
        const inOrder = deliver(blocks).reps;
        const deliveries = redeliverBlocks(shuffleImuBlocks(blocks, prng, 2 * trace.hz), prng, dupRate);
        const { reps, state, dispositions } = deliver(deliveries, json);
        expect(reps).toEqual(inOrder);
        expect(state.counters.duplicateBlocks).toBe(deliveries.length - blocks.length);
        expect(dispositions.filter((d) => d === 'duplicate')).toHaveLength(deliveries.length - blocks.length);
        expect(state.counters.gaps).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('a late upload (no gap given up before the set ends): blocks in any order give the reps of in-order delivery', () => {
    // What the worker asks for blocks older than its live window (services/stimulus process-samples.ts).
    const late = { maxWaitSamples: Number.MAX_SAFE_INTEGER };
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (spec, seed, json) => {
        const trace = makeTrace(spec);
        const prng = mulberry32(seed);
        // At most 40 blocks: within maxPendingBlocks (64), the bound on what is buffered.
        const size = Math.ceil(trace.accel.x.length / 40);
        const blocks = splitImuIntoBlocks(trace, prng, size, size);
        const inOrder = deliver(blocks).reps;
        const anyOrder = [...blocks];
        for (let i = anyOrder.length - 1; i > 0; i--) {
          const j = Math.floor(prng() * (i + 1));
          [anyOrder[i], anyOrder[j]] = [anyOrder[j] as ImuBlock, anyOrder[i] as ImuBlock];
        }
        const { reps, state } = deliver(anyOrder, json, late);
        expect(reps).toEqual(inOrder);
        expect(state.counters).toMatchObject({ lateBlocks: 0, gaps: 0 });
      }),
      { numRuns: 30 },
    );
  });

  it('is pure: the state passed in is not modified; the state is plain JSON', () => {
    const trace = generateSyntheticImuTrace(mulberry32(11), { hz: 200, kind: 'paused', reps: 2 });
    let state = createImuSegmenterState();
    for (const block of splitImuIntoBlocks(trace, mulberry32(12), 50, 300)) {
      const before = JSON.stringify(state);
      const result = segmentImuBlock(state, block);
      expect(JSON.stringify(state)).toBe(before);
      const text = JSON.stringify(result.state);
      expect(JSON.stringify(JSON.parse(text))).toBe(text);
      state = result.state;
    }
  });

  it('a block that never arrives: the gap is given up, no rep is invented, the others are found', () => {
    const trace = generateSyntheticImuTrace(mulberry32(21), { hz: 100, kind: 'paused', reps: 4 });
    const blocks = splitImuIntoBlocks(trace, mulberry32(22), 50, 50);
    const mid = trace.truth[1]!;
    // Drop the block holding the middle of rep 2's concentric.
    const at = blocks.findIndex((b) => b.t0 <= (mid.concentricStart + mid.concentricEnd) / 2 && (mid.concentricStart + mid.concentricEnd) / 2 < b.t0 + 500);
    const { reps, state } = deliver(blocks.filter((_, i) => i !== at));
    expect(state.counters.gaps).toBe(1);
    expect(reps.length).toBeLessThanOrEqual(trace.truth.length);
    for (const rep of reps) {
      const truth = trace.truth.find((t) => Math.abs(t.concentricEnd - rep.ts) < 100);
      expect(truth, `rep ending at ${rep.ts - trace.t0} ms`).toBeDefined();
    }
    expect(reps.map((r) => r.repIndex)).toEqual(reps.map((_, i) => i + 1));
  });

  it('rejects invalid blocks and other rates; ignores blocks after finish', () => {
    const trace = generateSyntheticImuTrace(mulberry32(31), { hz: 100, kind: 'paused', reps: 1 });
    const [first, second] = splitImuIntoBlocks(trace, mulberry32(32), 100, 100);
    let state = segmentImuBlock(createImuSegmenterState(), first!).state;
    expect(segmentImuBlock(state, { ...second!, hz: 200 }).disposition).toBe('rate_mismatch');
    expect(segmentImuBlock(state, { ...second!, accel: { ...second!.accel, y: second!.accel.y.slice(1) } }).disposition).toBe('invalid');
    expect(segmentImuBlock(state, { ...second!, accel: { ...second!.accel, x: [NaN, ...second!.accel.x.slice(1)] } }).disposition).toBe('invalid');
    state = finishImuSegmenter(state).state;
    expect(segmentImuBlock(state, second!).disposition).toBe('after_finish');
  });

  it('state size: typical JSON bytes per block (printed with IMU_REPORT=1)', () => {
    const lines: string[] = [];
    for (const hz of [100, 200, 500]) {
      for (const kind of ['paused', 'touch_and_go'] as const) {
        const trace = generateSyntheticImuTrace(mulberry32(41 + hz), { hz, kind, reps: 5 });
        const d = deliver(splitImuIntoBlocks(trace, mulberry32(42), Math.round(hz / 10), Math.round(hz / 2)));
        expect(d.reps.length).toBe(trace.truth.length);
        lines.push(`${hz} Hz ${kind}: mean ${Math.round(d.meanStateBytes)} B (streaming, nothing pending: ${Math.round(d.streamingStateBytes)} B), max ${d.maxStateBytes} B`);
      }
    }
    if (process.env.IMU_REPORT) console.log(lines.join('\n'));
  });
});

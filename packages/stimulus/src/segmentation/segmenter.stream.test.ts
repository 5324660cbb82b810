/*
 * Streaming behaviour: block boundaries, JSON state between blocks, out-of-order and duplicated
 * blocks, gaps, set close, and the state's purity.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { segmenterWaitSamples, DEFAULT_SEGMENTER_PARAMS } from './params.js';
import { createSegmenterState, finishSegmenter, lookAheadSamples, segmentBlock, segmentBlocks, type SegmenterState } from './segmenter.js';
import { generateSyntheticTrace, mulberry32, redeliverBlocks, shuffleBlocks, splitIntoBlocks, type SyntheticTrace } from './synthetic-trace.js';
import type { BlockDisposition, SamplesBlock, SegmentedRep } from './types.js';

/** The whole trace as one block: the reference every other delivery must reproduce. */
const oneBlock = (trace: SyntheticTrace): SamplesBlock => ({
  t0: trace.t0,
  hz: trace.hz,
  loadKg: trace.loadKg,
  position: trace.position,
  ...(trace.force ? { force: trace.force } : {}),
});

interface Delivery {
  readonly reps: SegmentedRep[];
  readonly state: SegmenterState;
  readonly dispositions: BlockDisposition[];
  /** Reps reported before finish (streaming, not at set close). */
  readonly beforeFinish: number;
}

/** Feeds blocks one by one (optionally through JSON between blocks, checking it is JSON-safe), then finishes. */
function deliver(blocks: readonly SamplesBlock[], options: { json?: boolean; params?: Parameters<typeof segmentBlock>[2] } = {}): Delivery {
  let state = createSegmenterState();
  const reps: SegmentedRep[] = [];
  const dispositions: BlockDisposition[] = [];
  for (const block of blocks) {
    const result = segmentBlock(state, block, options.params);
    dispositions.push(result.disposition);
    reps.push(...result.reps);
    state = result.state;
    if (options.json) {
      const text = JSON.stringify(state);
      state = JSON.parse(text) as SegmenterState;
      expect(JSON.stringify(state)).toBe(text);
    }
  }
  const beforeFinish = reps.length;
  const end = finishSegmenter(state, options.params);
  reps.push(...end.reps);
  return { reps, state: end.state, dispositions, beforeFinish };
}

const traceArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  hz: fc.constantFrom(50, 73, 100, 120, 200, 300, 500, 700, 1000),
  reps: fc.integer({ min: 1, max: 6 }),
  withForce: fc.boolean(),
  startAt: fc.constantFrom('top' as const, 'bottom' as const),
});
type TraceSpec = typeof traceArb extends fc.Arbitrary<infer R> ? R : never;
const makeTrace = (t: TraceSpec) =>
  generateSyntheticTrace(mulberry32(t.seed), { hz: t.hz, reps: t.reps, withForce: t.withForce, startAt: t.startAt });

describe('block boundaries and the JSON state', () => {
  it('any split into blocks, with the state through JSON between every block, gives the reps of one block', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1, 7, 50, 200), fc.boolean(), (t, splitSeed, minSize, json) => {
        const trace = makeTrace(t);
        const reference = deliver([oneBlock(trace)]).reps;
        const blocks = splitIntoBlocks(trace, mulberry32(splitSeed), minSize, Math.max(minSize, 2000 / (minSize === 1 ? 20 : 1)));
        const { reps, state } = deliver(blocks, { json });
        expect(reps).toEqual(reference);
        expect(state.counters).toMatchObject({ duplicateBlocks: 0, lateBlocks: 0, rejectedBlocks: 0, gaps: 0, samples: trace.position.length });
      }),
      { numRuns: 40 },
    );
  });

  it('finds every rep of random traces once, whatever the split (count, partial flags, ROM within 1 cm)', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (t, splitSeed) => {
        const trace = makeTrace(t);
        const { reps } = deliver(splitIntoBlocks(trace, mulberry32(splitSeed), 1, 2000));
        expect(reps.map((r) => [r.repIndex, r.partial])).toEqual(trace.truth.map((r) => [r.repIndex, r.partial]));
        reps.forEach((rep, i) => expect(Math.abs(rep.rom - (trace.truth[i]?.rom ?? 0))).toBeLessThan(0.01));
      }),
      { numRuns: 60 },
    );
  });

  it('reports reps while streaming, at most look-ahead + stationaryMs + one block after the concentric ends', () => {
    const trace = generateSyntheticTrace(mulberry32(5), { hz: 100, reps: 8 });
    const blocks = splitIntoBlocks(trace, mulberry32(6), 50, 50);
    let state = createSegmenterState();
    const lag = (lookAheadSamples(100) + 50) * 10 + DEFAULT_SEGMENTER_PARAMS.stationaryMs + 10;
    let reported = 0;
    for (const block of blocks) {
      const result = segmentBlock(state, block);
      state = result.state;
      const blockEnd = block.t0 + block.position.length * 10;
      for (const rep of result.reps) {
        reported++;
        expect(blockEnd - rep.ts).toBeLessThan(lag + 2000); // the set's first stream waits 2 s for early blocks
      }
    }
    expect(reported).toBeGreaterThanOrEqual(trace.truth.length - 1);
  });
});

describe('out-of-order and duplicated blocks', () => {
  it('blocks shuffled within the wait, and redelivered, give the reps of in-order delivery', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.boolean(), (t, seed, dupRate, json) => {
        const trace = makeTrace(t);
        const prng = mulberry32(seed);
        const blocks = splitIntoBlocks(trace, prng, 10, 400);
        const inOrder = deliver(blocks).reps;
        const wait = segmenterWaitSamples(DEFAULT_SEGMENTER_PARAMS, trace.hz);
        const deliveries = redeliverBlocks(shuffleBlocks(blocks, prng, wait), prng, dupRate);
        const { reps, state, dispositions } = deliver(deliveries, { json });
        expect(reps).toEqual(inOrder);
        expect(state.counters.duplicateBlocks).toBe(deliveries.length - blocks.length);
        expect(dispositions.filter((d) => d === 'duplicate')).toHaveLength(deliveries.length - blocks.length);
        expect(state.counters.gaps).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('the same set sent twice gives its reps once', () => {
    const trace = generateSyntheticTrace(mulberry32(8), { hz: 200, reps: 6 });
    const blocks = splitIntoBlocks(trace, mulberry32(9), 100, 300);
    const once = deliver(blocks);
    const twice = deliver([...blocks, ...blocks]);
    expect(twice.reps).toEqual(once.reps);
    expect(twice.state.counters.duplicateBlocks).toBe(blocks.length);
  });

  it('a fully reversed set still gives the in-order reps when the wait covers it', () => {
    const trace = generateSyntheticTrace(mulberry32(10), { hz: 100, reps: 4 });
    const blocks = splitIntoBlocks(trace, mulberry32(11), 100, 300);
    const params = { maxWaitSamples: trace.position.length + 1, maxPendingBlocks: blocks.length + 1 };
    expect(deliver([...blocks].reverse(), { params }).reps).toEqual(deliver(blocks).reps);
  });

  it('a block re-chunked on resend (overlapping consumed samples) contributes only its new samples', () => {
    const trace = generateSyntheticTrace(mulberry32(12), { hz: 100, reps: 5 });
    const blocks = splitIntoBlocks(trace, mulberry32(13), 200, 200);
    // Replace blocks 5 and 6 by one block that starts 50 samples inside block 4 and covers both.
    const b4 = blocks[4]!;
    const start = trace.position.indexOf(b4.position[150]!);
    const merged: SamplesBlock = { t0: Math.round(trace.t0 + start * 10), hz: 100, loadKg: trace.loadKg, position: trace.position.slice(start, start + 450) };
    const deliveries = [...blocks.slice(0, 5), merged, ...blocks.slice(7)];
    const result = deliver(deliveries);
    expect(result.dispositions[5]).toBe('consumed');
    expect(result.reps).toEqual(deliver(blocks).reps);
  });
});

/** Reps whose concentric overlaps [from, to] (epoch ms). */
const overlapping = (reps: readonly { concentricStartTs: number; ts: number }[], from: number, to: number) => reps.filter((r) => r.concentricStartTs < to && r.ts > from);

describe('gaps', () => {
  /** Drops the block holding the middle of rep `index`'s concentric. */
  function dropMidConcentric(trace: SyntheticTrace, blocks: readonly SamplesBlock[], index: number) {
    const truth = trace.truth[index]!;
    const mid = (truth.concentricStart + truth.concentricEnd) / 2;
    const at = blocks.findIndex((b) => b.t0 <= mid && b.t0 + (b.position.length * 1000) / trace.hz > mid);
    const gap = blocks[at]!;
    return { kept: blocks.filter((_, i) => i !== at), gap, first: at === 0, last: at === blocks.length - 1, from: gap.t0, to: gap.t0 + (gap.position.length * 1000) / trace.hz, truth };
  }

  it('a gap that never fills ends the rep in progress without inventing one; the others are found', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (t, seed, closedBySetEnd) => {
        const trace = makeTrace({ ...t, reps: Math.max(3, t.reps) });
        const prng = mulberry32(seed);
        const blocks = splitIntoBlocks(trace, prng, 20, 300);
        const index = 1 + Math.floor(prng() * (trace.truth.length - 1));
        const { kept, from, to, first, last } = dropMidConcentric(trace, blocks, index);
        const reference = deliver(blocks).reps;
        // Either the later samples exhaust the wait, or the set closes with the gap still open.
        const params = closedBySetEnd ? { maxWaitSamples: 10 * trace.position.length, maxPendingBlocks: 10_000 } : {};
        const { reps, state } = deliver(kept, { params });
        // A missing last block is a set cut short, a missing first block a set whose start was missed: not gaps.
        expect(state.counters.gaps).toBe(first || last ? 0 : 1);
        expect(overlapping(reps, from, to)).toEqual([]);
        expect(reps.map((r) => r.repIndex)).toEqual(reps.map((_, i) => i + 1));
        // Nothing invented: every rep is a true rep, measured as well as without the gap.
        for (const rep of reps) {
          const match = reference.find((r) => Math.abs(r.ts - rep.ts) < 100);
          expect(match).toBeDefined();
          expect(Math.abs(rep.rom - (match?.rom ?? 0))).toBeLessThan(0.005);
        }
        // Reps that ended well before the gap are untouched (same values, same index).
        const early = reference.filter((r) => r.ts < from - 1000);
        expect(reps.slice(0, early.length)).toEqual(early);
        // Only reps near the gap are lost: the one it cuts, and any within the filter's reach of its edges.
        const near = trace.truth.filter((r) => r.concentricEnd > from - 1000 && r.concentricStart < to + 1000).length;
        expect(reps.length).toBeGreaterThanOrEqual(trace.truth.length - near);
        expect(reps.length).toBeLessThan(trace.truth.length);
      }),
      { numRuns: 40 },
    );
  });

  it('a block arriving after its gap was given up is late and ignored', () => {
    const trace = generateSyntheticTrace(mulberry32(14), { hz: 100, reps: 6 });
    const blocks = splitIntoBlocks(trace, mulberry32(15), 100, 100);
    const { kept, gap } = dropMidConcentric(trace, blocks, 2);
    const without = deliver(kept);
    const withLate = deliver([...kept, gap]);
    expect(withLate.dispositions.at(-1)).toBe('late');
    expect(withLate.reps).toEqual(without.reps);
    expect(withLate.state.counters.lateBlocks).toBe(1);
  });

  it('a gap that fills within the wait changes nothing', () => {
    const trace = generateSyntheticTrace(mulberry32(16), { hz: 100, reps: 6 });
    const blocks = splitIntoBlocks(trace, mulberry32(17), 50, 50);
    const { kept, gap } = dropMidConcentric(trace, blocks, 3);
    const at = blocks.indexOf(gap);
    const late = [...kept.slice(0, at + 3), gap, ...kept.slice(at + 3)]; // 150 samples late; the wait is 200
    const result = deliver(late);
    expect(result.dispositions.slice(at, at + 3)).toEqual(['buffered', 'buffered', 'buffered']);
    expect(result.dispositions[at + 3]).toBe('consumed');
    expect(result.reps).toEqual(deliver(blocks).reps);
  });

  it('too many early blocks give the gap up before the sample wait does', () => {
    const trace = generateSyntheticTrace(mulberry32(18), { hz: 100, reps: 6 });
    const blocks = splitIntoBlocks(trace, mulberry32(19), 5, 5);
    const { kept } = dropMidConcentric(trace, blocks, 3);
    const { state } = deliver(kept, { params: { maxPendingBlocks: 4 } });
    expect(state.counters.gaps).toBe(1);
  });
});

describe('set start, set close, dispositions', () => {
  const trace = generateSyntheticTrace(mulberry32(20), { hz: 100, reps: 4, withForce: true });
  const blocks = splitIntoBlocks(trace, mulberry32(21), 100, 100);

  it('the first stream starts once maxWaitSamples are at hand; earlier blocks can still come first', () => {
    // 100-sample blocks at 100 Hz; the wait is 2 s = 200 samples.
    const first = segmentBlock(createSegmenterState(), blocks[2]!);
    expect(first.disposition).toBe('buffered');
    expect(first.state.stream).toBeNull();
    expect(first.state.pending.map((b) => b.t0)).toEqual([blocks[2]!.t0]);
    const second = segmentBlock(first.state, blocks[0]!); // the true first block, late: 200 samples at hand
    expect(second.disposition).toBe('consumed');
    expect(second.state.stream?.origin).toBe(blocks[0]!.t0);
    expect(second.state.pending.map((b) => b.t0)).toEqual([blocks[2]!.t0]); // still waiting for blocks[1]
    const third = segmentBlock(second.state, blocks[1]!);
    expect(third.disposition).toBe('consumed');
    expect(third.state.pending).toEqual([]);
    expect(third.state.stream?.consumed).toBe(300);
  });

  it('a set shorter than the wait is segmented at finish', () => {
    const short = generateSyntheticTrace(mulberry32(22), { hz: 1000, reps: 1 });
    const single = splitIntoBlocks(short, mulberry32(23), 2000, 2000);
    const result = deliver(single, { params: { maxWaitSamples: 100_000 } });
    expect(result.beforeFinish).toBe(0);
    expect(result.reps).toHaveLength(1);
  });

  it('dispositions: duplicate, rate mismatch, invalid, after finish; finish is idempotent', () => {
    let state = createSegmenterState();
    for (const block of blocks.slice(0, 3)) state = segmentBlock(state, block).state;
    expect(segmentBlock(state, blocks[1]!).disposition).toBe('duplicate');
    expect(segmentBlock(state, { ...blocks[3]!, hz: 50 }).disposition).toBe('rate_mismatch');
    expect(segmentBlock(state, { ...blocks[3]!, position: [] }).disposition).toBe('invalid');
    expect(segmentBlock(state, { ...blocks[3]!, position: [0, NaN] }).disposition).toBe('invalid');
    expect(segmentBlock(state, { ...blocks[3]!, force: [1] }).disposition).toBe('invalid');
    const counted = segmentBlock(segmentBlock(state, { ...blocks[3]!, hz: 50 }).state, { ...blocks[3]!, position: [] }).state;
    expect(counted.counters.rejectedBlocks).toBe(2);
    const finished = finishSegmenter(state);
    expect(finished.state.finished).toBe(true);
    expect(segmentBlock(finished.state, blocks[3]!)).toMatchObject({ disposition: 'after_finish', reps: [] });
    expect(finishSegmenter(finished.state)).toEqual({ state: finished.state, reps: [] });
    expect(finishSegmenter(createSegmenterState()).reps).toEqual([]);
  });

  it('is pure: the input state and block are not modified (deeply frozen inputs)', () => {
    const freeze = <T>(value: T): T => {
      if (value && typeof value === 'object') {
        Object.values(value).forEach(freeze);
        Object.freeze(value);
      }
      return value;
    };
    let state = createSegmenterState();
    for (const block of blocks) {
      const copy = structuredClone(state);
      const result = segmentBlock(freeze(state), freeze(structuredClone(block)));
      expect(state).toEqual(copy);
      state = result.state;
    }
    const copy = structuredClone(state);
    finishSegmenter(freeze(state));
    expect(state).toEqual(copy);
  });

  it('follows the load of each block, and the load cell when there is one', () => {
    const changed = blocks.map((b, i) => ({ ...b, loadKg: i < blocks.length / 2 ? 100 : 120 }));
    const reps = segmentBlocks(changed);
    expect(reps[0]?.loadKg).toBe(100);
    expect(reps.at(-1)?.loadKg).toBe(120);
    expect(reps.every((r) => r.forceSource === 'load_cell')).toBe(true);
    const noCell = segmentBlocks(blocks.map(({ force: _force, ...b }) => b));
    expect(noCell.every((r) => r.forceSource === 'estimated')).toBe(true);
  });

  it('rates whose period is not a whole ms (t0 rounded on the wire) are still contiguous', () => {
    for (const hz of [300, 700, 999]) {
      const odd = generateSyntheticTrace(mulberry32(hz), { hz, reps: 3 });
      const { reps, state } = deliver(splitIntoBlocks(odd, mulberry32(hz + 1), 1, 500));
      expect(state.counters).toMatchObject({ gaps: 0, duplicateBlocks: 0, lateBlocks: 0 });
      expect(reps).toEqual(deliver([oneBlock(odd)]).reps);
    }
  });
});

describe('deadlift style and MPV', () => {
  it('a set starting from the floor has no eccentric for its first rep', () => {
    const trace = generateSyntheticTrace(mulberry32(30), { hz: 200, reps: 4, startAt: 'bottom' });
    const reps = segmentBlocks(splitIntoBlocks(trace, mulberry32(31), 100, 500));
    expect(reps).toHaveLength(4);
    expect(reps[0]?.eccentricMs).toBeUndefined();
    expect(reps.slice(1).every((r) => r.eccentricMs !== undefined)).toBe(true);
  });

  it('MPV: equals MCV without a braking phase (a > −g), exceeds it with one', () => {
    const heavy = generateSyntheticTrace(mulberry32(32), { hz: 500, reps: 5, concentricBrakingG: [0.3, 0.6] });
    for (const rep of segmentBlocks([oneBlock(heavy)])) expect(rep.meanPropulsiveVelocity).toBe(rep.meanVelocity);
    const light = generateSyntheticTrace(mulberry32(33), { hz: 500, reps: 5, firstVelocity: 1.1, grindLastRep: false, concentricBrakingG: [1.6, 2] });
    const reps = segmentBlocks([oneBlock(light)]);
    const braking = reps.filter((_, i) => (light.truth[i]?.meanPropulsiveVelocity ?? 0) > (light.truth[i]?.meanVelocity ?? 0) * 1.02);
    expect(braking.length).toBeGreaterThanOrEqual(2);
    for (const rep of braking) {
      const truth = light.truth[rep.repIndex - 1]!;
      expect(rep.meanPropulsiveVelocity).toBeGreaterThan(rep.meanVelocity);
      expect(Math.abs(rep.meanPropulsiveVelocity / truth.meanPropulsiveVelocity - 1)).toBeLessThan(0.05);
    }
  });
});

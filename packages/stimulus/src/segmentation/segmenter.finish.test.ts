// The end of a set: the samples stop soon after the last lockout (the device ends the set as the
// bar is racked). The filter's look-ahead is then missing; at rest, the bar staying put stands in
// for it, so the last rep is still found, as accurately as mid-set. A bar still rising when the
// samples stop gives no rep.
import { describe, expect, it } from 'vitest';
import { generateSyntheticTrace, mulberry32, splitIntoBlocks, type SyntheticTrace } from './synthetic-trace.js';
import { segmentBlocks } from './segmenter.js';

function cutAt(trace: SyntheticTrace, endMs: number): SyntheticTrace {
  const kept = Math.max(1, Math.ceil(((endMs - trace.t0) * trace.hz) / 1000));
  return { ...trace, position: trace.position.slice(0, kept), ...(trace.force ? { force: trace.force.slice(0, kept) } : {}) };
}

const CASES = [50, 100, 200, 500, 1000].flatMap((hz) => [1, 2, 3, 4, 5, 6].map((seed) => ({ hz, seed })));

describe('finishing a set', () => {
  it.each(CASES)('$hz Hz, seed $seed: samples ending 300 ms after the last lockout still give the last rep, as accurately', ({ hz, seed }) => {
    const trace = generateSyntheticTrace(mulberry32(seed * 7919 + hz), { hz, t0: 1_795_000_000_000, grindLastRep: false });
    const last = trace.truth.at(-1);
    if (!last) return expect.fail('a trace has reps');
    const full = segmentBlocks(splitIntoBlocks(trace, mulberry32(seed), 20, 300));
    const cut = segmentBlocks(splitIntoBlocks(cutAt(trace, last.concentricEnd + 300), mulberry32(seed), 20, 300));
    expect(cut).toHaveLength(trace.truth.length);
    const lastCut = cut.at(-1);
    const lastFull = full.at(-1);
    if (!lastCut || !lastFull) return expect.fail('reps found');
    // Every rep before the last is unaffected by where the samples stop.
    expect(cut.slice(0, -1)).toEqual(full.slice(0, -1));
    // The last rep: its error against the truth is no more than 1.5 points (of %) worse than with the full trace.
    const error = (v: number) => Math.abs(v / last.meanVelocity - 1) * 100;
    expect(error(lastCut.meanVelocity)).toBeLessThanOrEqual(error(lastFull.meanVelocity) + 1.5);
    expect(Math.abs(lastCut.rom - last.rom)).toBeLessThan(0.01);
  });

  it.each(CASES)('$hz Hz, seed $seed: samples ending mid-concentric give no rep for it', ({ hz, seed }) => {
    const trace = generateSyntheticTrace(mulberry32(seed * 104729 + hz), { hz, t0: 1_795_000_000_000, grindLastRep: false });
    const last = trace.truth.at(-1);
    if (!last) return expect.fail('a trace has reps');
    const midway = last.concentricStart + 0.5 * (last.concentricEnd - last.concentricStart);
    const reps = segmentBlocks(splitIntoBlocks(cutAt(trace, midway), mulberry32(seed), 20, 300));
    expect(reps).toHaveLength(trace.truth.length - 1);
  });
});

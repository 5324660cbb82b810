/* Synthetic traces cut into `samples` blocks and delivered as a broker might (out of order, twice). */
import type { Prng } from './prng.js';
import type { SyntheticTrace } from './synthetic-types.js';
import type { SamplesBlock } from './types.js';

/**
 * Splits a trace into contiguous blocks as equipment would publish them: sizes uniform in
 * [minSize, maxSize], t0 = the first sample's time rounded to the millisecond.
 */
export function splitIntoBlocks(trace: SyntheticTrace, prng: Prng, minSize = 1, maxSize = 2000): SamplesBlock[] {
  const blocks: SamplesBlock[] = [];
  const period = 1000 / trace.hz;
  for (let start = 0; start < trace.position.length; ) {
    const size = Math.min(trace.position.length - start, minSize + Math.floor(prng() * (maxSize - minSize + 1)));
    blocks.push({
      t0: Math.round(trace.t0 + start * period),
      hz: trace.hz,
      loadKg: trace.loadKg,
      position: trace.position.slice(start, start + size),
      ...(trace.force ? { force: trace.force.slice(start, start + size) } : {}),
    });
    start += size;
  }
  return blocks;
}

/**
 * A delivery order in which no block arrives after more than `maxLateSamples` samples of later blocks
 * (what the segmenter tolerates with maxWaitSamples ≥ maxLateSamples): the blocks are cut into
 * consecutive windows of fewer than that many samples and shuffled within each window.
 */
export function shuffleBlocks<B extends { readonly position: readonly unknown[] }>(blocks: readonly B[], prng: Prng, maxLateSamples: number): B[] {
  const out: B[] = [];
  let window: B[] = [];
  let windowSamples = 0;
  const flush = () => {
    for (let i = window.length - 1; i > 0; i--) {
      const j = Math.floor(prng() * (i + 1));
      [window[i], window[j]] = [window[j]!, window[i]!];
    }
    out.push(...window);
    window = [];
    windowSamples = 0;
  };
  for (const block of blocks) {
    if (window.length > 0 && windowSamples + block.position.length > maxLateSamples) flush();
    window.push(block);
    windowSamples += block.position.length;
  }
  flush();
  return out;
}

/** Each block delivered again with probability `rate` (QoS 1 redelivery), a little later (0–3 blocks on). */
export function redeliverBlocks<B>(blocks: readonly B[], prng: Prng, rate: number): B[] {
  const out: B[] = [...blocks];
  for (let i = blocks.length - 1; i >= 0; i--) {
    if (prng() >= rate) continue;
    const at = Math.min(out.length, out.indexOf(blocks[i]!) + 1 + Math.floor(prng() * 4));
    out.splice(at, 0, blocks[i]!);
  }
  return out;
}

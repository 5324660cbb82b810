import type { Prng } from '@neurolift/stimulus';

/**
 * A source of uniform numbers in [0, 1), like Math.random; injected so the gym model is reproducible.
 * The generator is the model package's mulberry32 (same seed, same sequence on every platform).
 */
export type Random = Prng;
export { mulberry32 } from '@neurolift/stimulus';

/** FNV-1a, 32-bit: folds a string (a gym id) into a seed, so two gyms with one seed differ. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Uniform in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** Uniform integer in [min, max], both included. */
export function integer(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `length` lowercase hex digits. */
export function hex(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

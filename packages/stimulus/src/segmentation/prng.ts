/** A deterministic source of numbers in [0, 1). */
export type Prng = () => number;

/** mulberry32: a small, fast, deterministic PRNG (32-bit state) for tests and simulations. */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export const uniform = (prng: Prng, lo: number, hi: number): number => lo + (hi - lo) * prng();

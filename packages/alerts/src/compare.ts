/**
 * Threshold comparisons and number formatting shared by the rules.
 *
 * Values such as 1 − 0.7/1.0 = 0.30000000000000004 come out of floating-point arithmetic a hair off what they
 * are on paper, so every comparison tolerates {@link TOLERANCE}: a value equal to its threshold on paper is
 * treated as equal ("> 30 %" does not fire at 30 %, "≤ MVT + 0.05" fires at exactly MVT + 0.05).
 */

/** Absolute tolerance of threshold comparisons, far below any measurement resolution. */
export const TOLERANCE = 1e-9;

/** value > threshold, beyond rounding noise. */
export function above(value: number, threshold: number): boolean {
  return value - threshold > TOLERANCE;
}

/** value < threshold, beyond rounding noise. */
export function below(value: number, threshold: number): boolean {
  return threshold - value > TOLERANCE;
}

/** value ≤ threshold, allowing rounding noise. */
export function atMost(value: number, threshold: number): boolean {
  return !above(value, threshold);
}

/** A finite number rounded to `decimals`, without a trailing "-0"; "n/a" for anything else (never "NaN"). */
export function fixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? (0).toFixed(decimals) : text;
}

/**
 * A value and its threshold with the fewest decimals (from `min` up to `max`) that keep them distinct, so a
 * message never says "velocity loss 40 %, above 40 %" for 40.3 %. Values equal within the tolerance use `min`.
 */
export function formatPair(value: number, threshold: number, min: number, max: number): readonly [string, string] {
  if (!above(value, threshold) && !below(value, threshold)) return [fixed(value, min), fixed(threshold, min)];
  for (let decimals = min; decimals < max; decimals++) {
    const pair = [fixed(value, decimals), fixed(threshold, decimals)] as const;
    if (pair[0] !== pair[1]) return pair;
  }
  return [fixed(value, max), fixed(threshold, max)];
}

/** The median of a non-empty list (mean of the two middle values for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/** A number with at most `maxDecimals` decimals and no trailing zeros ("5", "5.5", "0.05"); "n/a" if not finite. */
export function plain(value: number, maxDecimals = 2): string {
  const text = fixed(value, maxDecimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

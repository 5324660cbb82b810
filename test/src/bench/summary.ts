// Per-run tables with a median column, and the medians as JSON, for any kind of run result.
import { fmt } from './report.js';

export interface SummaryRow<T> {
  /** Unique name in the JSON medians. */
  readonly key: string;
  readonly label: string;
  readonly get: (run: T) => number | undefined;
  readonly digits: number;
}

/** Median of the finite values (undefined when there are none). */
export function medianOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const sorted = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Rows with a value in some run, one column per run, plus MEDIAN when there is more than one run. */
export function summaryTable<T>(rows: ReadonlyArray<SummaryRow<T>>, runs: readonly T[]): string {
  const withMedian = runs.length > 1;
  const header = ['', ...runs.map((_, i) => `run ${i + 1}`), ...(withMedian ? ['MEDIAN'] : [])];
  const body = rows
    .filter((row) => runs.some((r) => row.get(r) !== undefined && Number.isFinite(row.get(r))))
    .map((row) => [row.label, ...runs.map((r) => fmt(row.get(r), row.digits)), ...(withMedian ? [fmt(medianOf(runs.map(row.get)), row.digits)] : [])]);
  return alignTable([header, ...body]);
}

/** Every row's median by its key. */
export function summaryMedians<T>(rows: ReadonlyArray<SummaryRow<T>>, runs: readonly T[]): Record<string, number | undefined> {
  return Object.fromEntries(rows.map((row) => [row.key, medianOf(runs.map(row.get))]));
}

/** First column left-aligned, the others right-aligned. */
export function alignTable(lines: ReadonlyArray<readonly string[]>): string {
  const columns = Math.max(...lines.map((l) => l.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

import type { AdminResult } from '@neurolift/tenancy';

/** What a command did: its exit code (0 done, 1 refused) and what it prints. */
export interface CliOutcome {
  readonly code: 0 | 1;
  readonly stdout: string;
  readonly stderr: string;
}

export const done = (stdout: string): CliOutcome => ({ code: 0, stdout, stderr: '' });
export const refused = (message: string): CliOutcome => ({ code: 1, stdout: '', stderr: `${message}\n` });

/** An admin operation's answer: `render`ed when done, `<what>: <why>` when refused. */
export function outcomeOf<T>(result: AdminResult<T>, what: string, render: (value: T) => string): CliOutcome {
  return result.ok ? done(render(result.value)) : refused(`${what}: ${result.message}`);
}

/** Control characters (a terminal's escape sequences) in stored names are shown as `?`. */
const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f);
const printable = (text: string): string => Array.from(text, (char) => (isControl(char.codePointAt(0) ?? 0) ? '?' : char)).join('');

/** `key: value` lines, the values aligned. */
export function fields(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([key]) => key.length)) + 2;
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width)}${printable(value)}\n`).join('');
}

/** A table with a header row, columns two spaces apart, no trailing spaces. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [header, ...rows].map((row) => row.map(printable));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return cells.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`).join('');
}

/** Listings as JSON: `{ "<name>": [...] }`, the API's shape. */
export const json = (name: string, items: readonly unknown[]): string => `${JSON.stringify({ [name]: items }, null, 2)}\n`;

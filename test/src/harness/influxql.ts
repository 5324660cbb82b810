// InfluxQL text as the dashboards' test needs it: Grafana's macros and variables replaced the way Grafana
// replaces them, and what a query promises — the measurements it reads, the columns of its SELECT, the
// tags it groups by — read from its text, so the test can check each promise against a real engine.

export interface Interpolation {
  /** Epoch ms, inclusive. */
  readonly fromMs: number;
  readonly toMs: number;
  /** What Grafana puts for $__interval, e.g. `1h`. */
  readonly interval: string;
  /** Dashboard variables, already formatted (see regexValue). */
  readonly variables: Readonly<Record<string, string>>;
}

/** Interval text such as `1h` → milliseconds, for $__interval_ms. */
function intervalMs(interval: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(interval);
  if (!match) throw new Error(`interval ${interval}: expected e.g. 1h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/**
 * Replaces `$timeFilter` (as Grafana writes it: `time >= <from>ms and time <= <to>ms`), `$__interval`,
 * `$__interval_ms` and the variables, in both `$name` and `${name}` forms. Throws on any other `$name`,
 * so a macro the test does not know fails loudly instead of reaching the engine.
 */
export function interpolate(query: string, context: Interpolation): string {
  const macros: Record<string, string> = {
    timeFilter: `time >= ${context.fromMs}ms and time <= ${context.toMs}ms`,
    __interval: context.interval,
    __interval_ms: String(intervalMs(context.interval)),
    ...context.variables,
  };
  return query.replace(/\$\{(\w+)\}|\$(\w+)/g, (text, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = macros[name];
    if (value === undefined) throw new Error(`unknown macro or variable ${text} in: ${query}`);
    return value;
  });
}

/**
 * A variable's value as Grafana's InfluxDB data source formats it inside a regex (`=~ /^$var$/`): one
 * value regex-escaped, several (or "All") as `(a|b|c)`.
 */
export function regexValue(values: readonly string[]): string {
  const escaped = values.map((value) => value.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}

/** Splits on commas outside parentheses and double quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')') depth--;
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

const unquote = (name: string): string => name.replace(/^"(.*)"$/, '$1');

/**
 * The columns a query's result has besides `time`, in the engine's naming: an alias (`AS "x"`), else a
 * function's name (`mean("v")` → `mean`), else the field or tag. `SHOW TAG VALUES` gives `key`, `value`.
 * Throws on `SELECT *` and on expressions without an alias: their columns cannot be checked by name.
 */
export function selectColumns(query: string): string[] {
  if (/^\s*SHOW\s+TAG\s+VALUES\b/i.test(query)) return ['key', 'value'];
  const select = /^\s*SELECT\s+(.+?)\s+FROM\s/is.exec(query);
  if (!select) throw new Error(`not a SELECT or SHOW TAG VALUES: ${query}`);
  return splitTopLevel(select[1] as string).map((item) => {
    const alias = /\s+AS\s+("?)(\w+)\1$/i.exec(item);
    if (alias) return alias[2] as string;
    const fn = /^(\w+)\s*\(/.exec(item);
    if (fn) return (fn[1] as string).toLowerCase();
    if (/^"?\w+"?$/.test(item)) return unquote(item);
    throw new Error(`select item "${item}" needs an alias (AS "name") to be checked: ${query}`);
  });
}

/** The tag keys of `GROUP BY` (not `time(...)`); throws on `GROUP BY *`. */
export function groupByTags(query: string): string[] {
  const groupBy = /\bGROUP\s+BY\s+(.+?)(?=\s+fill\(|\s+ORDER\s+BY\b|\s+S?LIMIT\b|\s+S?OFFSET\b|\s+tz\(|\s*$)/is.exec(query);
  if (!groupBy) return [];
  const keys = splitTopLevel(groupBy[1] as string).filter((key) => !/^time\s*\(/i.test(key));
  if (keys.includes('*')) throw new Error(`GROUP BY * hides wrong tag names: ${query}`);
  return keys.map(unquote);
}

/** The measurements named after FROM. */
export function measurementsOf(query: string): string[] {
  return [...query.matchAll(/\bFROM\s+("?)(\w+)\1/gi)].map((match) => match[2] as string);
}

/**
 * The keys a query's WHERE clause compares (`"key" =~ /…/`, `"key" = '…'`, `!=`, `!~`; a `::tag` or `::field`
 * suffix is dropped), `time` excepted: what it filters on.
 */
export function whereKeys(query: string): string[] {
  const where = /\bWHERE\s+(.+?)(?=\s+GROUP\s+BY\b|\s+ORDER\s+BY\b|\s+S?LIMIT\b|\s+S?OFFSET\b|\s+fill\(|\s+tz\(|\s*$)/is.exec(query);
  if (!where) return [];
  const keys = [...(where[1] as string).matchAll(/("?)(\w+)\1(?:::\w+)?\s*(?:=~|!~|!=|<>|=)/g)].map((match) => match[2] as string);
  return [...new Set(keys.filter((key) => key !== 'time'))];
}

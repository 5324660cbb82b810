// The InfluxDB 1.x HTTP API, as much as the dashboards' test uses: create a database, write line protocol
// (epoch ms, like the services), run InfluxQL. Errors are thrown with the statement that caused them.

export type InfluxValue = string | number | boolean | null;

/** One series of a query result: `values` rows line up with `columns`. */
export interface InfluxSeries {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly columns: readonly string[];
  readonly values: ReadonlyArray<readonly InfluxValue[]>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValue = (v: unknown): v is InfluxValue => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isRow = (v: unknown): v is InfluxValue[] => Array.isArray(v) && v.every(isValue);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringRecord = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

function parseSeries(value: unknown, query: string): InfluxSeries {
  if (isRecord(value) && typeof value.name === 'string' && isStringArray(value.columns) && Array.isArray(value.values) && value.values.every(isRow)) {
    // A query without GROUP BY tags has no `tags` at all.
    const tags = value.tags ?? {};
    if (isStringRecord(tags)) return { name: value.name, tags, columns: value.columns, values: value.values };
  }
  throw new Error(`unexpected series ${JSON.stringify(value)} for: ${query}`);
}

/** Runs one InfluxQL statement (GET /query, as Grafana's httpMode GET) and returns its series; throws on any error. */
export async function influxQuery(url: string, db: string, query: string): Promise<InfluxSeries[]> {
  const res = await fetch(`${url}/query?${new URLSearchParams({ db, q: query, epoch: 'ms' }).toString()}`);
  const body: unknown = await res.json();
  const result = isRecord(body) && Array.isArray(body.results) ? (body.results[0] as unknown) : undefined;
  const error = isRecord(body) && typeof body.error === 'string' ? body.error : isRecord(result) && typeof result.error === 'string' ? result.error : undefined;
  if (!res.ok || error !== undefined) throw new Error(`HTTP ${res.status} ${error ?? JSON.stringify(body)} for: ${query}`);
  if (!isRecord(result)) throw new Error(`no result for: ${query}`);
  return Array.isArray(result.series) ? result.series.map((series) => parseSeries(series, query)) : [];
}

/** CREATE DATABASE goes through POST /query: the 1.x API refuses it on GET. */
export async function createDatabase(url: string, db: string): Promise<void> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
  if (!res.ok) throw new Error(`CREATE DATABASE ${db}: HTTP ${res.status} ${await res.text()}`);
}

/** POST /write?precision=ms in requests of at most 5000 lines (the worker's batch bound). */
export async function writeLines(url: string, db: string, lines: readonly string[]): Promise<void> {
  for (let start = 0; start < lines.length; start += 5000) {
    const res = await fetch(`${url}/write?${new URLSearchParams({ db, precision: 'ms' }).toString()}`, { method: 'POST', body: lines.slice(start, start + 5000).join('\n') });
    if (res.status !== 204) throw new Error(`write to ${db}: HTTP ${res.status} ${await res.text()}`);
  }
}

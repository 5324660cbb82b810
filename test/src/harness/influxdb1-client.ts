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

/**
 * Runs one statement through POST /query (the 1.x API refuses writes such as CREATE, DELETE and DROP on
 * GET). A statement's error comes back as HTTP 200 with an "error" in its result, so the body is checked too.
 */
export async function influxPost(url: string, db: string | undefined, query: string): Promise<void> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ ...(db !== undefined && { db }), q: query }) });
  const body = await res.text();
  if (res.status !== 200 || body.includes('"error"')) throw new Error(`HTTP ${res.status} ${body} for: ${query}`);
}

/**
 * CREATE DATABASE, then SHOW DATABASES until it is listed. A write to a database the server has not
 * listed answers 404 "database not found" (seen once in CI right after a CREATE that answered 200), so
 * the test's set-up does not go on until the server says it has it; three CREATEs at most, each
 * attempt's answer in the error.
 */
export async function createDatabase(url: string, db: string): Promise<void> {
  const attempts: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await influxPost(url, undefined, `CREATE DATABASE "${db}"`);
      const [listed] = await influxQuery(url, '', 'SHOW DATABASES');
      if (listed?.values.some(([name]) => name === db)) return;
      attempts.push(`not listed by SHOW DATABASES: ${JSON.stringify(listed?.values ?? [])}`);
    } catch (err) {
      attempts.push(err instanceof Error ? err.message : String(err));
    }
    console.warn(`CREATE DATABASE ${db}, attempt ${attempt}: ${attempts.at(-1) ?? ''}`);
  }
  throw new Error(`CREATE DATABASE ${db} failed:\n${attempts.join('\n')}`);
}

/** POST /write?precision=ms in requests of at most 5000 lines (the worker's batch bound). */
export async function writeLines(url: string, db: string, lines: readonly string[]): Promise<void> {
  for (let start = 0; start < lines.length; start += 5000) {
    const res = await fetch(`${url}/write?${new URLSearchParams({ db, precision: 'ms' }).toString()}`, { method: 'POST', body: lines.slice(start, start + 5000).join('\n') });
    if (res.status !== 204) throw new Error(`write to ${db}: HTTP ${res.status} ${await res.text()}`);
  }
}

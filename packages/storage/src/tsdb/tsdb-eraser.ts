import { PipelineError } from '@neurolift/platform';

/** The TSDB delete APIs the eraser speaks: InfluxDB 2.x (production) and VictoriaMetrics (local, tests). */
export type TsdbDeleteApi = 'influxdb2' | 'victoriametrics';

/** Every series (all measurements) whose tag `key` equals `value`. */
export interface TagMatch {
  readonly key: string;
  readonly value: string;
}

/** One HTTP request, as plain data (built by pure functions, sent by the eraser). Always a POST. */
export interface TsdbDeleteRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface InfluxDeleteTarget {
  /** Base URL of the InfluxDB 2.x API, as the writers use it (a path prefix is kept). */
  readonly url: string;
  readonly token: string;
  readonly org: string;
  /** INFLUX_BUCKET: the default tenant's, where a delete without a bucket goes. */
  readonly bucket: string;
}

export interface VictoriaMetricsDeleteTarget {
  readonly url: string;
}

/**
 * How far past "now" an InfluxDB delete reaches, ms. Points are stamped ahead of the clock: the day's
 * exposure at the end of the UTC day (up to 24 h), the acute curve 3 h after a set, and device time may
 * itself run ahead (TIME_MAX_FUTURE_MS). A week covers all of them with room to spare.
 */
export const DELETE_HORIZON_MS = 7 * 24 * 3600 * 1000;

/** Tag keys of the pipeline's measurements (no quoting needed in a predicate or a PromQL matcher). */
const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The protocol's id rule: what every tag value the pipeline writes obeys, so it needs no escaping. */
const TAG_VALUE = /^[A-Za-z0-9_-]{1,64}$/;

function checkMatch(match: TagMatch): void {
  // Programmer error: callers validate ids at the boundary; refusing here keeps a predicate from widening.
  if (!TAG_KEY.test(match.key) || !TAG_VALUE.test(match.value)) throw new TypeError(`not a deletable tag match: ${JSON.stringify(match)}`);
}

/** `base` + `path`, keeping any path prefix of base (a TSDB behind a reverse proxy). */
function endpoint(base: string, path: string, query: URLSearchParams): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = query.toString();
  return url.toString();
}

/**
 * InfluxDB 2.x `POST /api/v2/delete`: every point of every measurement in the bucket whose tag matches,
 * from the Unix epoch to `nowMs + DELETE_HORIZON_MS`. The token needs write permission on the bucket.
 */
export function influxDeleteRequest(target: InfluxDeleteTarget, match: TagMatch, nowMs: number): TsdbDeleteRequest {
  checkMatch(match);
  return {
    url: endpoint(target.url, '/api/v2/delete', new URLSearchParams({ org: target.org, bucket: target.bucket })),
    headers: { authorization: `Token ${target.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      start: '1970-01-01T00:00:00Z',
      stop: new Date(nowMs + DELETE_HORIZON_MS).toISOString(),
      predicate: `${match.key}="${match.value}"`,
    }),
  };
}

/**
 * VictoriaMetrics `POST /api/v1/admin/tsdb/delete_series?match[]={key="value"}`: every series carrying
 * the label, whatever its metric name (line protocol becomes `<measurement>_<field>` metrics), all time.
 * It has no buckets: the delete reaches every tenant's series, which for an athlete (its id is unique
 * per deployment, its points in its tenant's bucket only) are the same ones.
 */
export function victoriaMetricsDeleteRequest(target: VictoriaMetricsDeleteTarget, match: TagMatch): TsdbDeleteRequest {
  checkMatch(match);
  return { url: endpoint(target.url, '/api/v1/admin/tsdb/delete_series', new URLSearchParams({ 'match[]': `{${match.key}="${match.value}"}` })), headers: {} };
}

/** Deletes series from the TSDB. */
export interface TsdbEraser {
  /**
   * Deletes every point of every measurement whose tag matches in `bucket` (the athlete's tenant's; absent:
   * the configured one, the default tenant's); resolves once the TSDB confirmed it. Idempotent: deleting what
   * is already gone succeeds. Throws PipelineError `NL_ERR_TSDB_UNAVAILABLE` (429/5xx),
   * `NL_ERR_TSDB_UNREACHABLE` (network, timeout) or `NL_ERR_TSDB_REJECTED` (other answers, such as a bucket
   * that does not exist).
   */
  deleteSeries(match: TagMatch, bucket?: string): Promise<void>;
}

export type TsdbEraserOptions = (
  | ({ readonly api: 'influxdb2' } & InfluxDeleteTarget)
  | ({ readonly api: 'victoriametrics' } & VictoriaMetricsDeleteTarget)
) & {
  /** One delete request's timeout, ms. */
  readonly timeoutMs: number;
  /** Injected in tests; default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
};

/** Builds the request of the configured API, in `bucket` when given (InfluxDB; VictoriaMetrics has none). */
export function tsdbDeleteRequest(options: TsdbEraserOptions, match: TagMatch, nowMs: number, bucket?: string): TsdbDeleteRequest {
  switch (options.api) {
    case 'influxdb2':
      return influxDeleteRequest(bucket === undefined ? options : { ...options, bucket }, match, nowMs);
    case 'victoriametrics':
      return victoriaMetricsDeleteRequest(options, match);
  }
}

/** Turns a non-2xx answer into the same codes as a failed write: 429 and 5xx are worth retrying. */
export function classifyDeleteResponse(status: number, body: string): PipelineError {
  const detail = body.trim().slice(0, 300);
  if (status === 429 || status >= 500) return new PipelineError('NL_ERR_TSDB_UNAVAILABLE', `TSDB answered the delete with ${status}: ${detail}`, true);
  return new PipelineError('NL_ERR_TSDB_REJECTED', `TSDB refused the delete with ${status}: ${detail}`, false);
}

/** A TsdbEraser over HTTP: one request per call, no retries (the caller reports and may call again). */
export function createTsdbEraser(options: TsdbEraserOptions): TsdbEraser {
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  return {
    async deleteSeries(match, bucket) {
      const request = tsdbDeleteRequest(options, match, now(), bucket);
      let response: Response;
      let body: string;
      try {
        response = await send(request.url, {
          method: 'POST',
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        body = await response.text();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new PipelineError('NL_ERR_TSDB_UNREACHABLE', `TSDB delete failed: ${reason}`, true);
      }
      if (response.status < 200 || response.status >= 300) throw classifyDeleteResponse(response.status, body);
    },
  };
}

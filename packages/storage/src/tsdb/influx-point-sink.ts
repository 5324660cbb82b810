import { HttpError, InfluxDB, setLogger } from '@influxdata/influxdb-client';
import { PipelineError, type Logger } from '@neurolift/platform';

/** Where points go: InfluxDB line protocol, written durably before the promise resolves. */
export interface PointSink {
  /** Into `bucket` (a tenant's), or the sink's own (INFLUX_BUCKET: the default tenant's) when absent. */
  write(lines: readonly string[], bucket?: string): Promise<void>;
}

/** Lines per write request; InfluxDB's documented optimum for OSS 2.x. */
export const INFLUX_BATCH_LINES = 5000;

export interface InfluxSinkOptions {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  /** Where a write without a bucket goes. */
  readonly bucket: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (Date.parse alone accepts "1.5"). */
const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * HTTP Retry-After is delay-seconds or an HTTP date (the client library reads digits as ms); a date
 * in the past is 0. Anything else gives undefined.
 */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  let delayMs: number | undefined;
  if (/^\d+$/.test(value)) delayMs = Number(value) * 1000;
  else if (HTTP_DATE.test(value)) delayMs = Date.parse(value) - now;
  return delayMs === undefined ? undefined : Math.max(0, delayMs);
}

/**
 * Turns a write failure into a retry decision: 429 and 5xx and network errors are retryable
 * (honouring Retry-After); any other 4xx means the data itself was refused: retrying cannot help.
 */
export function classifyWriteError(error: unknown): PipelineError {
  if (error instanceof HttpError) {
    const status = error.statusCode;
    const body = (error.body ?? error.message).slice(0, 300);
    if (status === 429 || status >= 500) {
      // No wait (absent, invalid or 0) leaves the job's exponential backoff in charge: a rate limit of
      // 0 ms would retry at once without consuming an attempt, in a tight loop.
      const retryAfterMs = parseRetryAfter(error.headers?.['retry-after']) || undefined;
      return new PipelineError('NL_ERR_TSDB_UNAVAILABLE', `TSDB answered ${status}: ${body}`, true, retryAfterMs);
    }
    return new PipelineError('NL_ERR_TSDB_REJECTED', `TSDB rejected the write with ${status}: ${body}`, false);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError('NL_ERR_TSDB_UNREACHABLE', `TSDB write failed: ${message}`, true);
}

/**
 * Writes with the official client, one short-lived WriteApi per call so that each job's lines are
 * flushed and their outcome known before the job completes: no background flush, no client-side
 * retries (BullMQ owns retries), no in-memory retry buffer that could drop lines.
 */
export function createInfluxPointSink(options: InfluxSinkOptions): PointSink {
  const { logger } = options;
  // The client logs every failed write itself; route it to our logger at debug (we log the outcome).
  setLogger({
    error: (message, error) => logger.debug({ err: error }, message),
    warn: (message, error) => logger.debug({ err: error }, message),
  });
  const influx = new InfluxDB({ url: options.url, token: options.token, timeout: options.timeoutMs });
  const writeOptions = {
    flushInterval: 0,
    maxRetries: 0,
    // Same host in development; gzip only costs CPU on loopback.
    gzipThreshold: 1_000_000,
  };
  async function writeChunk(chunk: readonly string[], bucket: string): Promise<void> {
    // One above the chunk, so adding it never triggers the client's own (unobserved) flush; sized
    // to the chunk because the client allocates its buffer up front. Per call, so per bucket too.
    const writeApi = influx.getWriteApi(options.org, bucket, 'ms', { ...writeOptions, batchSize: chunk.length + 1 });
    writeApi.writeRecords([...chunk]);
    try {
      await writeApi.flush();
    } catch (error) {
      // 413: the TSDB takes smaller requests (a proxy or server body limit). The same lines in halves
      // get past it; only a single line too large for it is refused for good.
      if (error instanceof HttpError && error.statusCode === 413 && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        logger.debug({ lines: chunk.length }, 'TSDB refused the request as too large; writing it in halves');
        await writeChunk(chunk.slice(0, half), bucket);
        await writeChunk(chunk.slice(half), bucket);
        return;
      }
      throw classifyWriteError(error);
    } finally {
      await writeApi.close().catch(() => undefined);
    }
  }

  return {
    async write(lines, bucket = options.bucket) {
      for (let start = 0; start < lines.length; start += INFLUX_BATCH_LINES) {
        await writeChunk(lines.slice(start, start + INFLUX_BATCH_LINES), bucket);
      }
    },
  };
}

/** The TSDB settings every writing service reads (INFLUX_*). */
export interface InfluxSettings {
  readonly INFLUX_URL: string;
  readonly INFLUX_TOKEN: string;
  readonly INFLUX_ORG: string;
  readonly INFLUX_BUCKET: string;
  readonly INFLUX_TIMEOUT_MS: number;
}

/** The sink of a service's INFLUX_* settings. */
export function influxSinkFromSettings(settings: InfluxSettings, logger: Logger): PointSink {
  return createInfluxPointSink({
    url: settings.INFLUX_URL,
    token: settings.INFLUX_TOKEN,
    org: settings.INFLUX_ORG,
    bucket: settings.INFLUX_BUCKET,
    timeoutMs: settings.INFLUX_TIMEOUT_MS,
    logger: logger.child({ component: 'influx' }),
  });
}

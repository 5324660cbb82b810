import type { z } from 'zod';
import { CHANNEL_SCHEMAS, type HrMessage, type ImuMessage, type RepMessage, type SamplesMessage, type SetMessage, type StatusMessage } from './channels.js';
import { DEFAULT_TIME_WINDOW, MAX_PAYLOAD_BYTES, type TimeWindow } from './limits.js';
import { parseTopic } from './topic.js';

/** Why a device message was not accepted. Stable: counted in metrics and stored with dead letters. */
export const REJECT_REASONS = [
  'oversize',
  'bad_topic',
  'unknown_channel',
  'malformed_json',
  'unsupported_version',
  'schema',
  'out_of_window',
  /** Not a parse outcome: ingest's per-station rate limit (a flooding device). */
  'rate_limited',
  /** Not parse outcomes: ingest's check against the device registry (issue 15). */
  'unregistered_station',
  'gym_not_allowed',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

interface Origin {
  readonly gymId: string;
  readonly stationId: string;
}

export type DeviceMessage =
  | (Origin & { readonly channel: 'rep'; readonly body: RepMessage })
  | (Origin & { readonly channel: 'samples'; readonly body: SamplesMessage })
  | (Origin & { readonly channel: 'set'; readonly body: SetMessage })
  | (Origin & { readonly channel: 'status'; readonly body: StatusMessage })
  | (Origin & { readonly channel: 'imu'; readonly body: ImuMessage })
  | (Origin & { readonly channel: 'hr'; readonly body: HrMessage });

export type ParseOutcome =
  | { readonly ok: true; readonly message: DeviceMessage }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export interface ParseOptions {
  /** The receiver's clock, epoch ms. */
  readonly now: number;
  readonly window?: TimeWindow;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function reject(reason: RejectReason, detail: string): ParseOutcome {
  return { ok: false, reason, detail };
}

/** First issue of a zod error as one sentence a device maker understands: `repIndex: Too big: expected …`. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid message';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'message';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path}: ${issue.message}${more}`;
}

/** A short description of a device's `v`, never echoing unbounded or deeply nested input. */
function describeVersion(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 16 ? `${value.slice(0, 16)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function checkTime(field: string, value: number | undefined, now: number, window: TimeWindow): string | undefined {
  if (value === undefined) return undefined;
  if (value > now + window.maxFutureMs) {
    return `${field} ${value} is more than ${window.maxFutureMs} ms in the future (is the clock set? timestamps are epoch milliseconds)`;
  }
  if (value < now - window.maxAgeMs) {
    const seconds = value < 1e11 ? ' (it looks like seconds; timestamps are epoch milliseconds)' : '';
    return `${field} ${value} is older than ${window.maxAgeMs} ms${seconds}`;
  }
  return undefined;
}

/**
 * Turns one MQTT message into a validated device message or a reason to reject it. Pure: the clock is
 * passed in. Never throws on anything a device can send.
 */
export function parseDeviceMessage(topicName: string, payload: Uint8Array, options: ParseOptions): ParseOutcome {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject('oversize', `payload is ${payload.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  const topic = parseTopic(topicName);
  if (!topic.ok) return reject(topic.reason, topic.detail);

  let text: string;
  let json: unknown;
  try {
    text = utf8.decode(payload);
  } catch {
    return reject('malformed_json', 'payload is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) return reject('malformed_json', 'payload starts with a byte-order mark; send plain UTF-8 JSON');
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject('malformed_json', `payload is not valid JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject('schema', 'payload must be a JSON object');
  }
  const version = (json as { v?: unknown }).v;
  if (version !== 1) {
    return reject('unsupported_version', `v is ${describeVersion(version)}; this pipeline speaks device protocol v1 ("v": 1)`);
  }

  const { gymId, stationId, channel } = topic.topic;
  const parsed = CHANNEL_SCHEMAS[channel].safeParse(json);
  if (!parsed.success) return reject('schema', describeIssue(parsed.error));
  const body = parsed.data;
  const [timeField, time] = 't0' in body ? ['t0', body.t0] : ['ts', body.ts];
  const late = checkTime(timeField, time, options.now, options.window ?? DEFAULT_TIME_WINDOW);
  if (late !== undefined) return reject('out_of_window', late);
  // The schema was chosen by `channel`, so body and channel agree; TypeScript cannot correlate the two.
  return { ok: true, message: { gymId, stationId, channel, body } as DeviceMessage };
}

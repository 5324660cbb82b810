import {
  CHANNEL_SCHEMAS,
  deviceTopic,
  parseDeviceMessage,
  type Channel,
  type HrMessage,
  type ImuMessage,
  type RepMessage,
  type SamplesMessage,
  type SetMessage,
  type StatusMessage,
} from '@neurolift/contracts';
import { InvalidMessageError } from './errors.js';

/** What a gateway passes: the protocol message without `v` (the client adds `"v": 1`). */
export type RepInput = Omit<RepMessage, 'v'>;
export type SamplesInput = Omit<SamplesMessage, 'v'>;
export type SetInput = Omit<SetMessage, 'v'>;
export type StatusInput = Omit<StatusMessage, 'v'>;
/** v1.1: inertial samples of a bar- or body-worn sensor (one block of one set). */
export type ImuInput = Omit<ImuMessage, 'v'>;
/** v1.1: heart rate once a second from `t0`, optionally with beat-to-beat intervals. */
export type HrInput = Omit<HrMessage, 'v'>;

export interface EncodedMessage {
  readonly topic: string;
  /**
   * The JSON text; MQTT.js sends it as UTF-8. A string rather than a Node Buffer, so the client runs in
   * browsers and apps too (no Buffer there).
   */
  readonly payload: string;
}

export interface Station {
  readonly gymId: string;
  readonly stationId: string;
}

const MAX_LISTED_ISSUES = 3;
const utf8 = new TextEncoder();

/** The part of a zod error we read (structural, so this package needs no direct zod dependency). */
interface SchemaIssues {
  readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>;
}

function describeIssues(error: SchemaIssues): string {
  const listed = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'message';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/**
 * Validates a message for `channel`, adds `v: 1` and serialises it. Throws InvalidMessageError when the
 * pipeline would reject it, so a gateway bug surfaces at the gateway instead of in a dead-letter store
 * far away: the final bytes are checked with the pipeline's own parser (schema, 64 KiB limit, topic ids
 * and the time window around `now`, epoch ms). Unknown extra fields are dropped, as the pipeline would.
 */
export function encodeMessage(channel: Channel, input: unknown, station: Station, now: number): EncodedMessage {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidMessageError(channel, 'the message must be an object');
  }
  // `v` last, so a caller cannot smuggle in another version; spreading copies `__proto__` as a plain key.
  const parsed = CHANNEL_SCHEMAS[channel].safeParse({ ...input, v: 1 });
  if (!parsed.success) throw new InvalidMessageError(channel, describeIssues(parsed.error));

  const topic = deviceTopic(station.gymId, station.stationId, channel);
  const payload = JSON.stringify(parsed.data);
  const outcome = parseDeviceMessage(topic, utf8.encode(payload), { now });
  if (!outcome.ok) throw new InvalidMessageError(channel, outcome.detail);
  return { topic, payload };
}

import { DEFAULT_TENANT, type DeviceMessage, type ParseOutcome, type RepRecord } from '@neurolift/contracts';
import type { DeadLetter, HeartRateBlock, IntakeCommit, SampleBlock, SetOp } from './ports.js';

/** One received message after validation. */
export interface Received {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly receivedAt: number;
  readonly outcome: ParseOutcome;
  /** The tenant of the message's station or gym, where known (default: the default tenant). */
  readonly tenant?: string;
}

// ignoreBOM: keep a byte-order mark in the kept payload (it may be why the message was rejected).
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const MAX_TOPIC_CHARS = 256;

/** A dead letter keeps the message inspectable without storing an unbounded payload. */
export function toDeadLetter(message: Received, reason: string, detail: string, payloadLimit: number): DeadLetter {
  const truncated = message.payload.byteLength > payloadLimit;
  const bytes = truncated ? message.payload.subarray(0, payloadLimit) : message.payload;
  return {
    topic: message.topic.slice(0, MAX_TOPIC_CHARS),
    reason,
    detail,
    payload: lenientUtf8.decode(bytes),
    payloadBytes: message.payload.byteLength,
    truncated,
    receivedAt: new Date(message.receivedAt).toISOString(),
    tenant: message.tenant ?? DEFAULT_TENANT,
  };
}

function repRecord(message: Extract<DeviceMessage, { channel: 'rep' }>): RepRecord {
  const { gymId, stationId, body } = message;
  const { v: _version, ...rep } = body;
  return { gymId, stationId, ...rep, source: 'device' };
}

/**
 * Groups a micro-batch into what Redis must apply: set-state operations in arrival order, rep
 * records for the rep job, sample and imu blocks for the segmentation queue, heart-rate blocks for
 * theirs, and dead letters. Pure.
 */
export function buildCommit(batch: readonly Received[], now: number, payloadLimit: number): IntakeCommit {
  const ops: SetOp[] = [];
  const reps: RepRecord[] = [];
  const samples: SampleBlock[] = [];
  const heartRate: HeartRateBlock[] = [];
  const deadLetters: DeadLetter[] = [];
  const offline: Array<{ gymId: string; stationId: string; ts: number }> = [];
  for (const received of batch) {
    const { outcome } = received;
    if (!outcome.ok) {
      deadLetters.push(toDeadLetter(received, outcome.reason, outcome.detail, payloadLimit));
      continue;
    }
    const message = outcome.message;
    const { gymId, stationId } = message;
    switch (message.channel) {
      case 'rep': {
        const rep = repRecord(message);
        reps.push(rep);
        ops.push({ kind: 'rep', rep });
        break;
      }
      case 'samples':
      case 'imu': {
        const { setId, athleteId, exercise, loadKg, t0 } = message.body;
        // The payload's own text goes to the inbox: an imu block is ~4 KB of numbers, and writing the parsed
        // block out again cost ingest a sixth of its time (bench-samples --channel imu).
        samples.push({ gymId, stationId, block: message.body, text: lenientUtf8.decode(received.payload) });
        // A block is activity of its set, like a rep: it opens the set (closing the station's
        // previous one) and defers its idle close.
        ops.push({ kind: 'start', gymId, stationId, setId, athleteId, exercise, loadKg, ts: t0 });
        break;
      }
      case 'hr':
        // Not tied to a set or a station's set state: joined with sets by athlete and time in the worker.
        heartRate.push({ gymId, stationId, block: message.body });
        break;
      case 'set': {
        const { event, setId, athleteId, exercise, loadKg, ts } = message.body;
        ops.push({ kind: event, gymId, stationId, setId, athleteId, exercise, ts, ...(loadKg === undefined ? {} : { loadKg }) });
        break;
      }
      case 'status': {
        const { online, firmware, model } = message.body;
        // A last will cannot know its time: the protocol says to use the time it was received.
        const ts = message.body.ts ?? received.receivedAt;
        if (!online) offline.push({ gymId, stationId, ts });
        ops.push({
          kind: 'status',
          gymId,
          stationId,
          online,
          ts,
          ...(firmware === undefined ? {} : { firmware }),
          ...(model === undefined ? {} : { model }),
        });
        break;
      }
    }
  }
  return { now, ops, reps, samples, heartRate, deadLetters, offline };
}

// The device side of a fault test: a few stations each doing sets of reps closed by `end`, one of them a
// grinding set (velocity loss past the high-fatigue thresholds), published at QoS 1 at a steady rate with
// a log of what the broker acknowledged. The log is the checker's history of "enqueue" operations.
import type { MqttClient } from 'mqtt';
import { repMessageId, setMessageId, type PublishedMessage } from './checker.js';

export interface StreamPlan {
  readonly gym: string;
  readonly stations: number;
  readonly sets: number;
  readonly repsPerSet: number;
  /** The set (station and set index) whose velocity falls by half: it must raise high_fatigue once. */
  readonly grinding: { readonly station: number; readonly set: number };
  /** Device time of the first message, epoch ms; messages are 50 ms apart. */
  readonly t0: number;
}

export interface StreamMessage {
  readonly topic: string;
  readonly payload: string;
  readonly published: Omit<PublishedMessage, 'acked'>;
}

export const STEP_MS = 50;
/** Station ids are unique across gyms (device protocol v1), so they carry the gym's. */
export const stationName = (gym: string, index: number) => `${gym}-st-${index}`;
export const setName = (index: number) => `set-${index}`;
export const athleteName = (gym: string, station: number) => `ath-${gym}-${station}`;

/** Mean velocity of a rep: a slow fade in ordinary sets (under 20 % loss), a collapse in the grinding set. */
function velocity(plan: StreamPlan, station: number, set: number, rep: number): number {
  if (station === plan.grinding.station && set === plan.grinding.set) return Number((0.62 - (0.34 * rep) / Math.max(1, plan.repsPerSet - 1)).toFixed(3));
  return Number((0.8 - 0.012 * rep - 0.01 * set).toFixed(3));
}

/** Every message of the plan in publish order: the stations take turns, each set's reps then its `end`. */
export function buildStream(plan: StreamPlan): StreamMessage[] {
  const perStation = Array.from({ length: plan.stations }, (_, station) => {
    const base = { athleteId: athleteName(plan.gym, station), exercise: 'back_squat' };
    const items: Array<(ts: number) => StreamMessage> = [];
    for (let set = 0; set < plan.sets; set++) {
      const setId = setName(set);
      for (let rep = 0; rep < plan.repsPerSet; rep++) {
        const meanVelocity = velocity(plan, station, set, rep);
        items.push((ts) => ({
          topic: `gym/v1/${plan.gym}/${stationName(plan.gym, station)}/rep`,
          payload: JSON.stringify({ v: 1, ...base, ts, setId, repIndex: rep + 1, loadKg: 100, meanVelocity }),
          published: {
            id: repMessageId(plan.gym, stationName(plan.gym, station), setId, rep + 1, ts),
            expected: { set_id: setId, rep_index: rep + 1, load_kg: 100, mean_velocity: meanVelocity },
          },
        }));
      }
      items.push((ts) => ({
        topic: `gym/v1/${plan.gym}/${stationName(plan.gym, station)}/set`,
        payload: JSON.stringify({ v: 1, event: 'end', ts, setId, ...base }),
        published: { id: setMessageId(plan.gym, stationName(plan.gym, station), setId), expected: { set_id: setId, reps: plan.repsPerSet } },
      }));
    }
    return items;
  });
  const messages: StreamMessage[] = [];
  for (let turn = 0; perStation.some((items) => turn < items.length); turn++) {
    for (const items of perStation) {
      const make = items[turn];
      if (make) messages.push(make(plan.t0 + messages.length * STEP_MS));
    }
  }
  return messages;
}

export interface PublishRecord {
  readonly message: StreamMessage;
  readonly sentAt: number;
  ackedAt?: number;
  error?: string;
}

export interface StreamRun {
  readonly records: readonly PublishRecord[];
  /** Resolves once every message has been handed to the client (acknowledged or not). */
  readonly sent: Promise<void>;
  /** Resolves once every publish has been acknowledged or has failed. */
  readonly done: Promise<void>;
  /** The log as the checker takes it. */
  published(): PublishedMessage[];
}

/**
 * Publishes at `ratePerSecond` with at most `window` unacknowledged (MQTT.js keeps what it cannot send
 * while the broker is away, as a device buffers). The pacing is the workload's, not a wait for an event.
 */
export function publishStream(client: MqttClient, messages: readonly StreamMessage[], options: { ratePerSecond: number; window: number }): StreamRun {
  const records: PublishRecord[] = [];
  const start = Date.now();
  let allSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (allSent = resolve));
  const done = (async () => {
    const outstanding = new Set<Promise<void>>();
    for (const [i, message] of messages.entries()) {
      while (outstanding.size >= options.window) await Promise.race(outstanding);
      const due = start + (i * 1000) / options.ratePerSecond - Date.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      const record: PublishRecord = { message, sentAt: Date.now() };
      records.push(record);
      const publish = client.publishAsync(message.topic, message.payload, { qos: 1 }).then(
        () => {
          record.ackedAt = Date.now();
        },
        (error: unknown) => {
          record.error = error instanceof Error ? error.message : String(error);
        },
      );
      outstanding.add(publish);
      void publish.finally(() => outstanding.delete(publish));
    }
    allSent();
    await Promise.all(outstanding);
  })();
  return {
    records,
    sent,
    done,
    published: () => records.map((r) => ({ ...r.message.published, acked: r.ackedAt !== undefined })),
  };
}

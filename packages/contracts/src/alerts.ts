import { z } from 'zod';
import { Id } from './ids.js';

/**
 * Coach alerts on the wire: what the alerts service publishes on `gym/v1/{gymId}/alerts` (MQTT, QoS 1),
 * POSTs to a gym's webhook and keeps for the live console, and the jobs that carry them.
 */

/**
 * Every rule of the model spec's "Coach alert rules", in its table order (snake_case ids), then the rules
 * added since: `incomplete_recovery` (heart rate, protocol v1.1; off unless the alert config enables it).
 */
export const ALERT_RULES = [
  'near_failure',
  'partial_rep',
  'high_fatigue',
  'low_effort',
  'nsi_below_target',
  'readiness_drop',
  'e1rm_record',
  'low_exposure',
  'exposure_change',
  'station_offline',
  'incomplete_recovery',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** `info` tells, `amber` asks the coach to look, `red` asks the coach to act. */
export const SEVERITIES = ['info', 'amber', 'red'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_UNITS = ['m/s', 'reps', 'percent', 'm', 'kg', 'nsi', 'sessions', 'ratio', 'none'] as const;
export type AlertUnit = (typeof ALERT_UNITS)[number];

/** An alert as published. `id` is the same for every delivery of the same (athlete, rule, set/session/day). */
export const AlertMessage = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  rule: z.enum(ALERT_RULES),
  severity: z.enum(SEVERITIES),
  gymId: Id,
  stationId: Id.optional(),
  athleteId: Id,
  setId: Id.optional(),
  exercise: Id.optional(),
  value: z.number(),
  threshold: z.number(),
  unit: z.enum(ALERT_UNITS),
  message: z.string().max(500),
  /** The model version that produced the inputs (`nsi-1`, or `nsi-1+<hash>` with overrides). */
  model: z.string().max(64),
  /** When the condition was observed, epoch ms. */
  ts: z.number().int(),
});
export type AlertMessage = z.infer<typeof AlertMessage>;

const SetRef = { gymId: Id, stationId: Id, setId: Id, athleteId: Id };
/** A set as alert checks name it (also the field of a gym's in-set-pending hash, as JSON). */
export const AlertSetRef = z.object(SetRef);

/**
 * Something happened that alert rules look at. Producers (the worker, ingest, the daily scheduler) only
 * say what happened; the alerts service loads the state and evaluates the rules.
 */
export const AlertCheckJob = z.discriminatedUnion('kind', [
  /**
   * Reps of sets of this gym were stored (enqueued before their points are written, so a slow TSDB does
   * not delay alerts): in-set rules and the console's bars for every set in the gym's in-set-pending hash.
   * Deduplicated per gym: one waits while one runs, so under load one pass judges each busy set once
   * however many rep batches touched it.
   */
  z.object({ v: z.literal(1), kind: z.literal('in_set'), gymId: Id }),
  /** As `in_set` for the listed sets (one job per rep batch): what workers before `in_set` enqueued. */
  z.object({ v: z.literal(1), kind: z.literal('reps'), sets: z.array(AlertSetRef).min(1).max(5000) }),
  /** A set closed and the model ran: post-set rules; schedules the session-end check. */
  z.object({ v: z.literal(1), kind: z.literal('set_closed'), ...SetRef }),
  /** Delayed until the set's session can no longer grow: session rules. */
  z.object({ v: z.literal(1), kind: z.literal('session_end'), ...SetRef }),
  /** A station reported its status (ingest, for `online: false` only). */
  z.object({ v: z.literal(1), kind: z.literal('station_status'), gymId: Id, stationId: Id, online: z.boolean(), ts: z.number().int() }),
  /** A daily run (job scheduler at the gym's local time); without gymId: every gym the alerts config does not list. */
  z.object({ v: z.literal(1), kind: z.literal('daily'), gymId: Id.optional() }),
]);
export type AlertCheckJob = z.infer<typeof AlertCheckJob>;

/** One alert to deliver (job id = alert id, so an alert is enqueued once). */
export const AlertJob = z.object({ v: z.literal(1), alert: AlertMessage });
export type AlertJob = z.infer<typeof AlertJob>;

/** One webhook POST of an alert to its gym's endpoint. */
export const WebhookJob = z.object({ v: z.literal(1), alert: AlertMessage });
export type WebhookJob = z.infer<typeof WebhookJob>;

/** A rep as the live console shows it. */
export const LiveRep = z.object({
  repIndex: z.number().int().min(1),
  meanVelocity: z.number(),
  velocityLossPct: z.number().optional(),
  partial: z.boolean().optional(),
  ts: z.number().int(),
});
export type LiveRep = z.infer<typeof LiveRep>;

/**
 * An athlete's latest heart rate (v1.1 `hr`), for the live console: the last bpm of the newest block and
 * its time (epoch ms, device time). The worker keeps it under `redisKeys(…).athleteLiveHeartRate`, expiring; the api adds it
 * to the stations of the athlete while it is fresh.
 */
export const LiveHeartRate = z.object({
  bpm: z.number(),
  ts: z.number().int(),
});
export type LiveHeartRate = z.infer<typeof LiveHeartRate>;

/** A station's current (or last) set, as the live console shows it. */
export const LiveStation = z.object({
  gymId: Id,
  stationId: Id,
  athleteId: Id,
  setId: Id,
  exercise: Id,
  loadKg: z.number(),
  reps: z.array(LiveRep),
  /** Velocity loss of the set so far, %. */
  velocityLossPct: z.number(),
  /** The gym's high-fatigue thresholds, % (the gauge's colours). */
  fatigueAmberPct: z.number(),
  fatigueRedPct: z.number(),
  /** Session NSI after the athlete's last closed set (model), when known. */
  sessionNsi: z.number().optional(),
  open: z.boolean(),
  updatedAt: z.number().int(),
  /** The athlete's heart rate when fresh (added by the api from `athleteLiveHeartRate`; never stored with the station). */
  heartRate: LiveHeartRate.optional(),
});
export type LiveStation = z.infer<typeof LiveStation>;

/** What the console receives over Server-Sent Events (from the Redis channel `liveChannel`). */
export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('station'), station: LiveStation }),
  z.object({ type: z.literal('alert'), alert: AlertMessage }),
]);
export type LiveEvent = z.infer<typeof LiveEvent>;

/** Names that cross process boundaries: topics, queues, measurements. Change them only with a migration. */

export const TOPIC_ROOT = 'gym';
export const PROTOCOL_VERSION = 1;
/** v1 channels, then the v1.1 wearable channels (`imu`, `hr`). */
export const CHANNELS = ['rep', 'samples', 'set', 'status', 'imu', 'hr'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What the ingest service subscribes to: everything under `gym/v1/`, so a message on a malformed
 * topic (a level missing or extra) is dead-lettered as `bad_topic` instead of reaching nobody. The
 * pipeline's own output on it (alerts) is acknowledged and skipped.
 */
export const DEVICE_TOPIC_FILTER = 'gym/v1/#';

const PIPELINE_OUTPUT = /^gym\/v1\/[^/]+\/alerts$/;

/** A topic the pipeline itself publishes on (`gym/v1/{gymId}/alerts`): not device input. */
export function isPipelineOutputTopic(topic: string): boolean {
  return PIPELINE_OUTPUT.test(topic);
}

/** The MQTT 5 shared-subscription form used when several ingest instances share the stream. */
export function sharedTopicFilter(group: string): string {
  return `$share/${group}/${DEVICE_TOPIC_FILTER}`;
}

export function deviceTopic(gymId: string, stationId: string, channel: Channel): string {
  return `gym/v1/${gymId}/${stationId}/${channel}`;
}

/** Where coach alerts are published (alerts service). */
export function alertsTopic(gymId: string): string {
  return `gym/v1/${gymId}/alerts`;
}

/** BullMQ queue names. */
export const QUEUES = {
  /** Micro-batches of validated reps: rep points and open-set bookkeeping. */
  reps: 'reps',
  /** One job per closed set (deterministic id): set metrics. */
  sets: 'sets',
  /** Validated raw sample blocks (`samples` and `imu`) awaiting rep segmentation. */
  samples: 'samples',
  /** Heart-rate blocks: points, the athlete's per-minute aerobic terms, the sets they overlap. */
  heartRate: 'heart-rate',
  /** Triggers for the alert rules (reps stored, set closed, session ended, station status, daily run). */
  alertChecks: 'alert-checks',
  /** One job per alert to deliver (job id = alert id). */
  alerts: 'alerts',
  /** Webhook POSTs of alerts, retried with backoff. */
  webhooks: 'webhooks',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** InfluxDB measurement names; dashboards and alerts depend on them. */
export const MEASUREMENTS = {
  rep: 'rep',
  set: 'set',
  /** Session NSI after every set (model). */
  stimulus: 'neurotrophic_stimulus',
  /** Daily load and exposure EWMAs per athlete and day (model). */
  exposure: 'neurotrophic_exposure',
  /** Acute-window curve at 1-minute steps after each set (model). */
  acute: 'neurotrophic_acute',
  /** Heart rate of an athlete, one point a second (v1.1 `hr`); `rmssd_ms` on a block's first point. */
  heartRate: 'heart_rate',
  /** Coach alerts (Grafana annotations). */
  alert: 'alert',
} as const;

import { cooldownMs, gymSettingsFor, type AlertConfig } from '@neurolift/alerts';
import { alertsTopic, type AlertMessage, type AlertRule } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import type { PointSink } from '@neurolift/storage';
import { alertLine } from './alert-line.js';
import type { AlertPublisher, AlertQueues, DeliveryChannel, DeliveryLedger, LiveBoard } from './ports.js';

export interface DeliveryDeps {
  readonly ledger: DeliveryLedger;
  readonly publisher: AlertPublisher;
  readonly live: LiveBoard;
  readonly sink: PointSink;
  /** The TSDB bucket of the gym's tenant: where the alert's point goes. */
  readonly bucketOfGym: (gymId: string) => string;
  readonly queues: Pick<AlertQueues, 'webhook'>;
  readonly config: AlertConfig;
  readonly clock: () => number;
  /** Alerts about the moment (in-set, station) older than this are recorded but not pushed, ms. */
  readonly pushMaxAgeMs: number;
}

export type DeliveryOutcome = 'delivered' | 'recorded_stale' | 'cooldown';

/** Rules about what is happening on the floor now: pushing them late would only distract. */
const MOMENT_RULES: ReadonlySet<AlertRule> = new Set(['near_failure', 'partial_rep', 'high_fatigue', 'station_offline']);

/**
 * A TSDB that asks to wait must not pause the whole alerts queue (the other alerts' MQTT pushes would
 * wait too): its Retry-After becomes this job's own backoff.
 */
function withoutQueuePause(error: unknown): Error {
  if (error instanceof PipelineError && error.retryAfterMs !== undefined) return new PipelineError(error.code, error.message, error.retryable);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Delivers one alert to each channel once, however often its job runs: the ledger records each channel
 * as it succeeds and a retry skips those. Channels are independent: each is tried on every run, so a
 * broker outage does not hold back the console, the webhook or the TSDB, and the first failure is
 * rethrown at the end for BullMQ to retry. Only a crash between a channel's success and its ledger
 * write delivers twice (at least once). Alerts about the moment that are older than pushMaxAgeMs
 * (an outage, a late upload) go to the console and the TSDB only.
 */
export async function deliverAlert(alert: AlertMessage, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const claim = await deps.ledger.claim(alert, cooldownMs(deps.config, alert.rule), deps.clock());
  if (claim === 'cooldown') return 'cooldown';
  const done = await deps.ledger.delivered(alert.id);
  const stale = MOMENT_RULES.has(alert.rule) && deps.clock() - alert.ts > deps.pushMaxAgeMs;
  const webhook = gymSettingsFor(deps.config, alert.gymId).webhook;
  const channels: Array<[DeliveryChannel, () => Promise<void>]> = [
    ['live', () => deps.live.pushAlert(alert)],
    ['tsdb', () => deps.sink.write([alertLine(alert)], deps.bucketOfGym(alert.gymId))],
  ];
  if (!stale) {
    channels.unshift(['mqtt', () => deps.publisher.publish(alertsTopic(alert.gymId), JSON.stringify(alert))]);
    if (webhook) channels.splice(1, 0, ['webhook', () => deps.queues.webhook(alert)]);
  }
  let failure: Error | undefined;
  for (const [channel, deliver] of channels) {
    if (done.has(channel)) continue;
    try {
      await deliver();
      await deps.ledger.mark(alert.id, channel);
    } catch (error) {
      failure ??= withoutQueuePause(error);
    }
  }
  if (failure !== undefined) throw failure;
  return stale ? 'recorded_stale' : 'delivered';
}

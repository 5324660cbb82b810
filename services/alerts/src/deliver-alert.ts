import { cooldownMs, gymSettingsFor, type AlertConfig } from '@neurolift/alerts';
import { alertsTopic, type AlertMessage } from '@neurolift/contracts';
import type { PointSink } from '@neurolift/storage';
import { alertLine } from './alert-line.js';
import type { AlertPublisher, AlertQueues, DeliveryLedger, LiveBoard } from './ports.js';

export interface DeliveryDeps {
  readonly ledger: DeliveryLedger;
  readonly publisher: AlertPublisher;
  readonly live: LiveBoard;
  readonly sink: PointSink;
  readonly queues: Pick<AlertQueues, 'webhook'>;
  readonly config: AlertConfig;
  readonly clock: () => number;
}

export type DeliveryOutcome = 'delivered' | 'cooldown';

/**
 * Delivers one alert to each channel once, however often its job runs: the ledger records each channel
 * as it succeeds and a retry skips those. MQTT goes first, so a coach hears of it even while the TSDB is
 * down; the webhook is its own job (retried with backoff, dead-lettered when it keeps failing). Only a
 * crash between the broker's PUBACK and the ledger's write can publish an alert twice (at least once).
 */
export async function deliverAlert(alert: AlertMessage, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const claim = await deps.ledger.claim(alert, cooldownMs(deps.config, alert.rule), deps.clock());
  if (claim === 'cooldown') return 'cooldown';
  const done = await deps.ledger.delivered(alert.id);
  const once = async (channel: 'mqtt' | 'live' | 'tsdb' | 'webhook', deliver: () => Promise<void>) => {
    if (done.has(channel)) return;
    await deliver();
    await deps.ledger.mark(alert.id, channel);
  };
  await once('mqtt', () => deps.publisher.publish(alertsTopic(alert.gymId), JSON.stringify(alert)));
  await once('live', () => deps.live.pushAlert(alert));
  await once('tsdb', () => deps.sink.write([alertLine(alert)]));
  if (gymSettingsFor(deps.config, alert.gymId).webhook) await once('webhook', () => deps.queues.webhook(alert));
  return 'delivered';
}

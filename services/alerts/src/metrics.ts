import { Counter, Gauge, type Registry } from '@neurolift/platform';

/** Prometheus metrics of the alerts service. */
export function createAlertsMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'neurolift_alerts_jobs_total',
      help: 'Alert jobs finished, by queue and outcome (completed, retry, dead_lettered)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    received: new Counter({
      name: 'neurolift_alerts_jobs_received_total',
      help: 'Jobs started for the first time, by queue (received = completed + dead-lettered + in flight)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'neurolift_alerts_jobs_in_flight',
      help: 'Jobs started and not yet completed or dead-lettered (retries included), by queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'neurolift_alerts_errors_total',
      help: 'Alert job failures with a known cause, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'neurolift_alerts_total',
      help: 'Alerts by rule, severity and outcome (delivered; recorded_stale: too old to push, console and TSDB only; cooldown: dropped within the rule cooldown)',
      labelNames: ['rule', 'severity', 'outcome'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'neurolift_alerts_webhooks_total',
      help: 'Webhook POSTs by outcome (delivered, failed: will retry or dead-letter)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}
export type AlertsMetrics = ReturnType<typeof createAlertsMetrics>;

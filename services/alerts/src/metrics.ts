import { Counter, type Registry } from '@neurolift/platform';

/** Prometheus metrics of the alerts service. */
export function createAlertsMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'neurolift_alerts_jobs_total',
      help: 'Alert jobs finished, by queue and outcome (completed, retry, dead_lettered)',
      labelNames: ['queue', 'outcome'] as const,
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

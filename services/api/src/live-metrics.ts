import { Counter, Gauge, type Registry } from '@neurolift/platform';

/** Prometheus metrics of the live console; `countClients` is read at each scrape. */
export function createLiveMetrics(registry: Registry, countClients: () => number) {
  return {
    clients: new Gauge({
      name: 'neurolift_api_live_clients',
      help: 'Open live console streams (Server-Sent Events), over all gyms',
      registers: [registry],
      collect() {
        this.set(countClients());
      },
    }),
    messages: new Counter({
      name: 'neurolift_api_live_messages_total',
      help: "Messages received on the gyms' live channels, by outcome (forwarded, not_json, invalid, wrong_gym)",
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    invalidState: new Counter({
      name: 'neurolift_api_live_state_invalid_total',
      help: 'Live state entries in Redis skipped because they fail their schema, by entry (station, alert)',
      labelNames: ['entry'] as const,
      registers: [registry],
    }),
  };
}
export type LiveMetrics = ReturnType<typeof createLiveMetrics>;

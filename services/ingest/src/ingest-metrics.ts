import { Counter, Gauge, Histogram, type Registry } from '@neurolift/platform';

/** Prometheus metrics of the ingest service. */
export function createIngestMetrics(registry: Registry) {
  return {
    received: new Counter({
      name: 'neurolift_ingest_messages_received_total',
      help: 'MQTT messages received, by channel (unknown when the topic was not valid)',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    stored: new Counter({
      name: 'neurolift_ingest_messages_stored_total',
      help: 'Valid messages durably handed to Redis and acknowledged, by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'neurolift_ingest_dead_letters_total',
      help: 'Messages rejected and kept in the dead-letter store, by reason and channel (received = stored + dead-lettered + in flight, per channel)',
      labelNames: ['reason', 'channel'] as const,
      registers: [registry],
    }),
    registryVersion: new Gauge({
      name: 'neurolift_ingest_registry_version',
      help: 'Version of the device registry ingest checks messages against (compare with the registry version in Redis)',
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'neurolift_ingest_in_flight_messages',
      help: 'Messages received and not yet acknowledged, by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'neurolift_ingest_batch_size',
      help: 'Messages per Redis round trip',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'neurolift_ingest_commit_seconds',
      help: "Duration of one commit to Redis: one shard's part of a micro-batch (the whole batch with one shard)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    commitFailures: new Counter({
      name: 'neurolift_ingest_commit_failures_total',
      help: 'Batch commits that failed and were retried',
      registers: [registry],
    }),
    replicaShortfalls: new Counter({
      name: 'neurolift_ingest_replica_wait_shortfalls_total',
      help: 'Commits after which fewer replicas than INGEST_REDIS_WAIT_REPLICAS acknowledged in time (each is retried, not acknowledged)',
      registers: [registry],
    }),
    setsClosed: new Counter({
      name: 'neurolift_ingest_sets_closed_total',
      help: 'Sets closed (end event, next set, idle timeout or late rep)',
      registers: [registry],
    }),
  };
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

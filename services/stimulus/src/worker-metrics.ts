import { Counter, Gauge, Histogram, type Registry } from '@neurolift/platform';

/** Prometheus metrics of the stimulus worker. */
export function createWorkerMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'neurolift_worker_jobs_total',
      help: 'Jobs finished, by queue and outcome (completed, retry, dead_lettered)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    pointsWritten: new Counter({
      name: 'neurolift_worker_points_written_total',
      help: 'Points written to the TSDB, by measurement',
      labelNames: ['measurement'] as const,
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'neurolift_worker_tsdb_write_seconds',
      help: 'Duration of a TSDB write (one job)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    sampleBlocks: new Counter({
      name: 'neurolift_worker_sample_blocks_total',
      help: 'Sample and imu blocks segmented, by channel and what the segmenter did with them (consumed, buffered, duplicate, late, rate_mismatch, invalid, after_finish, source_mismatch)',
      labelNames: ['disposition', 'channel'] as const,
      registers: [registry],
    }),
    heartRateBlocks: new Counter({
      name: 'neurolift_worker_heart_rate_blocks_total',
      help: 'Heart-rate (hr) blocks processed: points written, the athlete\'s heart rate stored, minutes and sets updated',
      registers: [registry],
    }),
    aerobicMinutes: new Counter({
      name: 'neurolift_worker_aerobic_minutes_total',
      help: 'Minutes of heart rate whose aerobic sum was stored or changed (model nsi-1.1), by what changed it (hr block, set)',
      labelNames: ['cause'] as const,
      registers: [registry],
    }),
    segmentedReps: new Counter({
      name: 'neurolift_worker_segmented_reps_total',
      help: 'Reps found in sample and imu blocks',
      registers: [registry],
    }),
    setJobsHeldBack: new Counter({
      name: 'neurolift_worker_set_jobs_held_back_total',
      help: 'Set jobs that waited the whole WORKER_SET_YIELD_MS for rep and samples jobs (a sustained burst)',
      registers: [registry],
    }),
    received: new Counter({
      name: 'neurolift_worker_jobs_received_total',
      help: 'Jobs started for the first time, by queue (received = completed + dead-lettered + in flight)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'neurolift_worker_jobs_in_flight',
      help: 'Jobs started and not yet completed or dead-lettered (retries included), by queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    athleteNotAllowed: new Counter({
      name: 'neurolift_worker_athlete_not_allowed_total',
      help: "Data refused because its athlete belongs to another tenant than its gym: set and heart-rate jobs (dead-lettered as athlete_not_allowed) and rep points (in their set's dead letter), by queue",
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'neurolift_worker_errors_total',
      help: 'Job failures with a known cause (TSDB unavailable, unreachable or rejecting; athlete busy), by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

import { ApiConfigSchema } from '@neurolift/api';
import { IngestConfigSchema } from '@neurolift/ingest';
import { WorkerConfigSchema } from '@neurolift/stimulus-worker';
import { AlertsConfigSchema } from '@neurolift/alerts-service';

/**
 * The all-in-one process reads the union of the four services' settings (shared names such as
 * REDIS_URL mean the same thing in each). Its /metrics is the api's, so the standalone METRICS_PORT
 * servers stay off.
 */
export const PipelineConfigSchema = IngestConfigSchema.extend(WorkerConfigSchema.shape).extend(AlertsConfigSchema.shape).extend(ApiConfigSchema.shape);

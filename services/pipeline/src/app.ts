import { startApi, type ApiService } from '@neurolift/api';
import { startAlerts, type AlertsService } from '@neurolift/alerts-service';
import { startIngest, type IngestService } from '@neurolift/ingest';
import { closeAll, createRegistry, once, type Logger, type Registry } from '@neurolift/platform';
import { startStimulusWorker, type StimulusWorker } from '@neurolift/stimulus-worker';
import type { z } from 'zod';
import type { PipelineConfigSchema } from './config.js';

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

export interface Pipeline {
  readonly apiUrl: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** Ingest, worker, alerts and api in one process, sharing one metrics registry (served by the api). */
export async function startPipeline(config: PipelineConfig, logger: Logger, registry: Registry = createRegistry()): Promise<Pipeline> {
  const started: Array<IngestService | StimulusWorker | AlertsService | ApiService> = [];
  try {
    const worker = await startStimulusWorker(config, logger.child({ service: 'stimulus' }), { registry });
    started.push(worker);
    const alerts = await startAlerts(config, logger.child({ service: 'alerts' }), { registry });
    started.push(alerts);
    const ingest = await startIngest(config, logger.child({ service: 'ingest' }), { registry });
    started.push(ingest);
    const api = await startApi(config, logger.child({ service: 'api' }), { registry, ready: () => ingest.ready() && worker.ready() && alerts.ready() });
    started.push(api);
    return {
      apiUrl: api.url,
      registry,
      // Reverse order of opening: the api, then intake, then the worker and alerts finish their jobs.
      close: once(() => closeAll([() => api.close(), () => ingest.close(), () => worker.close(), () => alerts.close()])),
    };
  } catch (error) {
    await closeAll(started.reverse().map((service) => () => service.close())).catch(() => undefined);
    throw error;
  }
}

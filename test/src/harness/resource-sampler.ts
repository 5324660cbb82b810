// Samples a service's resident memory and one gauge of its /metrics at a fixed period, so a fault test can
// assert bounds over the whole fault rather than at one instant. Samples the process cannot answer (it is
// frozen, restarting or dead) are skipped.
import { metricSum, residentBytes, type ServiceProcess } from './service-process.js';

export interface ResourceSample {
  readonly at: number;
  readonly rssBytes: number | undefined;
  readonly gauge: number | undefined;
}

export interface ResourcePeaks {
  readonly samples: number;
  readonly baselineRssBytes: number | undefined;
  readonly peakRssBytes: number | undefined;
  readonly peakGauge: number | undefined;
}

export interface ResourceSampler {
  /** Peaks over the samples taken from `since` (epoch ms; default all). */
  peaks(since?: number): ResourcePeaks;
  stop(): Promise<void>;
}

export function startResourceSampler(service: ServiceProcess, gauge: string, intervalMs = 200): ResourceSampler {
  const samples: ResourceSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const pid = service.pid;
      const [rss, text] = await Promise.all([
        pid === undefined ? undefined : residentBytes(pid).catch(() => undefined),
        service.metrics().catch(() => undefined),
      ]);
      const value = text === undefined ? undefined : metricSum(text, gauge);
      if (rss !== undefined || value !== undefined) samples.push({ at: Date.now(), rssBytes: rss, gauge: value });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  const max = (values: Array<number | undefined>) => values.reduce<number | undefined>((m, v) => (v === undefined ? m : Math.max(m ?? v, v)), undefined);
  return {
    peaks(since = 0) {
      const window = samples.filter((s) => s.at >= since);
      return {
        samples: window.length,
        baselineRssBytes: samples.find((s) => s.rssBytes !== undefined)?.rssBytes,
        peakRssBytes: max(window.map((s) => s.rssBytes)),
        peakGauge: max(window.map((s) => s.gauge)),
      };
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

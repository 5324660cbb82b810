// Watches the processes of a benchmark phase: peak RSS of each (VmRSS every 200 ms), and, for the pipeline's
// processes, their Prometheus /metrics once a second. Each scrape also reads the event-loop delay that
// prom-client's default metrics take from perf_hooks.monitorEventLoopDelay (neurolift_nodejs_eventloop_lag_*):
// prom-client resets that histogram at every scrape, so each scrape gives the maximum and p99 of the
// second before it. The histogram's values include its 10 ms sampling period (prom-client's default
// precision): a delay here is the value minus those 10 ms. The latest samples of each process are kept
// for the caller, which must not scrape those processes itself (its scrape would reset the histogram).
import { fetchMetrics, metric, type Sample } from './probes.js';
import { sampleRss } from './proc-stats.js';

/** prom-client's eventLoopMonitoringPrecision default: the period of the delay histogram's timer. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export interface WatchedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Where its /metrics answer; absent for processes without them (servers, the peer). */
  readonly metricsUrl?: string;
}

export interface ProcessFigures {
  readonly peakRssMb: number;
  /** Largest event-loop delay seen, ms (absent without /metrics). */
  readonly eventLoopMaxMs?: number;
  /** p99 of the event-loop delay in the worst one-second window, and the median over windows, ms. */
  readonly eventLoopP99WorstMs?: number;
  readonly eventLoopP99MedianMs?: number;
  /** Windows (scrapes) the figures come from. */
  readonly eventLoopWindows?: number;
  /** Which window (seconds from the start of the watch) held the largest delay. */
  readonly eventLoopWorstAtS?: number;
  /** Largest delay after the first WARM_UP_WINDOWS windows (fresh processes compile their code then), ms. */
  readonly eventLoopMaxAfterWarmUpMs?: number;
}

/** Windows at the start of a watch that eventLoopMaxAfterWarmUpMs leaves out. */
export const WARM_UP_WINDOWS = 10;

export interface ProcessWatch {
  /** The latest /metrics samples of every scraped process, concatenated (counters add up). */
  latest(): Sample[];
  stop(): Promise<Record<string, ProcessFigures>>;
}

const toDelayMs = (seconds: number) => Math.max(0, 1000 * seconds - EVENT_LOOP_RESOLUTION_MS);

export async function watchProcesses(processes: readonly WatchedProcess[], scrapeMs = 1000): Promise<ProcessWatch> {
  const scraped = processes.filter((p) => p.metricsUrl !== undefined);
  const latest = new Map<string, Sample[]>();
  const windows = new Map<string, Array<{ max: number; p99: number }>>(scraped.map((p) => [p.name, []]));
  const rss = processes.map((p) => sampleRss(p.pid ?? 0, 200));

  const scrape = async () => {
    await Promise.all(
      scraped.map(async (p) => {
        const samples = await fetchMetrics(p.metricsUrl as string).catch(() => undefined);
        if (samples === undefined) return;
        latest.set(p.name, samples);
        const max = metric(samples, 'neurolift_nodejs_eventloop_lag_max_seconds');
        const p99 = metric(samples, 'neurolift_nodejs_eventloop_lag_p99_seconds');
        if (max > 0) windows.get(p.name)?.push({ max: toDelayMs(max), p99: toDelayMs(p99) });
      }),
    );
    return [...latest.values()].flat();
  };

  await scrape(); // resets the histograms: start-up is not counted
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(scrape);
  }, scrapeMs);

  return {
    latest: () => [...latest.values()].flat(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await scrape();
      const peaks = rss.map((sampler) => sampler.stop());
      return Object.fromEntries(
        processes.map((p, i) => {
          const seen = windows.get(p.name) ?? [];
          const p99s = seen.map((w) => w.p99).sort((a, b) => a - b);
          const figures: ProcessFigures = {
            peakRssMb: (peaks[i] ?? 0) / 2 ** 20,
            ...(p.metricsUrl === undefined || seen.length === 0
              ? {}
              : {
                  eventLoopMaxMs: Math.max(...seen.map((w) => w.max)),
                  eventLoopP99WorstMs: p99s[p99s.length - 1] ?? 0,
                  eventLoopP99MedianMs: p99s[Math.floor(p99s.length / 2)] ?? 0,
                  eventLoopWindows: seen.length,
                  eventLoopWorstAtS: seen.reduce((worst, w, i) => (w.max > (seen[worst]?.max ?? -1) ? i : worst), 0) * (scrapeMs / 1000),
                  eventLoopMaxAfterWarmUpMs: Math.max(0, ...seen.slice(WARM_UP_WINDOWS).map((w) => w.max)),
                }),
          };
          return [p.name, figures];
        }),
      );
    },
  };
}

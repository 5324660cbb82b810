// VictoriaMetrics (stands in for InfluxDB): flags for exact, immediately visible test data; ready
// once GET /health answers 200.
import path from 'node:path';
import { BINARIES } from './packages.mjs';

/** True once GET /health answers 200. @param {number} port */
async function httpHealthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** @param {string} dir @param {number} port @returns {import('./process-handle.mjs').ServerSpec} */
export function victoriaMetricsSpec(dir, port) {
  const logFile = path.join(dir, 'victoria-metrics.log'); // it logs to stderr only
  return {
    name: 'victoria-metrics', bin: BINARIES['victoria-metrics'], url: `http://127.0.0.1:${port}`, logFile,
    async prepare() {
      return [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${path.join(dir, 'vm')}`,
        '-retentionPeriod=100y',
        '-search.latencyOffset=0s', // fresh points are visible to queries at once
        // A point re-written with the same series and timestamp is kept once (checked by the tests).
        '-dedup.minScrapeInterval=1ms',
        '-search.disableCache', // tests rewrite past points; never answer from a stale response cache
        '-loggerLevel=ERROR',
      ];
    },
    ready: () => httpHealthy(port),
  };
}

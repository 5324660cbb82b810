// InfluxDB 1.x (Debian's `influxdb`): the InfluxQL engine the Grafana dashboards' queries are tested
// against (InfluxDB 2.x answers InfluxQL through its 1.x compatibility API). A generated config keeps
// every file in the run folder and every listener on our ports; ready once GET /ping answers 204.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BINARIES } from './packages.mjs';

/** True once GET /ping answers 204 (the HTTP API is up and the meta store is open). @param {number} port */
async function pings(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

/**
 * @param {string} dir the run folder
 * @param {number} port the HTTP API
 * @param {number} rpcPort the backup/restore RPC listener: influxd always opens it (default 8088), so
 *   two runs on one machine would collide without a port of their own
 * @returns {import('./process-handle.mjs').ServerSpec}
 */
export function influxDbSpec(dir, port, rpcPort) {
  const dataDir = path.join(dir, 'influxdb');
  const logFile = path.join(dir, 'influxdb.log'); // it logs to stderr only
  const configFile = path.join(dir, 'influxdb.conf');
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${dataDir}/meta"`,
    '  logging-enabled = false',
    '[data]',
    `  dir = "${dataDir}/data"`,
    `  wal-dir = "${dataDir}/wal"`,
    '  query-log-enabled = false',
    '[monitor]',
    '  store-enabled = false', // no _internal database written every 10 s
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${port}"`,
    '  auth-enabled = false',
    '  log-enabled = false',
    '  pprof-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    // Listeners on fixed default ports; the defaults are off already, stated so no package default turns them on.
    '[[graphite]]',
    '  enabled = false',
    '[[udp]]',
    '  enabled = false',
    '[[collectd]]',
    '  enabled = false',
    '[[opentsdb]]',
    '  enabled = false',
  ].join('\n');
  return {
    name: 'influxdb', bin: BINARIES.influxdb, url: `http://127.0.0.1:${port}`, logFile,
    async prepare() {
      await mkdir(dataDir, { recursive: true });
      await writeFile(configFile, `${config}\n`);
      return ['run', '-config', configFile];
    },
    ready: () => pings(port),
  };
}

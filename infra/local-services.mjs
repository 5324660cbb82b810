#!/usr/bin/env node
// Starts real Mosquitto, Redis and VictoriaMetrics servers on free ports in a fresh temporary folder,
// for the integration tests and the demo; `node infra/local-services.mjs` runs them until Ctrl-C.
// InfluxDB 1.x (the InfluxQL engine for the dashboards' test) starts only when asked for by name.
// Plain Node.js (node:* only) so it runs before anything is built. Types: local-services.d.mts.
// The parts live in local-services/: packages (apt-get), ports, run-dir (folder, pid files, reaping),
// process-handle (one server process) and one module per server (config and readiness probe).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { influxDbSpec } from './local-services/influxdb.mjs';
import { mosquittoSpec } from './local-services/mosquitto.mjs';
import { BINARIES, ensurePackages } from './local-services/packages.mjs';
import { freePort } from './local-services/ports.mjs';
import { createHandle } from './local-services/process-handle.mjs';
import { redisSpec } from './local-services/redis.mjs';
import { closeRunDir, openRunDir } from './local-services/run-dir.mjs';
import { victoriaMetricsSpec } from './local-services/victoria-metrics.mjs';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { bootstrapFile } from './mosquitto/dynsec-init.mjs';

export { ensurePackages, freePort };

/** @typedef {'mosquitto' | 'redis' | 'victoria-metrics' | 'influxdb'} ServiceName */

/** @type {Record<ServiceName, keyof typeof BINARIES>} */
const PACKAGE_OF = { mosquitto: 'mosquitto', redis: 'redis-server', 'victoria-metrics': 'victoria-metrics', influxdb: 'influxdb' };
/** What the pipeline needs; InfluxDB 1.x is left out so that only the tests that query it install and start it. */
const DEFAULT_SERVICES = /** @type {ServiceName[]} */ (['mosquitto', 'redis', 'victoria-metrics']);

/**
 * Starts the requested servers (default: mosquitto, redis, victoria-metrics) in parallel.
 * @param {{ services?: readonly ServiceName[], dir?: string, mosquittoExtraConfig?: string, dynsec?: { file: string }, redisExtraArgs?: readonly string[], keepDir?: boolean }} [options]
 */
export async function startLocalServices(options = {}) {
  const services = options.services ?? DEFAULT_SERVICES;
  await ensurePackages(services.map((s) => PACKAGE_OF[s]));
  const dir = await openRunDir(options.dir);

  const handles = await Promise.all(services.map(async (service) => {
    const port = await freePort();
    switch (service) {
      case 'mosquitto': {
        const wsPort = await freePort();
        const handle = createHandle(mosquittoSpec(dir, port, wsPort, options.mosquittoExtraConfig ?? '', options.dynsec), port, dir);
        // MQTT over WebSockets on a second port: same broker, same users and ACL.
        return Object.assign(handle, { wsPort, wsUrl: `ws://127.0.0.1:${wsPort}` });
      }
      case 'redis': return createHandle(redisSpec(dir, port, options.redisExtraArgs ?? []), port, dir);
      case 'victoria-metrics': return createHandle(victoriaMetricsSpec(dir, port), port, dir);
      case 'influxdb': return createHandle(influxDbSpec(dir, port, await freePort()), port, dir);
      default: throw new Error(`unknown service ${String(service)}`);
    }
  }));
  const byName = (/** @type {ServiceName} */ name) => handles.find((h) => h.name === name);
  const mosquitto = byName('mosquitto');
  const redis = byName('redis');
  const victoriaMetrics = byName('victoria-metrics');
  const influxdb = byName('influxdb');

  async function stop() {
    await Promise.all(handles.map((h) => h.stop()));
    await closeRunDir(dir, options.keepDir);
  }

  const results = await Promise.allSettled(handles.map((h) => h.start()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }

  return {
    dir,
    ...(mosquitto && { mosquitto }),
    ...(redis && { redis }),
    ...(victoriaMetrics && { victoriaMetrics }),
    ...(influxdb && { influxdb }),
    env: {
      ...(mosquitto && { MQTT_URL: mosquitto.url }),
      ...(mosquitto && 'wsUrl' in mosquitto && { MQTT_WS_URL: mosquitto.wsUrl }),
      ...(redis && { REDIS_URL: redis.url }),
      ...(victoriaMetrics && { INFLUX_URL: victoriaMetrics.url }),
      // Its own name: INFLUX_URL is the 2.x write API the services use, which InfluxDB 1.6 does not have.
      ...(influxdb && { INFLUXDB1_URL: influxdb.url }),
      INFLUX_TOKEN: 'local', // VictoriaMetrics ignores the token, org and bucket
      INFLUX_ORG: 'neurolift',
      INFLUX_BUCKET: 'telemetry',
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

async function main() {
  if (process.argv.includes('--install-only')) {
    await ensurePackages(Object.keys(BINARIES));
    return;
  }
  // --dynsec: the broker as in production (the dynamic security plugin, no anonymous clients), with
  // generated passwords for the registry's admin and the pipeline's users, printed as their settings.
  const dynsec = process.argv.includes('--dynsec');
  const dir = dynsec ? await openRunDir() : undefined;
  /** @type {Record<string, string>} */
  let brokerEnv = {};
  if (dir !== undefined) {
    const passwords = { admin: randomBytes(18).toString('hex'), ingest: randomBytes(18).toString('hex'), alerts: randomBytes(18).toString('hex') };
    await writeFile(path.join(dir, 'dynamic-security.json'), `${JSON.stringify(bootstrapFile(passwords), null, 2)}\n`, { mode: 0o600 });
    brokerEnv = {
      MQTT_USERNAME: 'neurolift.ingest', MQTT_PASSWORD: passwords.ingest, INGEST_MQTT_PASSWORD: passwords.ingest,
      ALERTS_MQTT_USERNAME: 'neurolift.alerts', ALERTS_MQTT_PASSWORD: passwords.alerts,
      BROKER_ADMIN_USERNAME: 'neurolift.admin', BROKER_ADMIN_PASSWORD: passwords.admin, DEVICE_REGISTRY: 'enforce',
    };
  }
  const local = await startLocalServices(dir === undefined ? {} : { dir, dynsec: { file: path.join(dir, 'dynamic-security.json') } });
  if (dynsec && local.env.MQTT_URL !== undefined) brokerEnv.BROKER_ADMIN_URL = local.env.MQTT_URL;
  for (const [key, value] of Object.entries({ ...local.env, ...brokerEnv })) console.log(`export ${key}=${value}`);
  const servers = [local.mosquitto, local.redis, local.victoriaMetrics, local.influxdb].filter((h) => h !== undefined);
  console.error(`[local-services] ${servers.map((h) => `${h.name} ${h.url}`).join(', ')} in ${local.dir}; Ctrl-C stops`);

  const keepAlive = setInterval(() => {}, 1 << 30); // signal listeners alone don't keep Node running
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await local.stop();
  console.error('[local-services] stopped');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

// The stage every fault test runs on: real Mosquitto, VictoriaMetrics and a password-protected Redis (as
// production runs it), the recording proxy in front of the TSDB with a fault proxy per writer, the four
// services as child processes (ingest, one or more stimulus workers, alerts, api), a device, a coach app
// listening for alerts, and a sampler of ingest's memory and in-flight gauge.
import { QUEUES } from '@neurolift/contracts';
import { Queue } from 'bullmq';
import type { MqttClient } from 'mqtt';
import { freePort } from '../../../infra/local-services.mjs';
import { startAlertListener, type AlertListener } from '../harness/alert-listener.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { connectDevice, pipelineEnv } from '../harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from '../harness/recording-proxy.js';
import { createRedisServer, type RedisServer } from '../harness/redis-server.js';
import { startResourceSampler, type ResourceSampler } from '../harness/resource-sampler.js';
import { startServers, type LocalServices } from '../harness/servers.js';
import { createServiceProcess, type ServiceProcess } from '../harness/service-process.js';

export const REDIS_PASSWORD = 'fault-matrix-password-0123456789';
/** Unacknowledged messages ingest may hold; small, so that a stalled commit reaches it within seconds. */
export const INGEST_MAX_IN_FLIGHT = 100;
export const IN_FLIGHT_GAUGE = 'neurolift_ingest_in_flight_messages';

export interface FaultEnvOptions {
  /** Unique per file: MQTT client ids are derived from it. */
  readonly name: string;
  readonly workers?: number;
  /** Extra environment for every service. */
  readonly env?: Record<string, string>;
  readonly mosquittoExtraConfig?: string;
}

export interface FaultEnv {
  readonly servers: LocalServices<'mosquitto' | 'victoria-metrics'>;
  readonly redis: RedisServer;
  /** Records every accepted write (checker input) and answers with injected statuses. */
  readonly tsdb: RecordingProxy;
  /** One per worker, then the alerts service's: latency, held writes, refused connections. */
  readonly workerProxies: readonly FaultProxy[];
  readonly alertsProxy: FaultProxy;
  readonly ingest: ServiceProcess;
  readonly workers: readonly ServiceProcess[];
  readonly alerts: ServiceProcess;
  readonly api: ServiceProcess;
  readonly device: MqttClient;
  readonly listener: AlertListener;
  readonly sampler: ResourceSampler;
  /** BullMQ handles on the pipeline's queues, for job counts and failed jobs. */
  readonly queues: Readonly<Record<'reps' | 'sets' | 'alerts' | 'alertChecks', Queue>>;
  /** Every service's log tail, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

async function service(name: string, script: string, env: Record<string, string>, portVar: 'METRICS_PORT' | 'API_PORT'): Promise<ServiceProcess> {
  const port = await freePort();
  const proc = createServiceProcess(name, script, { ...env, [portVar]: String(port) }, `http://127.0.0.1:${port}`);
  await proc.start();
  return proc;
}

export async function startFaultEnv(options: FaultEnvOptions): Promise<FaultEnv> {
  const servers = await startServers({ services: ['mosquitto', 'victoria-metrics'], ...(options.mosquittoExtraConfig ? { mosquittoExtraConfig: options.mosquittoExtraConfig } : {}) });
  const redis = await createRedisServer({ dir: servers.dir, password: REDIS_PASSWORD });
  await redis.start();
  const tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  const workerProxies = await Promise.all(Array.from({ length: options.workers ?? 1 }, () => startFaultProxy(tsdb.url)));
  const alertsProxy = await startFaultProxy(tsdb.url);
  const base = pipelineEnv({ ...servers.env, REDIS_URL: redis.url }, { API_HOST: '127.0.0.1', ...options.env });

  const ingest = await service('ingest', 'services/ingest/dist/main.js', { ...base, MQTT_CLIENT_ID: `${options.name}-ingest`, INGEST_MAX_IN_FLIGHT: String(INGEST_MAX_IN_FLIGHT) }, 'METRICS_PORT');
  const workers = await Promise.all(
    workerProxies.map((proxy, i) => service(`worker-${i}`, 'services/stimulus/dist/main.js', { ...base, INFLUX_URL: proxy.url }, 'METRICS_PORT')),
  );
  const alerts = await service('alerts', 'services/alerts/dist/main.js', { ...base, INFLUX_URL: alertsProxy.url, ALERTS_MQTT_CLIENT_ID: `${options.name}-alerts` }, 'METRICS_PORT');
  const api = await service('api', 'services/api/dist/main.js', base, 'API_PORT');

  const device = await connectDevice(servers.env.MQTT_URL, `${options.name}-device`);
  const listener = await startAlertListener(servers.env.MQTT_URL, `${options.name}-coach`);
  const sampler = startResourceSampler(ingest, IN_FLIGHT_GAUGE);
  const queue = (name: string) => {
    const handle = new Queue(name, { connection: { url: redis.url }, prefix: '{nl}' });
    // Refused connections while Redis is down are expected here; the probes retry.
    handle.on('error', () => undefined);
    return handle;
  };
  const queues = { reps: queue(QUEUES.reps), sets: queue(QUEUES.sets), alerts: queue(QUEUES.alerts), alertChecks: queue(QUEUES.alertChecks) };
  const processes = [ingest, ...workers, alerts, api];

  return {
    servers, redis, tsdb, workerProxies, alertsProxy, ingest, workers, alerts, api, device, listener, sampler, queues,
    logs: () => processes.map((p) => `--- ${p.name}\n${p.logTail()}`).join('\n'),
    async stop() {
      await sampler.stop();
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      await device.endAsync(true).catch(() => undefined);
      await listener.close().catch(() => undefined);
      // Graceful shutdown is not what these tests are about, and a service waiting on a frozen
      // dependency would hold the teardown up.
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await Promise.all([...workerProxies, alertsProxy].map((p) => p.close()));
      await tsdb.close();
      await redis.stop();
      await servers.stop();
    },
  };
}

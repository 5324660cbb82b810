// Baseline phase: the same load to a bare MQTT.js subscriber on a fresh broker.
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVICE_TOPIC_FILTER } from '@neurolift/contracts';
import mqtt from 'mqtt';
import type { BenchOptions } from './args.js';
import { startBenchServers } from './bench-servers.js';
import { until } from './probes.js';
import { cpuPerMessage, cpuSnapshot } from './proc-stats.js';
import { startPublishers, type Publishers } from './workload.js';

export interface BaselineResult {
  readonly msgPerS: number;
  readonly received: number;
  readonly loss: number;
  readonly seconds: number;
  /** CPU µs per message: mosquitto, loadgen (this process: publishers + subscriber), other (rest of the machine). */
  readonly cpuUs: Record<string, number>;
  readonly busyPct: number;
  readonly error?: string;
}

export async function runBaseline(run: number, options: BenchOptions): Promise<BaselineResult> {
  const N = options.messages;
  const servers = await startBenchServers(['mosquitto']);
  let subscriber: mqtt.MqttClient | undefined;
  let publishers: Publishers | undefined;
  try {
    subscriber = await mqtt.connectAsync(servers.env.MQTT_URL, { clientId: `bench-baseline-sub-${run}`, protocolVersion: 5 });
    await subscriber.subscribeAsync(DEVICE_TOPIC_FILTER, { qos: 1 });
    let received = 0;
    let parsedV1 = 0;
    let lastAt = 0;
    subscriber.on('message', (_topic, payload) => {
      const body = JSON.parse(payload.toString()) as { v?: unknown };
      if (body.v === 1) parsedV1++;
      received++;
      lastAt = performance.now();
    });
    publishers = await startPublishers(servers.env.MQTT_URL, options, `baseline-${run}`);
    await sleep(300);
    const pids = { mosquitto: servers.mosquitto.pid, loadgen: process.pid };
    const before = cpuSnapshot(pids);
    const t0 = publishers.go();
    let error: string | undefined;
    try {
      await until('all messages at the subscriber', () => Promise.resolve(received >= N ? true : undefined), () => received);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const after = cpuSnapshot(pids);
    const done = await Promise.race([publishers.done, sleep(10_000).then(() => undefined)]);
    if (done && done.failed > 0) error ??= `${done.failed} publishes failed: ${done.errors.join('; ')}`;
    if (parsedV1 !== received) error ??= `${received - parsedV1} payloads did not parse as rep v1`;
    const seconds = (lastAt - t0) / 1000;
    const { perMsgUs, busyPct } = cpuPerMessage(before, after, N);
    return {
      msgPerS: received > 0 ? received / seconds : 0,
      received,
      loss: N - Math.min(received, N),
      seconds,
      cpuUs: perMsgUs,
      busyPct,
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await publishers?.terminate();
    await subscriber?.endAsync(true).catch(() => undefined);
    await servers.stop();
  }
}

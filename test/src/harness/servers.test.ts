// The harness itself: the three real servers start, answer, keep their port and data across
// restarts, and can be frozen. VictoriaMetrics must store a re-written point once (dedup).
import net from 'node:net';
import mqtt from 'mqtt';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { exportSeries, startServers, waitFor, type LocalServices } from './servers.js';

/** Sends one Redis command over raw RESP and returns the first reply line (e.g. "+PONG", "$3"). */
function redis(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`redis ${args.join(' ')}: no answer in ${timeoutMs}ms`));
    });
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // A bulk string ($n) has its value on the next line; everything else is one line.
      const lines = reply.split('\r\n');
      const first = lines[0] ?? '';
      if (lines.length > 1 && (!first.startsWith('$') || first === '$-1' || lines.length > 2)) {
        socket.destroy();
        resolve(first.startsWith('$') && first !== '$-1' ? (lines[1] ?? '') : first);
      }
    });
    socket.on('error', reject);
  });
}

async function writeLine(influxUrl: string, line: string): Promise<void> {
  const res = await fetch(new URL('/api/v2/write?org=neurolift&bucket=telemetry&precision=ms', influxUrl), { method: 'POST', body: line });
  expect(res.status).toBe(204);
}

describe('local servers harness', () => {
  let servers: LocalServices;

  beforeAll(async () => {
    servers = await startServers();
  });

  afterAll(async () => {
    await servers?.stop();
  });

  it('exposes the env for the services', () => {
    expect(servers.env).toEqual({
      MQTT_URL: `mqtt://127.0.0.1:${servers.mosquitto.port}`,
      MQTT_WS_URL: `ws://127.0.0.1:${servers.mosquitto.wsPort}`,
      REDIS_URL: `redis://127.0.0.1:${servers.redis.port}`,
      INFLUX_URL: `http://127.0.0.1:${servers.victoriaMetrics.port}`,
      INFLUX_TOKEN: 'local',
      INFLUX_ORG: 'neurolift',
      INFLUX_BUCKET: 'telemetry',
    });
  });

  it('Redis answers PING and keeps data across a restart (AOF)', async () => {
    const { port } = servers.redis;
    expect(await redis(port, ['PING'])).toBe('+PONG');
    expect(await redis(port, ['SET', 'harness:key', 'survives'])).toBe('+OK');
    const pid = servers.redis.pid;

    await servers.redis.restart();

    expect(servers.redis.port).toBe(port);
    expect(servers.redis.pid).not.toBe(pid);
    expect(await redis(port, ['GET', 'harness:key'])).toBe('survives');
  });

  it('Redis does not answer while paused and answers after resume', async () => {
    const { port } = servers.redis;
    servers.redis.pause();
    try {
      await expect(redis(port, ['PING'], 500)).rejects.toThrow(/no answer/);
    } finally {
      servers.redis.resume();
    }
    expect(await redis(port, ['PING'])).toBe('+PONG');
  });

  it('Mosquitto accepts MQTT clients and keeps retained messages across a restart', async () => {
    const url = servers.env.MQTT_URL;
    const publisher = await mqtt.connectAsync(url);
    await publisher.publishAsync('harness/retained', 'kept', { qos: 1, retain: true });
    await publisher.endAsync();
    const { port } = servers.mosquitto;

    await servers.mosquitto.restart();
    expect(servers.mosquitto.port).toBe(port);

    const subscriber = await mqtt.connectAsync(url);
    try {
      const received = new Promise<string>((resolve) => subscriber.on('message', (_topic, payload) => resolve(payload.toString())));
      await subscriber.subscribeAsync('harness/retained', { qos: 1 });
      expect(await received).toBe('kept');
    } finally {
      await subscriber.endAsync();
    }
  });

  it('Mosquitto accepts MQTT over WebSockets, on the same broker as TCP, also after a restart', async () => {
    expect(servers.mosquitto.wsUrl).toBe(servers.env.MQTT_WS_URL);
    expect(servers.mosquitto.wsPort).not.toBe(servers.mosquitto.port);
    const { wsPort } = servers.mosquitto;
    await servers.mosquitto.restart();
    expect(servers.mosquitto.wsPort).toBe(wsPort);

    const subscriber = await mqtt.connectAsync(servers.env.MQTT_URL, { protocolVersion: 5 });
    // With and without a path: browsers' MQTT clients usually ask for /mqtt.
    const wsClients = await Promise.all([servers.env.MQTT_WS_URL, `${servers.env.MQTT_WS_URL}/mqtt`].map((url) => mqtt.connectAsync(url, { protocolVersion: 5 })));
    try {
      const received: string[] = [];
      const both = new Promise<void>((resolve) =>
        subscriber.on('message', (_topic, payload) => {
          received.push(payload.toString());
          if (received.length === 2) resolve();
        }),
      );
      await subscriber.subscribeAsync('harness/ws/#', { qos: 1 });
      await Promise.all(wsClients.map((client, i) => client.publishAsync(`harness/ws/${i}`, `over ws ${i}`, { qos: 1 })));
      await both;
      expect(received.sort()).toEqual(['over ws 0', 'over ws 1']);
    } finally {
      await Promise.all([subscriber, ...wsClients].map((client) => client.endAsync()));
    }
  });

  it('VictoriaMetrics stores a point written twice once, and keeps it across a restart', async () => {
    const url = servers.env.INFLUX_URL;
    const ts = Date.now() - 60_000;
    const line = `harness_rep,gym=g1 mean_velocity=0.5 ${ts}`;
    await writeLine(url, line);
    await writeLine(url, line);

    const expected = [{ metric: { __name__: 'harness_rep_mean_velocity', gym: 'g1' }, values: [0.5], timestamps: [ts] }];
    expect(await exportSeries(url, '{__name__=~"harness_rep_.*"}')).toEqual(expected);

    const { port } = servers.victoriaMetrics;
    await servers.victoriaMetrics.restart();
    expect(servers.victoriaMetrics.port).toBe(port);
    expect(await exportSeries(url, '{__name__=~"harness_rep_.*"}')).toEqual(expected);
  });

  it('waitFor returns the first defined value and times out with a clear message', async () => {
    let calls = 0;
    expect(await waitFor(() => Promise.resolve(++calls >= 3 ? calls : undefined), { what: 'three calls', intervalMs: 1 })).toBe(3);
    await expect(waitFor(() => Promise.reject(new Error('refused')), { what: 'nothing', timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      'Timed out after 30ms waiting for nothing (last error: refused)',
    );
  });
});

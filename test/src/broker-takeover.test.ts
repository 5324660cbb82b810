// Session takeover when ingest reaches "another node", on real Mosquitto 2.0.11 (the only broker here).
//
// A broker cluster is stood in for by one Mosquitto with two MQTT listeners, node-1 and node-2, and a TCP
// load balancer in front of them (harness/mqtt-balancer.ts). Ingest runs as a real process whose
// MQTT_URL is the balancer's address, as a deployment behind an L4 balancer or a DNS name of the cluster
// would give it: each new connection goes to the node the balancer routes to at that moment. The device
// publishes straight to node-1.
//
// Mid-stream, right after ingest's keepalive PINGREQ has reached the broker, the balancer makes ingest's
// link to node-1 silent without closing it (a dead network path): nothing is forwarded either way, and
// the broker still holds the connection, which its keepalive (1.5 × 30 s) would drop only 45 s later.
// From then on the balancer routes new connections to node-2. Ingest's own keepalive notices within
// 15 s (no PINGRESP), and MQTT.js reconnects with the same client id through the balancer, so to node-2:
// the broker takes the session over (it closes the old connection; Mosquitto 2.0.11 sends no DISCONNECT
// 0x8E before it does) and resends what the old connection had unacknowledged.
//
// What is asserted: the takeover happened while the old connection was still open, the session was
// present and ingest did not subscribe again, every message the broker had sent on the old link without
// getting its PUBACK came back on the new link with DUP set and its packet id, before anything queued
// meanwhile, ingest acknowledged in delivery order on both links, and ingest never held more than its
// INGEST_MAX_IN_FLIGHT bound. Mosquitto 2.0.11 itself does not keep to the Receive Maximum ingest asks
// for once acknowledgements flow with a backlog queued, so the broker's peak of unacknowledged messages
// per link is logged, not asserted. Every rep the device got a PUBACK for is in the TSDB as exactly one
// point; some points are written twice, the same point each time (a rep stored before the link went
// silent comes back, because its PUBACK died with the link, and is stored again; its set then counts as
// out of order and the set job writes the set's rep points again). The second test does this to one of
// two ingest instances in one shared group and checks that both keep receiving their share.
//
// What this does not show about a real cluster: there is one broker process, so the session and its
// queue never move between machines, the node a message was published on is the node that queues it,
// and the shared group's choice of member is Mosquitto's. docs/scaling.md lists what to check on a cluster.
import { readFile } from 'node:fs/promises';
import { createLogger, createRegistry, loadConfig } from '@neurolift/platform';
import { WorkerConfigSchema, startStimulusWorker, type StimulusWorker } from '@neurolift/stimulus-worker';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../infra/local-services.mjs';
import { checkQueue, repMessageId, repPoint, type PublishedMessage } from './harness/checker.js';
import { startMqttBalancer, summarizeLink, type LinkSummary, type MqttBalancer, type MqttLink, type MqttNode } from './harness/mqtt-balancer.js';
import { connectDevice, pipelineEnv } from './harness/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './harness/recording-proxy.js';
import { startResourceSampler, type ResourceSampler } from './harness/resource-sampler.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';
import { createServiceProcess, type ServiceProcess } from './harness/service-process.js';

/** Unacknowledged messages ingest holds; it asks the broker (Receive Maximum) for one fewer. */
const INGEST_MAX_IN_FLIGHT = 50;
const IN_FLIGHT_GAUGE = 'neurolift_ingest_in_flight_messages';
const STATIONS = 4;
const REPS_PER_SET = 10;
/** Device messages a second: enough that the old link has a full window in flight when it goes silent. */
const RATE = 50;
/** Messages published after the takeover before the stream stops. */
const AFTER_TAKEOVER = 200;
/** Upper bound on the stream: ingest's keepalive (≤ 30 s to its PINGREQ, 15 s more to notice) plus the tail. */
const MAX_MESSAGES = RATE * 120;

let servers: LocalServices;
let nodes: { one: MqttNode; two: MqttNode };
let tsdb: RecordingProxy;
let worker: StimulusWorker;
let device: MqttClient;
const balancers: MqttBalancer[] = [];
const ingests: Ingest[] = [];

beforeAll(async () => {
  const secondPort = await freePort();
  // node-2: a second MQTT listener of the same broker, as another node's address would be.
  servers = await startServers({ mosquittoExtraConfig: `listener ${secondPort} 127.0.0.1` });
  const mosquitto = servers.mosquitto;
  nodes = { one: { name: 'node-1', port: mosquitto.port }, two: { name: 'node-2', port: secondPort } };
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  const config = loadConfig('worker', WorkerConfigSchema, pipelineEnv({ ...servers.env, INFLUX_URL: tsdb.url }));
  worker = await startStimulusWorker(config, createLogger({ name: 'test', level: 'warn' }), { registry: createRegistry({ defaultMetrics: false }) });
  device = await connectDevice(servers.env.MQTT_URL, 'takeover-device');
});

afterAll(async () => {
  await Promise.all(ingests.map(async ({ process, sampler }) => {
    await sampler.stop();
    await process.kill('SIGKILL');
  }));
  await device?.endAsync(true);
  await worker?.close();
  await Promise.all(balancers.map((balancer) => balancer.close()));
  await tsdb?.close();
  await servers?.stop();
});

async function balancer(first: MqttNode): Promise<MqttBalancer> {
  const started = await startMqttBalancer(first);
  balancers.push(started);
  return started;
}

interface Ingest {
  readonly process: ServiceProcess;
  /** Samples its in-flight gauge (a message whose read is withheld counts: the bound plus one). */
  readonly sampler: ResourceSampler;
}

/** An ingest process whose broker address is the balancer's; resolves once it is ready and subscribed. */
async function startIngest(through: MqttBalancer, clientId: string, extra: Record<string, string> = {}): Promise<Ingest> {
  const port = await freePort();
  const env = pipelineEnv(servers.env, {
    MQTT_URL: through.url,
    MQTT_CLIENT_ID: clientId,
    METRICS_PORT: String(port),
    INGEST_MAX_IN_FLIGHT: String(INGEST_MAX_IN_FLIGHT),
    SET_IDLE_TIMEOUT_MS: '60000',
    LOG_LEVEL: 'info',
    ...extra,
  });
  const process = createServiceProcess(clientId, 'services/ingest/dist/main.js', env, `http://127.0.0.1:${port}`);
  await process.start();
  const ingest = { process, sampler: startResourceSampler(process, IN_FLIGHT_GAUGE, 100) };
  ingests.push(ingest);
  // Messages published before the SUBACK would not be routed to it.
  await waitFor(async () => (linkOf(through, clientId)?.packets.some((p) => p.packet.type === 'suback') ? true : undefined), { what: `${clientId} to be subscribed` });
  return ingest;
}

async function stopIngest(ingest: Ingest): Promise<void> {
  await ingest.sampler.stop();
  await ingest.process.kill('SIGTERM');
}

/** The latest link on which `clientId` connected. */
function linkOf(through: MqttBalancer, clientId: string): MqttLink | undefined {
  return through.links().findLast((link) => link.packets.some((p) => p.packet.type === 'connect' && p.packet.clientId === clientId));
}

function packetAt(link: MqttLink, type: 'connect' | 'connack'): { at: number; sessionPresent?: boolean; cleanStart?: boolean; clientId?: string } | undefined {
  const seen = link.packets.find((p) => p.packet.type === type);
  if (seen === undefined) return undefined;
  return { at: seen.at, ...(seen.packet as object) };
}

interface Message {
  readonly topic: string;
  readonly payload: string;
  readonly published: Omit<PublishedMessage, 'acked'>;
}

/** Rep `i` of the stream: the stations take turns, sets of REPS_PER_SET, device time 20 ms apart. */
function message(gym: string, t0: number, i: number): Message {
  const station = `${gym}-st-${i % STATIONS}`;
  const k = Math.floor(i / STATIONS);
  const setId = `set-${Math.floor(k / REPS_PER_SET)}`;
  const repIndex = (k % REPS_PER_SET) + 1;
  const ts = t0 + i * 20;
  const meanVelocity = Number((0.8 - 0.01 * (repIndex - 1)).toFixed(3));
  const body = { v: 1, athleteId: `ath-${station}`, exercise: 'back_squat', ts, setId, repIndex, loadKg: 100, meanVelocity };
  return {
    topic: `gym/v1/${gym}/${station}/rep`,
    payload: JSON.stringify(body),
    published: { id: repMessageId(gym, station, setId, repIndex, ts), expected: { set_id: setId, rep_index: repIndex, load_kg: 100, mean_velocity: meanVelocity } },
  };
}

interface Sent {
  readonly message: Message;
  readonly sentAt: number;
  ackedAt?: number;
}

/**
 * Publishes the gym's reps at RATE (at most 50 unacknowledged) until `stop()` says so, and resolves once
 * every publish has its PUBACK or failed. The pacing is the workload's; `stop` is checked before each.
 */
function publishUntil(gym: string, stop: (sent: readonly Sent[]) => boolean): { sent: Sent[]; done: Promise<void> } {
  const sent: Sent[] = [];
  const t0 = Date.now() - 10 * 60_000;
  const start = Date.now();
  const done = (async () => {
    const outstanding = new Set<Promise<void>>();
    for (let i = 0; i < MAX_MESSAGES && !stop(sent); i++) {
      while (outstanding.size >= 50) await Promise.race(outstanding);
      const due = start + (i * 1000) / RATE - Date.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      const record: Sent = { message: message(gym, t0, i), sentAt: Date.now() };
      sent.push(record);
      const publish = device.publishAsync(record.message.topic, record.message.payload, { qos: 1 }).then(
        () => {
          record.ackedAt = Date.now();
        },
        () => undefined,
      );
      outstanding.add(publish);
      void publish.finally(() => outstanding.delete(publish));
    }
    await Promise.all(outstanding);
  })();
  return { sent, done };
}

/**
 * Once the stream is under way, blackholes ingest's link right after its next PINGREQ has reached the
 * broker, and routes new connections to node-2. Resolves with the silenced link.
 */
function silenceAtNextPing(through: MqttBalancer, clientId: string, sent: readonly Sent[]): Promise<MqttLink> {
  return new Promise((resolve) => {
    const stop = through.onPacket((link, seen) => {
      if (seen.direction !== 'toBroker' || seen.packet.type !== 'pingreq' || sent.length < 100 || link !== linkOf(through, clientId)) return;
      link.blackhole();
      through.route(nodes.two);
      stop();
      resolve(link);
    });
  });
}

/** The rep points of the gym as the checker judges them against what the device got a PUBACK for. */
function verdict(gym: string, sent: readonly Sent[]) {
  const points = tsdb.points().filter((p) => p.measurement === 'rep' && p.tags.gym === gym);
  const result = checkQueue({
    published: sent.map((s) => ({ ...s.message.published, acked: s.ackedAt !== undefined })),
    points: points.map(repPoint),
    deadLettered: [],
  });
  const writes = new Map<string, number>();
  for (const point of points.map(repPoint)) if (point.messageId !== undefined) writes.set(point.messageId, (writes.get(point.messageId) ?? 0) + 1);
  return { result, writtenTwice: [...writes.values()].filter((n) => n > 1).length };
}

async function storedOnce(gym: string, sent: readonly Sent[]) {
  return waitFor(
    async () => {
      const v = verdict(gym, sent);
      return v.result.counts.lost === 0 ? v : undefined;
    },
    { what: `every acknowledged rep of ${gym} in the TSDB`, timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** PUBACKs go out in the order the PUBLISHes came in (MQTT-4.6.0-2): the acks are a prefix of the deliveries. */
function expectPubacksInOrder(summary: LinkSummary): void {
  expect(summary.pubackOrder).toEqual(summary.deliveredOrder.slice(0, summary.pubackOrder.length));
}

/**
 * The takeover as the two links saw it: the old connection still open when the new one connected, then
 * closed by the broker; the session present; no new SUBSCRIBE; the old link's unacknowledged messages
 * resent first, with DUP and their packet ids. Returns both links' summaries for further checks.
 */
async function expectTakeover(clientId: string, old: MqttLink, fresh: MqttLink) {
  const connect = packetAt(fresh, 'connect');
  const connack = packetAt(fresh, 'connack');
  expect(fresh.node).toBe('node-2');
  expect(connect).toMatchObject({ clientId, cleanStart: false });
  expect(connack).toMatchObject({ sessionPresent: true });
  // Ingest relies on the session's subscription: nothing to subscribe on the new node.
  expect(fresh.packets.filter((p) => p.packet.type === 'subscribe')).toEqual([]);

  // A takeover, not a resumption: the broker still held the old connection when the new one came.
  await waitFor(async () => old.brokerClosedAt, { what: 'the broker to close the old connection' });
  expect(old.brokerClosedAt).toBeGreaterThanOrEqual(connect?.at ?? Infinity);
  expect(old.clientClosedAt).toBeDefined(); // ingest's keepalive gave the link up by itself
  // Mosquitto 2.0.11 closes without a DISCONNECT; a broker that sends one must say "session taken over".
  const disconnects = old.packets.filter((p) => p.direction === 'toClient' && p.packet.type === 'disconnect');
  for (const d of disconnects) expect(d.packet).toMatchObject({ reasonCode: 0x8e });
  const log = await readFile(servers.mosquitto.logFile, 'utf8');
  expect(log).toContain(`Client ${clientId} already connected, closing old connection.`);
  expect(log).toContain(`on port ${nodes.two.port}.`);

  const before = summarizeLink(old);
  const after = summarizeLink(fresh);
  // The old window: sent by the broker, PUBACK never received (some reached ingest, some died on the link).
  expect(before.unacknowledged.length).toBeGreaterThan(0);
  const resent = after.deliveries.filter((d) => d.dup);
  expect(resent.map((d) => [d.packetId, d.payload])).toEqual(before.unacknowledged.map((d) => [d.packetId, d.payload]));
  // Resent before anything the session had queued meanwhile.
  expect(after.deliveries.slice(0, resent.length).every((d) => d.dup)).toBe(true);
  expectPubacksInOrder(before);
  expectPubacksInOrder(after);
  return { before, after, detectedAfterMs: (old.clientClosedAt ?? 0) - (old.blackholedAt ?? 0), takeoverAfterMs: (connect?.at ?? 0) - (old.blackholedAt ?? 0) };
}

it('ingest reconnecting to another node takes its session over: the unacknowledged window comes back (DUP), every acknowledged rep stored once', async () => {
  const gym = 'gym-takeover';
  const clientId = 'takeover-ingest';
  const lb = await balancer(nodes.one);
  const ingest = await startIngest(lb, clientId);
  const first = linkOf(lb, clientId) as MqttLink;

  const resumed: { at?: number } = {};
  const stream = publishUntil(gym, (sent) => resumed.at !== undefined && sent.filter((s) => s.sentAt > (resumed.at ?? 0)).length >= AFTER_TAKEOVER);
  const silenced = await silenceAtNextPing(lb, clientId, stream.sent);
  expect(silenced).toBe(first);
  const fresh = await waitFor(
    async () => {
      const link = linkOf(lb, clientId);
      return link !== first && link !== undefined && packetAt(link, 'connack') !== undefined ? link : undefined;
    },
    { what: 'ingest to reconnect through node-2', timeoutMs: 60_000, intervalMs: 100 },
  );
  resumed.at = packetAt(fresh, 'connack')?.at ?? Infinity;
  await stream.done;
  expect(stream.sent.length).toBeLessThan(MAX_MESSAGES);
  expect(stream.sent.every((s) => s.ackedAt !== undefined)).toBe(true);

  const takeover = await expectTakeover(clientId, first, fresh);
  const { result, writtenTwice } = await storedOnce(gym, stream.sent);
  expect({ lost: result.counts.lost, duplicated: result.examples.duplicated, altered: result.examples.altered, unexpected: result.examples.unexpected }).toEqual({
    lost: 0, duplicated: [], altered: [], unexpected: [],
  });
  expect(result.counts['stored-once']).toBe(stream.sent.length);
  // Ingest's own bound held whatever the broker sent (the withheld message counts: the bound plus one).
  const inFlight = ingest.sampler.peaks();
  expect(inFlight.samples).toBeGreaterThan(0);
  expect(inFlight.peakGauge).toBeLessThanOrEqual(INGEST_MAX_IN_FLIGHT + 1);
  console.log(
    `[broker-takeover] ${JSON.stringify({
      published: stream.sent.length,
      ingestPeakInFlight: inFlight.peakGauge,
      oldLinkUnacknowledged: takeover.before.unacknowledged.length,
      ofWhichReachedIngest: takeover.before.unacknowledged.filter((d) => d.forwarded).length,
      resentWithDup: takeover.after.deliveries.filter((d) => d.dup).length,
      brokerPeakUnacknowledged: { oldLink: takeover.before.maxOutstanding, newLink: takeover.after.maxOutstanding, receiveMaximum: INGEST_MAX_IN_FLIGHT - 1 },
      keepaliveNoticedAfterMs: takeover.detectedAfterMs,
      takeoverAfterMs: takeover.takeoverAfterMs,
      repsWrittenTwiceSamePoint: writtenTwice,
    })}`,
  );
  await stopIngest(ingest);
}, 150_000);

it('two ingest instances in one shared group: one is taken over on another node, both keep receiving their share', async () => {
  const gym = 'gym-takeover-shared';
  const [idA, idB] = ['takeover-share-a', 'takeover-share-b'];
  const lbA = await balancer(nodes.one);
  // B stays on node-1 throughout; its own balancer only lets the test see what it receives.
  const lbB = await balancer(nodes.one);
  const shared = { INGEST_SHARED_GROUP: 'takeover' };
  const [ingestA, ingestB] = await Promise.all([startIngest(lbA, idA, shared), startIngest(lbB, idB, shared)]);
  const firstA = linkOf(lbA, idA) as MqttLink;
  const linkB = linkOf(lbB, idB) as MqttLink;

  const resumed: { at?: number } = {};
  const stream = publishUntil(gym, (sent) => resumed.at !== undefined && sent.filter((s) => s.sentAt > (resumed.at ?? 0)).length >= AFTER_TAKEOVER);
  await silenceAtNextPing(lbA, idA, stream.sent);
  const freshA = await waitFor(
    async () => {
      const link = linkOf(lbA, idA);
      return link !== firstA && link !== undefined && packetAt(link, 'connack') !== undefined ? link : undefined;
    },
    { what: `${idA} to reconnect through node-2`, timeoutMs: 60_000, intervalMs: 100 },
  );
  const resumedAt = packetAt(freshA, 'connack')?.at ?? Infinity;
  resumed.at = resumedAt;
  await stream.done;
  expect(stream.sent.every((s) => s.ackedAt !== undefined)).toBe(true);

  const takeover = await expectTakeover(idA, firstA, freshA);
  const summaryB = summarizeLink(linkB);
  expectPubacksInOrder(summaryB);
  expect(linkB.brokerClosedAt).toBeUndefined();

  // Everything stored means everything delivered: now see who got what.
  const { result, writtenTwice } = await storedOnce(gym, stream.sent);
  expect({ lost: result.counts.lost, duplicated: result.examples.duplicated, altered: result.examples.altered, unexpected: result.examples.unexpected }).toEqual({
    lost: 0, duplicated: [], altered: [], unexpected: [],
  });
  expect(result.counts['stored-once']).toBe(stream.sent.length);

  // First deliveries only (A's resent window is the same messages again).
  const firstDeliveries = (summary: LinkSummary) => summary.deliveries.filter((d) => !d.dup).map((d) => d.payload);
  const toA = new Set([...firstDeliveries(summarizeLink(firstA)), ...firstDeliveries(takeover.after)]);
  const toB = new Set(firstDeliveries(summaryB));
  // Each message to exactly one member of the group.
  expect(stream.sent.filter((s) => toA.has(s.message.payload) === toB.has(s.message.payload)).map((s) => s.message.published.id)).toEqual([]);
  const share = (payloads: readonly string[], member: Set<string>) => payloads.filter((p) => member.has(p)).length;
  const afterTakeover = stream.sent.filter((s) => s.sentAt > resumedAt).map((s) => s.message.payload);
  const outage = stream.sent.filter((s) => s.sentAt > (firstA.blackholedAt ?? Infinity) && s.sentAt <= resumedAt).map((s) => s.message.payload);
  expect(afterTakeover.length).toBeGreaterThanOrEqual(AFTER_TAKEOVER);
  expect(share(afterTakeover, toA)).toBeGreaterThanOrEqual(afterTakeover.length * 0.2);
  expect(share(afterTakeover, toB)).toBeGreaterThanOrEqual(afterTakeover.length * 0.2);
  // While A's link was silent, B went on receiving.
  expect(share(outage, toB)).toBeGreaterThan(0);
  const inFlight = [ingestA, ingestB].map((ingest) => ingest.sampler.peaks());
  for (const peaks of inFlight) {
    expect(peaks.samples).toBeGreaterThan(0);
    expect(peaks.peakGauge).toBeLessThanOrEqual(INGEST_MAX_IN_FLIGHT + 1);
  }
  console.log(
    `[broker-takeover] ${JSON.stringify({
      shared: true,
      published: stream.sent.length,
      ingestPeakInFlight: inFlight.map((peaks) => peaks.peakGauge),
      brokerPeakUnacknowledged: { oldLinkA: takeover.before.maxOutstanding, newLinkA: takeover.after.maxOutstanding, linkB: summaryB.maxOutstanding },
      outage: { messages: outage.length, toB: share(outage, toB), heldForA: share(outage, toA) },
      afterTakeover: { messages: afterTakeover.length, toA: share(afterTakeover, toA), toB: share(afterTakeover, toB) },
      oldLinkUnacknowledged: takeover.before.unacknowledged.length,
      keepaliveNoticedAfterMs: takeover.detectedAfterMs,
      repsWrittenTwiceSamePoint: writtenTwice,
    })}`,
  );
  await Promise.all([stopIngest(ingestA), stopIngest(ingestB)]);
}, 150_000);

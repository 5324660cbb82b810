// The pipeline on a real Redis Cluster with replicas, as separate processes, for the shard tests (issue 16):
// 3 masters with one replica each (the harness's redis-cluster.ts), REDIS_SHARDS = 12, Mosquitto and
// VictoriaMetrics behind the recording proxy (checker input), and ingest, one stimulus worker and the alerts
// service as child processes with REDIS_CLUSTER=true. Plus what the tests read back from the cluster: where
// each shard sits, each master's keys by shard, every shard's queue counts and dead letters, and a device
// stream spread over many gyms.
import { DEFAULT_TENANT, QUEUES, shardLayout, type ShardLayout } from '@neurolift/contracts';
import { Queue, type JobType } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { freePort } from '../../../infra/local-services.mjs';
import { checkQueue, repPoint, setPoint, type CheckResult, type PublishedMessage } from './checker.js';
import { deadLetteredIds } from './dead-letter-ids.js';
import { buildStream, type StreamMessage, type StreamPlan } from './device-stream.js';
import { connectDevice, pipelineEnv, spawnNode, type RunningProcess } from './pipeline.js';
import { startRecordingProxy, type RecordedPoint, type RecordingProxy } from './recording-proxy.js';
import { startRedisCluster, type ClusterNode, type RedisCluster } from './redis-cluster.js';
import { startServers, waitFor, type LocalServices } from './servers.js';

export const SHARDS = 12;
export const LAYOUT: ShardLayout = shardLayout('{nl}', SHARDS);

export interface ClusterPipelineOptions {
  /** Unique per file: MQTT client ids are derived from it. */
  readonly name: string;
  /** Extra environment for ingest (INGEST_REDIS_WAIT_REPLICAS …). */
  readonly ingestEnv?: Record<string, string>;
  /** Extra environment for every service. */
  readonly env?: Record<string, string>;
  /** Extra environment for the worker and for the alerts service (e.g. DEBUG=ioredis:* to trace their clients). */
  readonly workerEnv?: Record<string, string>;
  readonly alertsEnv?: Record<string, string>;
  /** The node the services are given as REDIS_URL (index into cluster.ports; default 0). */
  readonly seedNode?: number;
}

export interface ClusterPipeline {
  readonly servers: LocalServices<'mosquitto' | 'victoria-metrics'>;
  readonly cluster: RedisCluster;
  readonly tsdb: RecordingProxy;
  readonly ingest: ClusterService;
  readonly worker: ClusterService;
  readonly alerts: ClusterService;
  readonly device: MqttClient;
  /** The test's own cluster client (every node as a startup node). */
  readonly client: Cluster;
  /** The environment the services share (REDIS_URL, REDIS_CLUSTER, REDIS_SHARDS …). */
  readonly env: Record<string, string>;
  readonly services: readonly ClusterService[];
  stop(): Promise<void>;
}

/** One service as a child process: its health URL, its whole output (not a tail), SIGKILL. */
export interface ClusterService {
  readonly name: string;
  readonly healthUrl: string;
  /** Everything it printed (JSON log lines at LOG_LEVEL), stdout then stderr. */
  output(): string;
  /** Its log lines at level warn (40) and above, parsed (other lines kept as text). */
  warnings(): Array<Record<string, unknown> | string>;
  kill(): Promise<void>;
  /** SIGKILL, then the same process again (same environment and port), resolved once ready. */
  restart(): Promise<void>;
}

async function service(name: string, script: string, env: Record<string, string>): Promise<ClusterService> {
  const port = await freePort();
  const healthUrl = `http://127.0.0.1:${port}`;
  let proc: RunningProcess | undefined;
  /** What earlier runs of it (before a restart) printed. */
  let earlier = '';
  const current = () => {
    const { stdout, stderr } = proc?.output() ?? { stdout: '', stderr: '' };
    return `${stdout}${stderr}`;
  };
  const output = () => `${earlier}${current()}`;
  const kill = async () => {
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill('SIGKILL');
    await proc.exit;
  };
  const start = async () => {
    if (proc) earlier += current();
    proc = spawnNode(script, { ...env, METRICS_PORT: String(port) });
    try {
      await waitFor(async () => ((await fetch(`${healthUrl}/readyz`)).ok ? true : undefined), { what: `${name} to be ready`, timeoutMs: 30_000, intervalMs: 100 });
    } catch (error) {
      await kill();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${current().slice(-4000)}`);
    }
  };
  await start();
  return {
    name,
    healthUrl,
    output,
    warnings: () =>
      output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line): Record<string, unknown> | string => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return line;
          }
        })
        // Plain lines too (a crash's stack), but not a DEBUG trace's (`<time> ioredis:…` and its continuations).
        .filter((entry) => (typeof entry === 'string' ? !/^(\s|[\]}]|\d{4}-\d\d-\d\dT\S+ \S+:)/.test(entry) : Number(entry.level) >= 40)),
    kill,
    async restart() {
      await kill();
      await start();
    },
  };
}

/** A log line in short: time, service, message, error type and message. */
export function shortLine(service: string, entry: Record<string, unknown> | string): string {
  if (typeof entry === 'string') return `${service}: ${entry.slice(0, 300)}`;
  const err = entry.err as { type?: string; message?: string } | undefined;
  const rest = Object.entries(entry)
    .filter(([key]) => !['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err'].includes(key))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  return `${new Date(Number(entry.time)).toISOString().slice(11, 23)} ${service} [${String(entry.level)}] ${String(entry.msg)}${err ? `: ${err.type ?? ''} ${err.message ?? ''}` : ''}${rest ? ` ${rest}` : ''}`;
}

/** Every service's warnings and errors from `since` (epoch ms), one short line each, repeats counted. */
export function warningSummary(services: readonly ClusterService[], since = 0): string[] {
  const counts = new Map<string, { first: string; last: number; n: number }>();
  for (const svc of services) {
    for (const entry of svc.warnings()) {
      if (typeof entry !== 'string' && Number(entry.time) < since) continue;
      const line = shortLine(svc.name, entry);
      const key = line.replace(/^\S+ /, '').slice(0, 200);
      const at = typeof entry === 'string' ? 0 : Number(entry.time);
      const seen = counts.get(key);
      if (seen) [seen.n, seen.last] = [seen.n + 1, at];
      else counts.set(key, { first: line, last: at, n: 1 });
    }
  }
  return [...counts.values()].map(({ first, last, n }) => (n > 1 ? `${first} (×${n}, last at ${new Date(last).toISOString().slice(11, 23)})` : first));
}

export async function startClusterPipeline(options: ClusterPipelineOptions): Promise<ClusterPipeline> {
  const [servers, cluster] = await Promise.all([
    startServers({ services: ['mosquitto', 'victoria-metrics'] }),
    startRedisCluster({ masters: 3, replicasPerMaster: 1 }),
  ]);
  const started: ClusterService[] = [];
  try {
    const tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
    const seed = cluster.ports[options.seedNode ?? 0] ?? cluster.ports[0];
    const env = pipelineEnv(
      { ...servers.env, REDIS_URL: `redis://127.0.0.1:${seed}`, INFLUX_URL: tsdb.url },
      { REDIS_CLUSTER: 'true', REDIS_SHARDS: String(SHARDS), ...options.env },
    );
    const ingest = await service('ingest', 'services/ingest/dist/main.js', { ...env, MQTT_CLIENT_ID: `${options.name}-ingest`, ...options.ingestEnv });
    started.push(ingest);
    const worker = await service('worker', 'services/stimulus/dist/main.js', { ...env, ...options.workerEnv });
    started.push(worker);
    const alerts = await service('alerts', 'services/alerts/dist/main.js', { ...env, ALERTS_MQTT_CLIENT_ID: `${options.name}-alerts`, ...options.alertsEnv });
    started.push(alerts);
    const device = await connectDevice(servers.env.MQTT_URL, `${options.name}-device`);
    const client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: null } });
    client.on('error', () => undefined); // a killed node's connection; commands are retried
    return {
      servers, cluster, tsdb, ingest, worker, alerts, device, client, env,
      services: started,
      async stop() {
        client.disconnect();
        await device.endAsync(true).catch(() => undefined);
        await Promise.all(started.map((p) => p.kill()));
        await tsdb.close();
        await cluster.stop();
        await servers.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.kill()));
    await cluster.stop();
    await servers.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------- devices

/**
 * `perShard` gyms of the default tenant in every shard (the first names `<stem>-<i>` that land there),
 * so that a stream over them writes to all of them.
 */
export function gymsInEveryShard(stem: string, perShard: number, layout: ShardLayout = LAYOUT): string[] {
  const byShard = Array.from({ length: layout.count }, () => [] as string[]);
  for (let i = 0; byShard.some((gyms) => gyms.length < perShard); i++) {
    const gym = `${stem}-${i}`;
    const list = byShard[layout.gymShard(DEFAULT_TENANT, gym)];
    if (list && list.length < perShard) list.push(gym);
  }
  return byShard.flat();
}

export interface GymsPlan {
  readonly gyms: readonly string[];
  readonly stations: number;
  readonly repsPerSet: number;
  /** Device time of every gym's first message, epoch ms. */
  readonly t0: number;
}

/**
 * Sets `fromSet` … `toSet − 1` of every station of every gym (device-stream's plan per gym, so ids,
 * payloads and expected values are the checker's), the gyms taking turns message by message. A second
 * stream with later sets continues the first one's stations and athletes, with later device times.
 */
export function gymsStream(plan: GymsPlan, fromSet: number, toSet: number): StreamMessage[] {
  const perGym = plan.gyms.map((gym) => {
    const gymPlan: StreamPlan = { gym, stations: plan.stations, sets: toSet, repsPerSet: plan.repsPerSet, grinding: { station: 0, set: toSet - 1 }, t0: plan.t0 };
    return buildStream(gymPlan).filter((m) => {
      const setId = (JSON.parse(m.payload) as { setId: string }).setId;
      return Number(setId.slice('set-'.length)) >= fromSet;
    });
  });
  const out: StreamMessage[] = [];
  for (let turn = 0; perGym.some((messages) => turn < messages.length); turn++) {
    for (const messages of perGym) {
      const message = messages[turn];
      if (message) out.push(message);
    }
  }
  return out;
}

/** The device time of each set's last rep, by athlete: where its session NSI point must be. */
export function expectedNsi(messages: readonly StreamMessage[], repsPerSet: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const message of messages) {
    if (!message.topic.endsWith('/rep')) continue;
    const rep = JSON.parse(message.payload) as { athleteId: string; repIndex: number; ts: number };
    if (rep.repIndex !== repsPerSet) continue;
    out.set(rep.athleteId, [...(out.get(rep.athleteId) ?? []), rep.ts].sort((a, b) => a - b));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- checks

export interface ClusterOutcome {
  readonly reps: CheckResult;
  readonly sets: CheckResult;
  /** Athletes whose session NSI points (distinct times) are not exactly their sets' last reps. */
  readonly nsiMismatches: string[];
  readonly deadLetters: number;
}

/** Every shard's dead letters (the default tenant's list), as the checker's ids. */
export async function readDeadLetters(client: Cluster, layout: ShardLayout = LAYOUT): Promise<{ ids: Set<string>; count: number }> {
  const lists = await Promise.all(Array.from({ length: layout.count }, (_, n) => client.lrange(layout.keys(n).deadLetters, 0, -1)));
  const items = lists.flat().map((text) => JSON.parse(text) as { topic: string; reason: string; payload: string });
  return { ids: deadLetteredIds(items).ids, count: items.length };
}

/** The checker's verdict on the messages of `gyms`, from the recorded TSDB writes and the dead letters. */
export async function checkGyms(pipeline: ClusterPipeline, published: readonly PublishedMessage[], nsi: ReadonlyMap<string, readonly number[]>, gyms: readonly string[]): Promise<ClusterOutcome> {
  const ours = new Set(gyms);
  const all = pipeline.tsdb.points();
  const points = all.filter((p) => p.tags.gym !== undefined && ours.has(p.tags.gym));
  const letters = await readDeadLetters(pipeline.client);
  const reps = checkQueue({ published: published.filter((m) => m.id.startsWith('rep/')), points: points.filter((p) => p.measurement === 'rep').map(repPoint), deadLettered: letters.ids });
  const sets = checkQueue({
    published: published.filter((m) => m.id.startsWith('set/')),
    points: points.filter((p) => p.measurement === 'set').map(setPoint),
    deadLettered: letters.ids,
    // Model terms of a set point are rewritten on purpose when an earlier set is computed after it.
    mutableFields: ['e1rm_kg', 'e1rm_source', 'rel_intensity', 'rir_last', 'impulse', 'lactate_increment', 'model'],
  });
  return { reps, sets, nsiMismatches: nsiMismatches(all, nsi), deadLetters: letters.count };
}

function nsiMismatches(points: readonly RecordedPoint[], expected: ReadonlyMap<string, readonly number[]>): string[] {
  const stored = new Map<string, Set<number>>();
  for (const point of points) {
    const athlete = point.tags.athlete;
    if (point.measurement !== 'neurotrophic_stimulus' || athlete === undefined || !expected.has(athlete)) continue;
    stored.set(athlete, (stored.get(athlete) ?? new Set()).add(point.ts));
  }
  const out: string[] = [];
  for (const [athlete, times] of expected) {
    const got = [...(stored.get(athlete) ?? [])].sort((a, b) => a - b);
    if (JSON.stringify(got) !== JSON.stringify(times)) out.push(`${athlete}: NSI at ${JSON.stringify(got)}, sets ended at ${JSON.stringify(times)}`);
  }
  return out;
}

/** Until every acknowledged message of `published()` is stored (or dead-lettered) and every NSI point is there. */
export async function awaitStored(pipeline: ClusterPipeline, published: () => readonly PublishedMessage[], nsi: ReadonlyMap<string, readonly number[]>, gyms: readonly string[], timeoutMs: number): Promise<ClusterOutcome> {
  return waitFor(
    async () => {
      const outcome = await checkGyms(pipeline, published(), nsi, gyms);
      return outcome.reps.counts.lost + outcome.sets.counts.lost === 0 && outcome.nsiMismatches.length === 0 ? outcome : undefined;
    },
    { what: 'every acknowledged message stored and every set NSI point written', timeoutMs, intervalMs: 500 },
  );
}

// ---------------------------------------------------------------------------------------------- queues

/** The queues a stream goes through, in every shard. */
const DRAINED_QUEUES = [QUEUES.reps, QUEUES.sets, QUEUES.alertChecks, QUEUES.alerts] as const;

export interface ShardQueues {
  /** Jobs waiting, running, delayed or prioritized, per `shard/queue/state` (only those with any). */
  pending(): Promise<Record<string, number>>;
  /** Failed jobs per `shard/queue/failed` (only those with any). */
  failed(): Promise<Record<string, number>>;
  /** The jobs of one shard's queue in `states`: id, name, state, attempts, timestamps. */
  jobs(shard: number, name: string, states: JobType[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** BullMQ handles on every shard's queues, on one cluster connection of the test's own. */
export function shardQueues(cluster: RedisCluster, layout: ShardLayout = LAYOUT): ShardQueues {
  const connection = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: null } });
  connection.on('error', () => undefined);
  const queues = layout.prefixes.flatMap((prefix, shard) =>
    DRAINED_QUEUES.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined);
      return { shard, name, queue };
    }),
  );
  const counts = async (states: (name: string) => JobType[]) => {
    const out: Record<string, number> = {};
    for (const { shard, name, queue } of queues) {
      const c = await queue.getJobCounts(...states(name));
      for (const [state, n] of Object.entries(c)) if (n > 0) out[`${shard}/${name}/${state}`] = n;
    }
    return out;
  };
  return {
    // A session-end check waits (delayed) for its session to end: only running and waiting checks count.
    pending: () => counts((name) => (name === QUEUES.alertChecks ? ['waiting', 'active', 'prioritized'] : ['waiting', 'active', 'delayed', 'prioritized'])),
    failed: () => counts(() => ['failed']),
    async jobs(shard, name, states) {
      const queue = queues.find((q) => q.shard === shard && q.name === name)?.queue;
      if (!queue) return [];
      const jobs = await queue.getJobs(states);
      return Promise.all(
        jobs.map(async (job) => ({ id: job.id, name: job.name, state: await job.getState(), attemptsMade: job.attemptsMade, timestamp: job.timestamp, processedOn: job.processedOn, delay: job.delay, failedReason: job.failedReason })),
      );
    },
    async close() {
      await Promise.all(queues.map(({ queue }) => queue.close().catch(() => undefined)));
      connection.disconnect();
    },
  };
}

/** Until no job of any shard waits, runs or is due for a retry. */
export async function awaitQueuesIdle(queues: ShardQueues, timeoutMs: number): Promise<void> {
  await waitFor(async () => (Object.keys(await queues.pending()).length === 0 ? true : undefined), { what: "every shard's queues to be idle", timeoutMs, intervalMs: 250 });
}

// ---------------------------------------------------------------------------------------------- placement

/** One plain connection to one node, closed after `work`. */
export async function onNode<T>(port: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await work(node);
  } finally {
    node.disconnect();
  }
}

export interface ShardPlace {
  readonly shard: number;
  readonly slot: number;
  readonly master: ClusterNode;
}

/** Each shard's slot and the master serving it. */
export async function shardPlaces(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<ShardPlace[]> {
  const out: ShardPlace[] = [];
  for (const [shard, prefix] of layout.prefixes.entries()) {
    const slot = await cluster.keySlot(prefix);
    out.push({ shard, slot, master: await cluster.masterOfSlot(slot) });
  }
  return out;
}

/** Shards per master port, every serving master listed. */
export async function shardsPerMaster(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<Map<number, number[]>> {
  const places = await shardPlaces(cluster, layout);
  const out = new Map<number, number[]>((await cluster.masters()).map((m) => [m.port, []]));
  for (const place of places) out.set(place.master.port, [...(out.get(place.master.port) ?? []), place.shard]);
  return out;
}

export interface MasterKeys {
  readonly port: number;
  readonly dbsize: number;
  /** Keys found by SCAN, by shard number. */
  readonly byShard: Map<number, number>;
  /** Keys under the control prefix `{nl}`. */
  readonly control: number;
  /** Keys of neither (none may exist). */
  readonly other: string[];
  /** CLUSTER COUNTKEYSINSLOT of each shard's slot, and of the control slot, on this master. */
  readonly inSlot: Map<number | 'control', number>;
}

const SHARD_KEY = /^\{nl:(\d+)\}/;
const CONTROL_KEY = /^\{nl\}/;

/** Every master's keys by shard (SCAN), with the key counts of the shards' slots (COUNTKEYSINSLOT). */
export async function masterKeys(cluster: RedisCluster, layout: ShardLayout = LAYOUT): Promise<MasterKeys[]> {
  const slots = await Promise.all(layout.prefixes.map((prefix) => cluster.keySlot(prefix)));
  const controlSlot = await cluster.keySlot(layout.control);
  const masters = await cluster.masters();
  return Promise.all(
    masters.map((master) =>
      onNode(master.port, async (node) => {
        const byShard = new Map<number, number>();
        let control = 0;
        const other: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'COUNT', 1000);
          cursor = next;
          for (const key of keys) {
            const shard = SHARD_KEY.exec(key)?.[1];
            if (shard !== undefined) byShard.set(Number(shard), (byShard.get(Number(shard)) ?? 0) + 1);
            else if (CONTROL_KEY.test(key)) control++;
            else other.push(key);
          }
        } while (cursor !== '0');
        const inSlot = new Map<number | 'control', number>();
        for (const [shard, slot] of slots.entries()) inSlot.set(shard, Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot)));
        inSlot.set('control', Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', controlSlot)));
        return { port: master.port, dbsize: Number(await node.dbsize()), byShard, control, other, inSlot };
      }),
    ),
  );
}

/** `field:value` lines of INFO. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface ReplicationLag {
  /** The master's master_repl_offset. */
  readonly masterOffset: number;
  /** The replica's offset as the master last heard it (REPLCONF ACK, about once a second). */
  readonly ackedOffset: number | undefined;
  /** The replica's own offset (its INFO replication), read at the same time. */
  readonly replicaOffset: number | undefined;
  /** masterOffset − ackedOffset: bytes the master cannot count on the replica having. */
  readonly lagBytes: number | undefined;
  /** masterOffset − replicaOffset: bytes not yet on the replica as it says. */
  readonly replicaLagBytes: number | undefined;
}

/** INFO replication of a master and of its replica, at once. */
export async function replicationLag(masterPort: number, replicaPort: number): Promise<ReplicationLag> {
  const [master, replica] = await Promise.all([
    onNode(masterPort, async (node) => infoFields(await node.info('replication'))),
    onNode(replicaPort, async (node) => infoFields(await node.info('replication'))),
  ]);
  const masterOffset = Number(master.get('master_repl_offset'));
  const slave = [...master.entries()].find(([key, value]) => /^slave\d+$/.test(key) && value.includes(`port=${replicaPort},`))?.[1];
  const acked = slave === undefined ? undefined : Number(/offset=(\d+)/.exec(slave)?.[1]);
  const own = replica.get('slave_repl_offset');
  const replicaOffset = own === undefined ? undefined : Number(own);
  return {
    masterOffset,
    ackedOffset: acked,
    replicaOffset,
    lagBytes: acked === undefined ? undefined : masterOffset - acked,
    replicaLagBytes: replicaOffset === undefined ? undefined : masterOffset - replicaOffset,
  };
}

/** Every acknowledged message stored exactly once (none lost, duplicated, altered, dead-lettered or made up), every set's NSI point. */
export function expectExactlyOnce(outcome: ClusterOutcome): void {
  for (const [kind, result] of [['reps', outcome.reps], ['sets', outcome.sets]] as const) {
    const lost = [...result.outcomeOf].filter(([, o]) => o === 'lost').map(([id]) => id);
    expect({ kind, lost, duplicated: result.examples.duplicated, altered: result.examples.altered, unexpected: result.examples.unexpected, deadLettered: result.counts['dead-lettered'], storedOnce: result.counts['stored-once'] }).toEqual({
      kind, lost: [], duplicated: [], altered: [], unexpected: [], deadLettered: 0, storedOnce: result.counts.published,
    });
  }
  expect(outcome.nsiMismatches).toEqual([]);
  expect(outcome.deadLetters).toBe(0);
}

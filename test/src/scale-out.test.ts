// Horizontal scale-out on real servers: two ingest processes share one MQTT 5 shared subscription and
// two worker processes share the queues. Mid-stream one of each is killed (SIGKILL) and brought back
// later; every rep the broker acknowledged is stored once, and every set gets its one NSI point.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../infra/local-services.mjs';
import { connectDevice, pipelineEnv, spawnNode, type RunningProcess } from './harness/pipeline.js';
import { exportSeries, startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-scale';
const STATIONS = 12;
const SETS = 5;
const REPS_PER_SET = 5;

interface Role {
  readonly script: string;
  readonly env: Record<string, string>;
  readonly health: string;
  process?: RunningProcess;
}

let servers: LocalServices;
let device: MqttClient;
const roles: Record<'ingestA' | 'ingestB' | 'workerA' | 'workerB', Role> = {} as never;

async function start(role: Role): Promise<void> {
  role.process = spawnNode(role.script, role.env);
  await waitFor(async () => ((await fetch(`${role.health}/readyz`)).ok ? true : undefined), { what: `${role.script} to be ready`, timeoutMs: 20_000 });
}

async function kill(role: Role): Promise<void> {
  role.process?.child.kill('SIGKILL');
  await role.process?.exit;
}

beforeAll(async () => {
  servers = await startServers();
  const role = async (script: string, extra: Record<string, string>): Promise<Role> => {
    const port = await freePort();
    return { script, health: `http://127.0.0.1:${port}`, env: pipelineEnv(servers.env, { METRICS_PORT: String(port), ...extra }) };
  };
  const ingest = { INGEST_SHARED_GROUP: 'ingest', SET_IDLE_TIMEOUT_MS: '60000' };
  roles.ingestA = await role('services/ingest/dist/main.js', { ...ingest, MQTT_CLIENT_ID: 'ingest-a' });
  roles.ingestB = await role('services/ingest/dist/main.js', { ...ingest, MQTT_CLIENT_ID: 'ingest-b' });
  roles.workerA = await role('services/stimulus/dist/main.js', { WORKER_CONCURRENCY: '4' });
  roles.workerB = await role('services/stimulus/dist/main.js', { WORKER_CONCURRENCY: '4' });
  await Promise.all(Object.values(roles).map(start));
  device = await connectDevice(servers.env.MQTT_URL);
});

afterAll(async () => {
  await device?.endAsync();
  await Promise.all(Object.values(roles).map(kill));
  await servers?.stop();
});

it('two ingest and two worker processes, one of each killed mid-stream: every acknowledged rep stored once, one NSI point per set', async () => {
  const t0 = Date.now() - 60 * 60_000;
  const repTs = (set: number, rep: number, station: number) => t0 + set * 180_000 + rep * 4000 + station;
  const messages: Array<{ topic: string; payload: string }> = [];
  for (let set = 0; set < SETS; set++) {
    for (let s = 0; s < STATIONS; s++) {
      const base = { athleteId: `ath-${s}`, setId: `set-${set}`, exercise: 'back_squat' };
      for (let rep = 0; rep < REPS_PER_SET; rep++) {
        const rec = { v: 1, ...base, ts: repTs(set, rep, s), repIndex: rep + 1, loadKg: 100, meanVelocity: 0.7 - rep * 0.04 - set * 0.01 };
        messages.push({ topic: `gym/v1/${GYM}/st-${s}/rep`, payload: JSON.stringify(rec) });
      }
      messages.push({ topic: `gym/v1/${GYM}/st-${s}/set`, payload: JSON.stringify({ v: 1, event: 'end', ts: repTs(set, REPS_PER_SET, s), ...base }) });
    }
  }

  let acked = 0;
  const inFlight = new Set<Promise<void>>();
  const killAt = Math.floor(messages.length / 3);
  const restartAt = Math.floor((2 * messages.length) / 3);
  for (const [i, message] of messages.entries()) {
    const publish = device.publishAsync(message.topic, message.payload, { qos: 1 }).then(() => {
      acked++;
    });
    inFlight.add(publish);
    void publish.finally(() => inFlight.delete(publish));
    if (inFlight.size >= 40) await Promise.race(inFlight);
    if (i === killAt) await Promise.all([kill(roles.ingestA), kill(roles.workerA)]);
    // The killed ingest comes back (its persistent session holds what the broker had sent it);
    // the killed worker's jobs are taken over by the other worker once their locks lapse.
    if (i === restartAt) await start(roles.ingestA);
  }
  await Promise.all(inFlight);
  expect(acked).toBe(messages.length);

  const expectedReps = messages.filter((m) => m.topic.endsWith('/rep')).map((m) => (JSON.parse(m.payload) as { ts: number }).ts).sort((a, b) => a - b);
  const reps = await waitFor(
    async () => {
      const series = await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{gym="${GYM}"}`);
      const ts = series.flatMap((s) => s.timestamps).sort((a, b) => a - b);
      return ts.length >= expectedReps.length ? ts : undefined;
    },
    { what: 'every rep in the TSDB', timeoutMs: 90_000, intervalMs: 500 },
  );
  expect(reps).toEqual(expectedReps);

  // One NSI point per set, at the set's last rep, for every athlete.
  const expectedNsi = Array.from({ length: STATIONS }, (_, s) => Array.from({ length: SETS }, (_, set) => repTs(set, REPS_PER_SET - 1, s)));
  const nsi = await waitFor(
    async () => {
      const series = await exportSeries(servers.env.INFLUX_URL, 'neurotrophic_stimulus_nsi{athlete=~"ath-.*"}');
      const byAthlete = new Map(series.map((s) => [s.metric['athlete'], [...s.timestamps].sort((a, b) => a - b)]));
      const all = Array.from({ length: STATIONS }, (_, s) => byAthlete.get(`ath-${s}`) ?? []);
      return all.every((ts, s) => ts.length >= (expectedNsi[s]?.length ?? 0)) ? all : undefined;
    },
    // A set job the killed worker held is retried once its lock lapses (BullMQ's stalled check, ~30 s).
    { what: 'an NSI point for every set', timeoutMs: 120_000, intervalMs: 1000 },
  );
  expect(nsi).toEqual(expectedNsi);
});

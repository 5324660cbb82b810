// One deployment across a whole Redis Cluster (issue 16): 3 masters with one replica each, REDIS_SHARDS=12,
// ingest, the stimulus worker and the alerts service as separate processes (REDIS_CLUSTER=true).
//
// 1. A stream of sets from 24 gyms (two in every shard; stations unique across gyms, one athlete a station)
//    is stored exactly once (the checker: every acknowledged rep and set once, every set's NSI point), and
//    the keys are where the layout says: each shard's keys in its own slot only (SCAN `{nl:n}:*` on the
//    master serving it = CLUSTER COUNTKEYSINSLOT there), every master holding keys of some shard, and no
//    key of the deployment outside the 12 shard slots and the control slot `{nl}`.
// 2. `npm run shards -- balance` (the built CLI) while a second stream is being published moves whole
//    shards online until every master holds 4; the second stream too is stored exactly once, and the keys
//    moved with their slots.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  LAYOUT, SHARDS, awaitQueuesIdle, awaitStored, checkGyms, expectExactlyOnce, expectedNsi, gymsInEveryShard, gymsStream, masterKeys,
  shardsPerMaster, shardQueues, startClusterPipeline, warningSummary, type ClusterPipeline, type GymsPlan, type MasterKeys, type ShardQueues,
} from './harness/cluster-pipeline.js';
import { publishStream, type StreamRun } from './harness/device-stream.js';
import { REPO_ROOT } from './harness/pipeline.js';
import { waitFor } from './harness/servers.js';

const run = promisify(execFile);

/** Two gyms in every shard. */
const GYMS = gymsInEveryShard('gym-cl', 2);
const PLAN: GymsPlan = { gyms: GYMS, stations: 2, repsPerSet: 5, t0: Date.now() - 10_000 };
/** Stream 1: sets 0-1 of every station (24 gyms × 2 stations × 2 sets × 6 messages = 576). */
const FIRST = gymsStream(PLAN, 0, 2);
/** Stream 2: sets 2-3 of the same stations and athletes, later in device time. */
const SECOND = gymsStream(PLAN, 2, 4);

let pipeline: ClusterPipeline;
let queues: ShardQueues;
let first: StreamRun;

beforeAll(async () => {
  pipeline = await startClusterPipeline({ name: 'cluster-shards' });
  queues = shardQueues(pipeline.cluster);
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await pipeline?.stop();
});

const fmt = (perMaster: Map<number, number[]>) => [...perMaster].map(([port, shards]) => `${port}: ${shards.length} [${shards.join(',')}]`).join('; ');

/**
 * Every shard's keys only in its own slot, on the master serving it; nothing outside the shard slots and
 * the control slot. Read while the services run (lock renewals, stalled checks): polled until one
 * reading is consistent, and that reading is returned.
 */
async function auditKeys(): Promise<{ keys: MasterKeys[]; perMaster: Map<number, number[]> }> {
  let last = '';
  try {
    return await waitFor(
      async () => {
        const perMaster = await shardsPerMaster(pipeline.cluster);
        const keys = await masterKeys(pipeline.cluster);
        const problems: string[] = [];
        for (const master of keys) {
          const mine = perMaster.get(master.port) ?? [];
          for (let shard = 0; shard < SHARDS; shard++) {
            const scanned = master.byShard.get(shard) ?? 0;
            const inSlot = master.inSlot.get(shard) ?? 0;
            if (mine.includes(shard)) {
              if (scanned === 0) problems.push(`${master.port}: shard ${shard} has no keys`);
              if (scanned !== inSlot) problems.push(`${master.port}: shard ${shard}: ${scanned} keys {nl:${shard}}:* by SCAN, ${inSlot} in its slot`);
            } else if (scanned + inSlot > 0) problems.push(`${master.port}: shard ${shard} is not served here, yet ${scanned} of its keys by SCAN, ${inSlot} in its slot`);
          }
          if (master.other.length > 0) problems.push(`${master.port}: keys of no shard: ${master.other.slice(0, 5).join(', ')}`);
          const inKnownSlots = [...master.inSlot.values()].reduce((sum, n) => sum + n, 0);
          if (master.dbsize !== inKnownSlots) problems.push(`${master.port}: ${master.dbsize} keys, ${inKnownSlots} of them in the 12 shard slots and the control slot`);
          if (master.control !== (master.inSlot.get('control') ?? 0)) problems.push(`${master.port}: ${master.control} {nl} keys by SCAN, ${master.inSlot.get('control')} in the control slot`);
        }
        last = problems.join('\n');
        return problems.length === 0 ? { keys, perMaster } : undefined;
      },
      { what: 'a consistent reading of every master\'s keys', timeoutMs: 15_000, intervalMs: 250 },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${last}`);
  }
}

function summary(keys: readonly MasterKeys[]): string {
  return keys.map((m) => `${m.port}: ${m.dbsize} keys (control ${m.control}; ${[...m.byShard].sort(([a], [b]) => a - b).map(([s, n]) => `{nl:${s}} ${n}`).join(', ')})`).join('\n');
}

it('24 gyms over 12 shards on 3 masters: every acknowledged rep and set stored once, each shard\'s keys only in its slot on its master', async () => {
  // Every shard gets gyms, and their athletes are spread too.
  expect(new Set(GYMS.map((gym) => LAYOUT.gymShard('default', gym))).size).toBe(SHARDS);
  const athletes = new Set(FIRST.map((m) => (JSON.parse(m.payload) as { athleteId: string }).athleteId));
  expect(new Set([...athletes].map((a) => LAYOUT.athleteShard(a))).size).toBeGreaterThanOrEqual(10);

  const started = Date.now();
  first = publishStream(pipeline.device, FIRST, { ratePerSecond: 150, window: 300 });
  await first.done;
  expect(first.records.filter((r) => r.ackedAt === undefined).map((r) => r.error)).toEqual([]);
  await awaitStored(pipeline, () => first.published(), expectedNsi(FIRST, PLAN.repsPerSet), GYMS, 60_000);
  await awaitQueuesIdle(queues, 30_000);
  const outcome = await checkGyms(pipeline, first.published(), expectedNsi(FIRST, PLAN.repsPerSet), GYMS);
  console.log(`[cluster-shards] stream 1: ${FIRST.length} messages from ${GYMS.length} gyms stored in ${Date.now() - started} ms; reps ${JSON.stringify(outcome.reps.counts)}; sets ${JSON.stringify(outcome.sets.counts)}`);
  expectExactlyOnce(outcome);
  expect(await queues.failed()).toEqual({});

  const { keys, perMaster } = await auditKeys();
  console.log(`[cluster-shards] shards per master (slot ranges as created): ${fmt(perMaster)}\n${summary(keys)}`);
  expect(perMaster.size).toBe(3);
  expect([...perMaster.values()].flat().sort((a, b) => a - b)).toEqual(Array.from({ length: SHARDS }, (_, n) => n));
  for (const master of keys) expect(master.byShard.size, `master ${master.port} holds keys of some shard`).toBeGreaterThanOrEqual(1);
  // The control plane (seen gyms at least) in its one slot, on one master.
  expect(keys.filter((m) => m.control > 0)).toHaveLength(1);
}, 110_000);

it('moves shards online with `npm run shards -- balance` mid-stream: 4 shards a master, the second stream stored exactly once', async () => {
  expect(first, 'the first test ran').toBeDefined();
  const before = await shardsPerMaster(pipeline.cluster);
  const second = publishStream(pipeline.device, SECOND, { ratePerSecond: 60, window: 300 });
  // A quarter of the stream out before the moves begin.
  await waitFor(async () => (second.records.length >= SECOND.length / 4 ? true : undefined), { what: 'the second stream to be under way', timeoutMs: 20_000 });
  const balanceFrom = Date.now();
  const sentBefore = second.records.length;
  const cli = await run(process.execPath, ['services/api/dist/cli/shards.js', 'balance'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: pipeline.env.REDIS_URL ?? '', REDIS_CLUSTER: 'true', REDIS_SHARDS: String(SHARDS) },
    timeout: 60_000,
  });
  const balanceMs = Date.now() - balanceFrom;
  const sentDuring = second.records.length - sentBefore;
  console.log(`[cluster-shards] balance took ${balanceMs} ms while ${sentDuring} messages were published (from message ${sentBefore} of ${SECOND.length}):\n${cli.stdout}${cli.stderr}`);
  // It ran mid-stream: messages went out while it moved, and more after it.
  expect(sentDuring).toBeGreaterThan(0);
  expect(second.records.length).toBeLessThan(SECOND.length);
  expect(cli.stdout).toMatch(/moved shard \d+/);

  await second.done;
  expect(second.records.filter((r) => r.ackedAt === undefined).map((r) => r.error)).toEqual([]);
  // What the services said while their slots moved (warnings and up), for the record.
  const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  console.log(`[cluster-shards] service warnings (balance ran ${iso(balanceFrom)}–${iso(balanceFrom + balanceMs)}):\n${warningSummary(pipeline.services).join('\n')}`);
  const published = () => [...first.published(), ...second.published()];
  const nsi = expectedNsi([...FIRST, ...SECOND], PLAN.repsPerSet);
  await awaitStored(pipeline, published, nsi, GYMS, 60_000);
  await awaitQueuesIdle(queues, 30_000);
  const outcome = await checkGyms(pipeline, published(), nsi, GYMS);
  console.log(`[cluster-shards] both streams: reps ${JSON.stringify(outcome.reps.counts)}; sets ${JSON.stringify(outcome.sets.counts)}`);
  expectExactlyOnce(outcome);
  expect(await queues.failed()).toEqual({});

  const { keys, perMaster } = await auditKeys();
  console.log(`[cluster-shards] shards per master: before balance ${fmt(before)}; after ${fmt(perMaster)}\n${summary(keys)}`);
  expect([...perMaster.values()].map((shards) => shards.length)).toEqual([4, 4, 4]);
  for (const master of keys) expect(master.byShard.size).toBe(4);
}, 110_000);

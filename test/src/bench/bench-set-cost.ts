// What one closed set costs as the athlete's history grows (issue "constant cost per set", decision 0014):
// the set job (fold, points) and the alerts service's set-closed and session-end checks, run in this process
// against a real Redis, for athletes with 10, 100 and 1,000 stored sets before their session, at the 1st,
// 20th and 200th set of the session. CPU per set = this process (worker and alerts code, the Redis client)
// plus Redis (INFO cpu); TSDB lines per set = the lines the set job writes. Medians of `--runs` runs.
//
//   npx tsc -b && node test/dist/bench/bench-set-cost.js [--athletes 8 --runs 3 --json]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_ALERT_CONFIG } from '@neurolift/alerts';
import { createAlertQueues, createRedisAlertState, runCheck, type CheckDeps } from '@neurolift/alerts-service';
import { redisKeys, type AlertCheckJob, type RepRecord, type SetJob } from '@neurolift/contracts';
import { DAY_MS } from '@neurolift/stimulus';
import { createRedisSetStore, processSet, type SetJobDeps } from '@neurolift/stimulus-worker';
import { DEFAULT_MODEL, createRedisAthleteStore, createRedisConnection, type RedisClient } from '@neurolift/storage';
import { startServers } from '../harness/servers.js';

const { values: args } = parseArgs({
  options: {
    athletes: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    stored: { type: 'string', default: '10,100,1000' },
    positions: { type: 'string', default: '1,20,200' },
    json: { type: 'boolean', default: false },
  },
});
const ATHLETES = Number(args.athletes);
const RUNS = Number(args.runs);
const STORED = args.stored.split(',').map(Number);
const POSITIONS = args.positions.split(',').map(Number);
const SESSION_SETS = Math.max(...POSITIONS);

const GYM = 'gym-cost';
const MIN = 60_000;
const EXERCISES = ['back_squat', 'bench_press', 'deadlift'] as const;
const LOADS = [60, 80, 100, 120];
/** The measured sessions start today; stored sets spread over the 30 days before. */
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS + 8 * 3600_000;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

interface PlannedSet {
  readonly setId: string;
  readonly start: number;
  readonly exercise: string;
  readonly loadKg: number;
}

/** `stored` sets in daily sessions over the 30 days before today, then today's session. */
function plan(stored: number): PlannedSet[] {
  const perDay = Math.max(1, Math.ceil(stored / 30));
  const sets: PlannedSet[] = [];
  for (let i = 0; i < stored; i++) {
    const day = 30 - Math.floor(i / perDay);
    sets.push({ setId: `h${i}`, start: TODAY - day * DAY_MS + (i % perDay) * 3 * MIN, exercise: EXERCISES[i % 3] as string, loadKg: LOADS[i % 4] as number });
  }
  for (let i = 0; i < SESSION_SETS; i++) sets.push({ setId: `s${i}`, start: TODAY + i * 3 * MIN, exercise: EXERCISES[i % 3] as string, loadKg: LOADS[i % 4] as number });
  return sets;
}

function reps(athleteId: string, set: PlannedSet): RepRecord[] {
  return Array.from({ length: 8 }, (_, r) => ({
    gymId: GYM,
    stationId: `st-${athleteId}`,
    athleteId,
    setId: set.setId,
    exercise: set.exercise,
    repIndex: r + 1,
    ts: set.start + r * 3_000,
    loadKg: set.loadKg,
    meanVelocity: Math.round((1.4 - 0.007 * set.loadKg - 0.03 * r) * 1000) / 1000,
    rom: 0.5 + (r % 3) / 100,
    concentricMs: 700,
    eccentricMs: 1_200,
    source: 'device',
  }));
}

/** Redis's CPU seconds and commands processed so far (INFO; each call is one command itself). */
async function redisCounters(redis: RedisClient): Promise<{ cpu: number; commands: number }> {
  const info = await redis.info();
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return { cpu: value('used_cpu_user') + value('used_cpu_sys'), commands: value('total_commands_processed') };
}

interface Case {
  stored: number;
  position: number;
  processUs: number;
  redisUs: number;
  /** Redis commands per set, those a Lua script calls included (INFO total_commands_processed). */
  commands: number;
  lines: number;
}

async function run(redis: RedisClient, stored: number): Promise<{ cases: Case[]; linesPerSet: number }> {
  const prefix = `{cost-${randomUUID().slice(0, 8)}}`;
  const keys = redisKeys(prefix);
  let lines = 0;
  const worker: SetJobDeps = {
    sets: createRedisSetStore(redis, keys),
    athletes: createRedisAthleteStore(redis, keys),
    sink: { write: async (batch) => void (lines += batch.length) },
    constants: DEFAULT_MODEL.constants,
    modelId: DEFAULT_MODEL.modelId,
  };
  const queues = createAlertQueues(redis, prefix, { attempts: 1, backoffMs: 1000 });
  const state = createRedisAlertState(redis, keys);
  const checks: CheckDeps = { state, athletes: worker.athletes, live: state, queues, config: DEFAULT_ALERT_CONFIG, model: DEFAULT_MODEL, clock: () => TODAY + DAY_MS };
  const athletes = Array.from({ length: ATHLETES }, (_, a) => `a${a}`);
  const sets = plan(stored);

  // The session-end check of a set runs 2 h after it: by then the next set of its session exists (or none will).
  const pendingEnd = new Map<string, AlertCheckJob>();
  const closeSet = async (athleteId: string, set: PlannedSet) => {
    const stationId = `st-${athleteId}`;
    const records = reps(athleteId, set);
    await redis.hset(keys.setReps(stationId, set.setId), Object.fromEntries(records.map((rep) => [String(rep.repIndex), JSON.stringify(rep)])));
    const job: SetJob = { v: 1, gymId: GYM, stationId, setId: set.setId, revision: 0, closedBy: 'next_set' };
    await processSet(job, worker);
    const check = { gymId: GYM, stationId, setId: set.setId, athleteId };
    await runCheck({ v: 1, kind: 'set_closed', ...check } satisfies AlertCheckJob, checks);
    const previous = pendingEnd.get(athleteId);
    if (previous) await runCheck(previous, checks);
    pendingEnd.set(athleteId, { v: 1, kind: 'session_end', ...check });
  };

  // Each measured set alone (this process's CPU and Redis's around it): medians over athletes and runs are
  // robust to a garbage collection or a Redis background save landing on one set.
  const samples = new Map<number, Array<{ processUs: number; redisUs: number; commands: number; lines: number }>>();
  let sessionLines = 0;
  for (let i = 0; i < sets.length; i++) {
    const set = sets[i] as PlannedSet;
    const position = i - stored + 1;
    for (const athleteId of athletes) {
      const measured = POSITIONS.includes(position);
      const redisBefore = measured ? await redisCounters(redis) : { cpu: 0, commands: 0 };
      const linesBefore = lines;
      const cpu = process.cpuUsage();
      await closeSet(athleteId, set);
      const used = process.cpuUsage(cpu);
      if (position >= 1) sessionLines += lines - linesBefore;
      if (!measured) continue;
      const redisAfter = await redisCounters(redis);
      const list = samples.get(position) ?? [];
      list.push({ processUs: used.user + used.system, redisUs: (redisAfter.cpu - redisBefore.cpu) * 1e6, commands: redisAfter.commands - redisBefore.commands - 1, lines: lines - linesBefore });
      samples.set(position, list);
    }
  }
  const cases: Case[] = POSITIONS.map((position) => {
    const list = samples.get(position) ?? [];
    return {
      stored,
      position,
      processUs: median(list.map((x) => x.processUs)),
      redisUs: median(list.map((x) => x.redisUs)),
      commands: median(list.map((x) => x.commands)),
      lines: median(list.map((x) => x.lines)),
    };
  });
  for (const job of pendingEnd.values()) await runCheck(job, checks);
  await queues.close();
  return { cases, linesPerSet: sessionLines / (SESSION_SETS * athletes.length) };
}

const servers = await startServers({ services: ['redis'] });
const redis = createRedisConnection({ url: servers.env.REDIS_URL, cluster: false, name: 'bench-set-cost' });
try {
  // Warm-up: every code path compiled before anything is measured.
  await run(redis, 10);
  await redis.flushall();
  const results: Case[][] = [];
  const linesPerSet: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const runCases: Case[] = [];
    for (const stored of STORED) {
      const { cases, linesPerSet: perSet } = await run(redis, stored);
      runCases.push(...cases);
      linesPerSet.push(perSet);
      await redis.flushall();
    }
    results.push(runCases);
  }
  const table = (results[0] ?? []).map((entry, index) => {
    const runs = results.map((cases) => cases[index] as Case);
    const processUs = median(runs.map((c) => c.processUs));
    const redisUs = median(runs.map((c) => c.redisUs));
    return { stored: entry.stored, position: entry.position, processUs, redisUs, totalUs: processUs + redisUs, commands: median(runs.map((c) => c.commands)), lines: median(runs.map((c) => c.lines)) };
  });
  const smallest = Math.min(...table.map((row) => row.totalUs));
  console.log(`CPU per closed set (set job + set-closed and session-end checks; ${ATHLETES} athletes; medians of ${RUNS} runs)`);
  console.log('stored sets | set in session | worker+alerts µs | Redis µs | total µs | × smallest | Redis commands | TSDB lines');
  for (const row of table) {
    console.log(
      `${String(row.stored).padStart(11)} | ${String(row.position).padStart(14)} | ${row.processUs.toFixed(0).padStart(16)} | ${row.redisUs.toFixed(0).padStart(8)} | ${row.totalUs.toFixed(0).padStart(8)} | ${(row.totalUs / smallest).toFixed(2).padStart(10)} | ${row.commands.toFixed(0).padStart(14)} | ${row.lines.toFixed(1)}`,
    );
  }
  const worst = Math.max(...table.map((row) => row.totalUs)) / smallest;
  console.log(`worst case ${worst.toFixed(2)} × the smallest (target ≤ 1.5); TSDB lines per set over a ${SESSION_SETS}-set session: ${median(linesPerSet).toFixed(1)} (target ≤ 20)`);
  if (args.json) console.log(`JSON ${JSON.stringify({ table, worst, linesPerSet: median(linesPerSet) })}`);
} finally {
  await redis.quit();
  await servers.stop();
}

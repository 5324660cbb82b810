// The athlete's folded state (decision 0014) on a real Redis, driven through the worker's set job: sets in any
// order write the same points as in time order, a set in order folds only itself, state written by the
// version before checkpoints is indexed and rebuilt once, old sets are pruned with their order and entries,
// and a profile change re-models the session like the reference planner.
import { randomUUID } from 'node:crypto';
import { redisKeys, type HeartRateJob, type RedisKeys, type RepRecord, type SetJob } from '@neurolift/contracts';
import { createRedisSetStore, processHeartRate, processSet, type SetJobDeps } from '@neurolift/stimulus-worker';
import { DEFAULT_CONSTANTS, DAY_MS, athleteSetKey, planAthleteUpdate, type AthleteSet } from '@neurolift/stimulus';
import { createRedisAthleteStore, createRedisConnection, createRedisHeartRateStore, type RedisClient } from '@neurolift/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const GYM = 'gym-state';
const ATHLETE = 'ath-state';
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const MIN = 60_000;

let servers: LocalServices<'redis'>;
let redis: RedisClient;

beforeAll(async () => {
  servers = await startServers({ services: ['redis'] });
  redis = createRedisConnection({ url: servers.env.REDIS_URL, cluster: false, name: 'athlete-state-test' });
});

afterAll(async () => {
  await redis?.quit();
  await servers?.stop();
});

interface SetSpec {
  readonly id: string;
  readonly start: number;
  readonly loadKg: number;
  readonly velocities: readonly number[];
  readonly exercise?: string;
}

function repsOf(spec: SetSpec): RepRecord[] {
  return spec.velocities.map((meanVelocity, index) => ({
    gymId: GYM,
    stationId: 'st-1',
    athleteId: ATHLETE,
    setId: spec.id,
    exercise: spec.exercise ?? 'back_squat',
    repIndex: index + 1,
    ts: spec.start + index * 3_000,
    loadKg: spec.loadKg,
    meanVelocity,
    rom: 0.5,
    concentricMs: 700,
    eccentricMs: 1_100,
    source: 'device',
  }));
}

function athleteSetOf(spec: SetSpec): AthleteSet {
  const reps = repsOf(spec);
  return {
    key: athleteSetKey('st-1', spec.id),
    gymId: GYM,
    stationId: 'st-1',
    setId: spec.id,
    exercise: spec.exercise ?? 'back_squat',
    reps: reps.map(({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs }) => ({ repIndex, ts, loadKg, meanVelocity, rom, concentricMs, eccentricMs })),
  };
}

/** Three weeks of sets: two sessions a week of five sets at three loads (a load–velocity profile forms). */
const HISTORY: SetSpec[] = Array.from({ length: 30 }, (_, i) => {
  const session = Math.floor(i / 5);
  const load = [60, 80, 100, 120, 90][i % 5] as number;
  return { id: `h${i}`, start: T0 + session * 3.5 * DAY_MS + (i % 5) * 4 * MIN, loadKg: load, velocities: [0, 1, 2, 3].map((r) => 1.35 - 0.008 * load - 0.03 * r) };
});

interface TestWorker {
  readonly deps: SetJobDeps;
  readonly keys: RedisKeys;
  readonly written: Map<string, string>;
  readonly perJob: string[][];
  /** The next write with a line of this measurement fails (a TSDB outage), once; nothing of it is kept. */
  failNext(measurement: string): void;
}

/** A worker's dependencies on its own key prefix, and what it wrote: the last line per point, lines per job. */
async function worker(): Promise<TestWorker> {
  const keys = redisKeys(`{t-${randomUUID().slice(0, 8)}}`);
  const written = new Map<string, string>();
  const perJob: string[][] = [];
  let failing: string | undefined;
  const deps: SetJobDeps = {
    sets: createRedisSetStore(redis, keys),
    athletes: createRedisAthleteStore(redis, keys),
    sink: {
      async write(lines) {
        if (failing !== undefined && lines.some((line) => line.startsWith(`${failing},`))) {
          failing = undefined;
          throw new Error('TSDB unavailable (test)');
        }
        perJob.push([...lines]);
        // A point's identity: measurement and tags, and its time; a later write replaces it.
        for (const line of lines) written.set(`${line.slice(0, line.indexOf(' '))} ${line.slice(line.lastIndexOf(' ') + 1)}`, line);
      },
    },
    heartRate: createRedisHeartRateStore({ redis, keys }),
    constants: DEFAULT_CONSTANTS,
    modelId: 'nsi-1.1',
  };
  return { deps, keys, written, perJob, failNext: (measurement) => void (failing = measurement) };
}

async function store(keys: RedisKeys, spec: SetSpec, reps: readonly RepRecord[] = repsOf(spec)): Promise<void> {
  await redis.hset(keys.setReps('st-1', spec.id), Object.fromEntries(reps.map((rep) => [String(rep.repIndex), JSON.stringify(rep)])));
}

/** The set job of a set closed with these of its reps (all by default); a late rep re-closes it with the next revision. */
async function close(deps: SetJobDeps, keys: RedisKeys, spec: SetSpec, reps: readonly RepRecord[] = repsOf(spec), revision = 0): Promise<void> {
  await store(keys, spec, reps);
  const job: SetJob = { v: 1, gymId: GYM, stationId: 'st-1', setId: spec.id, revision, closedBy: revision > 0 ? 'late_rep' : 'idle' };
  await processSet(job, deps);
}

/** A fixed shuffle (the property tests cover random ones): late sets of every age, and a set twice. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return [...out, out[3] as T];
}

/**
 * What a TSDB holds after these writes: per point (measurement, tags, time) each field's last value (a line
 * with some fields leaves the others, as InfluxDB and VictoriaMetrics do).
 */
function fieldsOf(perJob: readonly string[][]): Map<string, Map<string, string>> {
  const points = new Map<string, Map<string, string>>();
  for (const line of perJob.flat()) {
    const head = line.slice(0, line.indexOf(' '));
    const ts = line.slice(line.lastIndexOf(' ') + 1);
    const key = `${head} ${ts}`;
    const fields = points.get(key) ?? new Map<string, string>();
    for (const field of line.slice(head.length + 1, line.lastIndexOf(' ')).split(/,(?=[a-z0-9_]+=)/)) {
      const at = field.indexOf('=');
      fields.set(field.slice(0, at), field.slice(at + 1));
    }
    points.set(key, fields);
  }
  return points;
}

/** A strap's block of heart rate (device protocol v1.1 `hr`). */
function heartRate(deps: SetJobDeps, t0: number, bpm: readonly number[]): Promise<unknown> {
  const job: HeartRateJob = { v: 1, gymId: GYM, stationId: 'strap-1', block: { v: 1, t0, athleteId: ATHLETE, bpm: [...bpm], rr: bpm.map((value) => Math.round(60_000 / value)) } };
  if (deps.heartRate === undefined) throw new Error('no heart-rate store');
  return processHeartRate(job, { ...deps, heartRate: deps.heartRate });
}

/** 20 minutes of cardio at 150 bpm, then a set every 4 min with the heart rate rising in it and falling in rest, in 60 s blocks. */
const SESSION_START = T0 + 40 * DAY_MS;
const SESSION_SETS: SetSpec[] = [0, 1, 2].map((i) => ({ id: `hr-s${i}`, start: SESSION_START + 21 * MIN + i * 4 * MIN, loadKg: 100, velocities: [0.62, 0.6, 0.57, 0.53] }));
const HR_BLOCKS: Array<{ t0: number; bpm: number[] }> = Array.from({ length: 34 }, (_, block) => ({
  t0: SESSION_START + block * MIN + 400,
  bpm: Array.from({ length: 60 }, (_, s) => {
    const t = block * MIN + s * 1000;
    if (t < 20 * MIN) return 150;
    const sinceSet = (t - 21 * MIN) % (4 * MIN);
    return t < 21 * MIN ? 120 : sinceSet < 15_000 ? 130 + sinceSet / 500 : Math.round(160 - 35 * (1 - Math.exp(-(sinceSet - 15_000) / 60_000)));
  }),
}));

describe('the athlete state on Redis', () => {
  it('heart rate and sets (model nsi-1.1) in any order, heart rate first or last, write the same points as live', async () => {
    const live = await worker();
    // Live: each minute's heart rate as it happens, each set when it closes.
    const events = [...HR_BLOCKS.map((block) => ({ at: block.t0 + 60_000, run: (w: typeof live) => heartRate(w.deps, block.t0, block.bpm) })), ...SESSION_SETS.map((spec) => ({ at: spec.start + 12_000, run: (w: typeof live) => close(w.deps, w.keys, spec) }))];
    events.sort((a, b) => a.at - b.at);
    for (const event of events) await event.run(live);
    const lines = [...live.written.values()];
    expect(lines.filter((line) => line.startsWith('heart_rate,'))).toHaveLength(34 * 60);
    expect(lines.filter((line) => line.startsWith('set,') && line.includes('hr_peak='))).toHaveLength(3);
    const aerobic = lines.filter((line) => line.startsWith('neurotrophic_stimulus,') && !line.includes('aerobic_dose=0,'));
    expect(aerobic.length).toBeGreaterThanOrEqual(20);

    const final = fieldsOf(live.perJob);
    expect([...final].filter(([key, fields]) => key.startsWith('set,') && fields.get('hr_peak') !== undefined && fields.get('e1rm_kg') !== undefined)).toHaveLength(3);

    for (const order of [shuffled(events), [...events].reverse()]) {
      const late = await worker();
      for (const event of order) await event.run(late);
      expect(fieldsOf(late.perJob)).toEqual(final);
    }
  });

  it('a late rep moving a set\'s last rep past a minute of heart rate: the set counts once, as if it had come whole', async () => {
    // The second set's last rep comes after a minute's end (24:59.999; that minute's heart rate reaches the count
    // threshold, so it is an activity): closed without it, the set comes before the minute, which is folded after
    // it; the late rep moves the set past the minute.
    const across: SetSpec = { id: 'hr-across', start: SESSION_START + 24 * MIN + 52_000, loadKg: 100, velocities: [0.62, 0.6, 0.57, 0.53] };
    const sets = [SESSION_SETS[0] as SetSpec, across, SESSION_SETS[2] as SetSpec];
    const run = async (lateRep: boolean) => {
      const w = await worker();
      for (const block of HR_BLOCKS) await heartRate(w.deps, block.t0, block.bpm);
      for (const spec of sets) {
        if (lateRep && spec === across) await close(w.deps, w.keys, spec, repsOf(spec).slice(0, -1));
        await close(w.deps, w.keys, spec, repsOf(spec), lateRep && spec === across ? 1 : 0);
      }
      return fieldsOf(w.perJob);
    };
    const whole = await run(false);
    const late = await run(true);
    const firstClose = across.start + 6_000;
    const lastRep = across.start + 9_000;
    expect(Math.floor(firstClose / MIN)).toBeLessThan(Math.floor(lastRep / MIN));
    // The set's points stay where it first closed (AthleteSet.pointTs), with the whole set's values; every other
    // point (the minutes', the later sets', the day's exposure, the acute window) is the whole set's. Rep points apart.
    const at = (points: Map<string, Map<string, string>>, ts: number) =>
      new Map([...points].filter(([key]) => !key.startsWith('rep,') && key.endsWith(` ${ts}`)).map(([key, fields]) => [key.slice(0, key.lastIndexOf(' ')), fields]));
    const others = (points: Map<string, Map<string, string>>) => new Map([...points].filter(([key]) => !key.startsWith('rep,') && !key.endsWith(` ${firstClose}`) && !key.endsWith(` ${lastRep}`)));
    expect(at(late, firstClose).size).toBeGreaterThan(0);
    expect(at(late, firstClose)).toEqual(at(whole, lastRep));
    expect(others(late)).toEqual(others(whole));
  });

  it('a job whose TSDB write fails after it stored its activities, retried or not, stores and writes what a run without the failure does', async () => {
    // BullMQ retries a job whose write failed; the retry finds the minutes or the set stored already. Three job
    // kinds, each failing once at its fold's write: a heart-rate block uploaded late into a session whose sets are
    // stored (its minute and everything after fold again), a set closed after its heart rate (the minutes in its
    // interval stop counting) and a late rep moving a set past a minute of heart rate.
    const across: SetSpec = { id: 'hr-across', start: SESSION_START + 24 * MIN + 52_000, loadKg: 100, velocities: [0.62, 0.6, 0.57, 0.53] };
    const lateBlock = HR_BLOCKS[10] as { t0: number; bpm: number[] };
    type Step = (w: TestWorker) => Promise<unknown>;
    const hrBlock = (block: { t0: number; bpm: number[] }): Step => (w) => heartRate(w.deps, block.t0, block.bpm);
    const closeSet = (spec: SetSpec, reps = repsOf(spec), revision = 0): Step => (w) => close(w.deps, w.keys, spec, reps, revision);
    const cases: Array<{ what: string; steps: Step[]; failing: number }> = [
      { what: 'a late heart-rate block', steps: [...SESSION_SETS.map((spec) => closeSet(spec)), ...HR_BLOCKS.filter((block) => block !== lateBlock).map(hrBlock), hrBlock(lateBlock)], failing: 36 },
      { what: 'a set after its heart rate', steps: [...HR_BLOCKS.map(hrBlock), ...SESSION_SETS.map((spec) => closeSet(spec))], failing: 35 },
      {
        what: 'a late rep past a minute',
        steps: [...HR_BLOCKS.map(hrBlock), closeSet(SESSION_SETS[0] as SetSpec), closeSet(across, repsOf(across).slice(0, -1)), closeSet(across, repsOf(across), 1), closeSet(SESSION_SETS[2] as SetSpec)],
        failing: 36,
      },
    ];
    const state = async (keys: RedisKeys) => ({
      records: Object.fromEntries(Object.entries(await redis.hgetall(keys.athleteSets(ATHLETE))).map(([key, text]) => [key, JSON.parse(text) as unknown])),
      daily: await redis.hgetall(keys.athleteDaily(ATHLETE)),
      pendingFold: await redis.get(keys.athleteFoldFrom(ATHLETE)),
    });
    for (const { what, steps, failing } of cases) {
      const clean = await worker();
      for (const step of steps) await step(clean);
      const faulted = await worker();
      for (const [index, step] of steps.entries()) {
        if (index === failing) {
          faulted.failNext('neurotrophic_stimulus');
          await expect(step(faulted), what).rejects.toThrow('TSDB unavailable');
        }
        await step(faulted);
      }
      expect(fieldsOf(faulted.perJob), what).toEqual(fieldsOf(clean.perJob));
      expect(await state(faulted.keys), what).toEqual({ ...(await state(clean.keys)), pendingFold: null });
    }

    // A job that fails for good (its attempts spent, dead-lettered) leaves its fold pending: the athlete's next job,
    // whatever it is, folds from there. The athlete's series and state end as without the failure.
    const after: SetSpec = { id: 'hr-after', start: SESSION_START + 40 * MIN, loadKg: 100, velocities: [0.62, 0.6, 0.57] };
    const athleteSeries = (points: Map<string, Map<string, string>>) => new Map([...points].filter(([key]) => key.startsWith('neurotrophic_')));
    for (const { what, steps, failing } of cases.slice(0, 2)) {
      const clean = await worker();
      for (const step of [...steps, closeSet(after)]) await step(clean);
      const faulted = await worker();
      for (const [index, step] of steps.entries()) {
        if (index !== failing) {
          await step(faulted);
          continue;
        }
        faulted.failNext('neurotrophic_stimulus');
        await expect(step(faulted), what).rejects.toThrow('TSDB unavailable');
        expect(await redis.get(faulted.keys.athleteFoldFrom(ATHLETE)), what).not.toBeNull();
      }
      await closeSet(after)(faulted);
      expect(athleteSeries(fieldsOf(faulted.perJob)), `${what}, not retried`).toEqual(athleteSeries(fieldsOf(clean.perJob)));
      expect(await state(faulted.keys), `${what}, not retried`).toEqual({ ...(await state(clean.keys)), pendingFold: null });
    }
  });

  it('a heart-rate profile changed within a session counts its minutes again when the session is re-modelled', async () => {
    const lastSet = SESSION_SETS[SESSION_SETS.length - 1] as SetSpec;
    const run = async (profileFirst: boolean) => {
      const w = await worker();
      const setProfile = (profile: object) => redis.set(w.keys.athleteProfile(ATHLETE), JSON.stringify(profile));
      await setProfile(profileFirst ? { restingHr: 80, maxHr: 180 } : {});
      for (const block of HR_BLOCKS) await heartRate(w.deps, block.t0, block.bpm);
      for (const spec of SESSION_SETS.slice(0, -1)) await close(w.deps, w.keys, spec);
      await setProfile({ restingHr: 80, maxHr: 180 });
      await close(w.deps, w.keys, lastSet);
      return fieldsOf(w.perJob);
    };
    const changed = await run(false);
    const fromStart = await run(true);
    const sessionPointOfLastSet = (points: Map<string, Map<string, string>>) =>
      [...points].filter(([key]) => key.startsWith('neurotrophic_stimulus,')).find(([key]) => key.endsWith(` ${lastSet.start + 9_000}`))?.[1];
    // With rest 80 and max 180, 150 bpm is r = 0.7 (not 0.69): the cardio's A differs, so does the NSI.
    expect(sessionPointOfLastSet(changed)?.get('aerobic_dose')).toBeDefined();
    expect(sessionPointOfLastSet(changed)).toEqual(sessionPointOfLastSet(fromStart));
  });

  it('sets in order fold one set each; sets in any order and again write the same points', async () => {
    const inOrder = await worker();
    for (const spec of HISTORY) await close(inOrder.deps, inOrder.keys, spec);
    // One set point per job: no job re-modelled an earlier set.
    expect(inOrder.perJob.map((lines) => lines.filter((line) => line.startsWith('set,')).length)).toEqual(HISTORY.map(() => 1));
    expect([...inOrder.written.values()].some((line) => line.includes('e1rm_source="lvp"'))).toBe(true);

    const anyOrder = await worker();
    for (const spec of shuffled(HISTORY)) await close(anyOrder.deps, anyOrder.keys, spec);
    expect(anyOrder.written).toEqual(inOrder.written);
    const records = async (keys: RedisKeys) => Object.fromEntries(Object.entries(await redis.hgetall(keys.athleteSets(ATHLETE))).map(([key, text]) => [key, JSON.parse(text) as unknown]));
    expect(await records(anyOrder.keys)).toEqual(await records(inOrder.keys));
    expect(await redis.hgetall(anyOrder.keys.athleteDaily(ATHLETE))).toEqual(await redis.hgetall(inOrder.keys.athleteDaily(ATHLETE)));
  });

  it('state of the version before checkpoints (sets only) is indexed and rebuilt once, to the same points', async () => {
    const reference = await worker();
    for (const spec of HISTORY) await close(reference.deps, reference.keys, spec);

    const legacy = await worker();
    const [last, ...earlier] = [...HISTORY].reverse();
    for (const spec of earlier.reverse()) {
      await store(legacy.keys, spec);
      await redis.hset(legacy.keys.athleteSets(ATHLETE), athleteSetKey('st-1', spec.id), JSON.stringify({ v: 1, ...athleteSetOf(spec) }));
    }
    await close(legacy.deps, legacy.keys, last as SetSpec);
    // The rebuild writes what the reference's last job wrote, and the exposure of the earlier days again, each
    // as the reference left it.
    const rebuilt = legacy.perJob.at(-1) as string[];
    expect(rebuilt).toEqual(expect.arrayContaining(reference.perJob.at(-1) as string[]));
    expect([...legacy.written]).toEqual(expect.arrayContaining([...legacy.written].map(([identity]) => [identity, reference.written.get(identity)])));
    expect(rebuilt.filter((line) => !(reference.perJob.at(-1) as string[]).includes(line)).every((line) => line.startsWith('neurotrophic_exposure,'))).toBe(true);
    expect(await redis.zcard(legacy.keys.athleteOrder(ATHLETE))).toBe(HISTORY.length);
    expect(await redis.hlen(legacy.keys.athleteEntries(ATHLETE))).toBe(HISTORY.length);
    expect(await redis.zcard(legacy.keys.athleteExerciseIndex(ATHLETE))).toBe(HISTORY.length);
    expect(await redis.hget(legacy.keys.athleteLvp(ATHLETE), 'back_squat')).toBe(await redis.hget(reference.keys.athleteLvp(ATHLETE), 'back_squat'));
    const next: SetSpec = { id: 'next', start: (last as SetSpec).start + 5 * MIN, loadKg: 100, velocities: [0.55, 0.5] };
    await close(legacy.deps, legacy.keys, next);
    await close(reference.deps, reference.keys, next);
    expect(legacy.perJob.at(-1)).toEqual(reference.perJob.at(-1));
  });

  it('drops sets more than 35 days older than the newest, with their order and entries; their days keep their loads', async () => {
    const { deps, keys } = await worker();
    await close(deps, keys, { id: 'old', start: T0, loadKg: 100, velocities: [0.6, 0.55] });
    await close(deps, keys, { id: 'new', start: T0 + 37 * DAY_MS, loadKg: 100, velocities: [0.6, 0.55] });
    expect(await redis.hkeys(keys.athleteSets(ATHLETE))).toEqual(['st-1.new']);
    expect(await redis.zrange(keys.athleteOrder(ATHLETE), '0', '-1')).toEqual(['st-1.new']);
    expect(await redis.hkeys(keys.athleteEntries(ATHLETE))).toEqual(['st-1.new']);
    expect(await redis.zrange(keys.athleteExerciseIndex(ATHLETE), '0', '-1')).toEqual([`back_squat|${String(T0 + 37 * DAY_MS + 3_000).padStart(15, '0')}|st-1.new`]);
    expect(await redis.hlen(keys.athleteDaily(ATHLETE))).toBe(2);
    expect(await redis.hget(keys.athleteLvp(ATHLETE), 'back_squat')).toBe(`${T0 + 37 * DAY_MS + 3_000},100,0.6,st-1.new`);
  });

  it('sets waiting together for the athlete take the lock earliest first; a dead waiter holds nobody back for long', async () => {
    const { deps, keys } = await worker();
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = deps.athletes.withLock(ATHLETE, 10_000, () => held);
    await waitFor(async () => ((await redis.exists(keys.athleteLock(ATHLETE))) === 1 ? true : undefined), { what: 'the lock taken' });
    const waiters = [5, 1, 4, 2, 3].map((n) => deps.athletes.withLock(ATHLETE, 10_000, async () => void ran.push(`s${n}`), { key: `st-1.s${n}`, lastTs: T0 + n * MIN }));
    await waitFor(async () => ((await redis.zcard(keys.athleteLockQueue(ATHLETE))) === 5 ? true : undefined), { what: 'five sets waiting' });
    release();
    await Promise.all([holder, ...waiters]);
    expect(ran).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(await redis.zcard(keys.athleteLockQueue(ATHLETE))).toBe(0);

    // A worker that died while waiting left its place (the earliest): the next set waits its patience, then goes.
    await redis.zadd(keys.athleteLockQueue(ATHLETE), T0, 'st-9.dead');
    const started = Date.now();
    await deps.athletes.withLock(ATHLETE, 10_000, async () => void ran.push('after'), { key: 'st-1.after', lastTs: T0 + 9 * MIN });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await redis.zcard(keys.athleteLockQueue(ATHLETE))).toBe(0);
  });

  it('a profile changed within a session re-models the session, as the planner does', async () => {
    const { deps, keys, perJob } = await worker();
    const session = [0, 1, 2].map((i): SetSpec => ({ id: `p${i}`, start: T0 + i * 4 * MIN, loadKg: 110, velocities: [0.5, 0.45, 0.4] }));
    for (const spec of session.slice(0, 2)) await close(deps, keys, spec);
    const profile = { bodyMassKg: 95, oneRepMaxKg: { back_squat: 150 } };
    await redis.set(keys.athleteProfile(ATHLETE), JSON.stringify(profile));
    await close(deps, keys, session[2] as SetSpec);
    const expected = planAthleteUpdate({ sets: session.map(athleteSetOf), storedDailyLoads: new Map(), profile, changedKey: athleteSetKey('st-1', 'p2') });
    const nsiLine = (perJob.at(-1) as string[]).find((line) => line.startsWith('neurotrophic_stimulus,'));
    expect(nsiLine).toContain(`nsi=${expected.stimulus[0]?.point.nsi}`);
    expect(nsiLine).toContain('sets=3i');
  });
});

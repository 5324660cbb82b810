// What a fault test measures and asserts once the fault is over: the checker's verdict on the stream
// (reps, and sets through their set points), the alerts the coach app received, the drain time and the
// resource peaks; plus a one-line JSON summary per run for the fault-matrix report.
import { expect } from 'vitest';
import { checkQueue, repPoint, setPoint, type CheckResult, type Outcome } from '../harness/checker.js';
import { deadLetteredIds } from '../harness/dead-letter-ids.js';
import { stationName, setName, type StreamPlan, type StreamRun } from '../harness/device-stream.js';
import { getJson, type DeadLetterList } from '../harness/pipeline.js';
import { waitFor } from '../harness/servers.js';
import { INGEST_MAX_IN_FLIGHT, type FaultEnv } from './fault-env.js';

/**
 * A set point is rewritten when an earlier set of the athlete is computed after it (docs/decisions/0006):
 * its model terms then change on purpose. Its plain metrics (reps, load, velocities, loss, time under
 * tension) depend on its own reps only and must never change.
 */
const SET_MODEL_FIELDS = ['e1rm_kg', 'e1rm_source', 'rel_intensity', 'rir_last', 'impulse', 'lactate_increment', 'model'];
/** R3: ingest's memory may grow this much during a fault, MB. */
export const MAX_RSS_GROWTH_MB = 50;

export interface StreamOutcome {
  readonly reps: CheckResult;
  readonly sets: CheckResult;
  readonly deadLetters: { readonly byReason: Record<string, number>; readonly truncated: number };
  readonly alerts: {
    readonly ids: number;
    /** Alert ids the pipeline published more than once (not counting broker redeliveries). */
    readonly duplicated: string[];
    readonly redeliveries: number;
    /** Distinct high_fatigue alerts of the grinding set (an amber one, then a red escalation, has two ids). */
    readonly grindingHighFatigue: number;
  };
}

export async function readDeadLetters(env: FaultEnv): Promise<DeadLetterList> {
  const { status, body } = await getJson<DeadLetterList>(`${env.api.healthUrl}/v1/dead-letters?limit=1000`);
  if (status !== 200) throw new Error(`dead letters: HTTP ${status}`);
  return body;
}

/** The checker's verdict on one stream (its gym only), from the recorded writes and the dead letters. */
export async function checkStream(env: FaultEnv, run: StreamRun, plan: StreamPlan, letters?: DeadLetterList): Promise<StreamOutcome> {
  const list = letters ?? (await readDeadLetters(env));
  const named = deadLetteredIds(list.items);
  const points = env.tsdb.points().filter((p) => p.tags.gym === plan.gym);
  const published = run.published();
  const reps = checkQueue({
    published: published.filter((m) => m.id.startsWith('rep/')),
    points: points.filter((p) => p.measurement === 'rep').map(repPoint),
    deadLettered: named.ids,
  });
  const sets = checkQueue({
    published: published.filter((m) => m.id.startsWith('set/')),
    points: points.filter((p) => p.measurement === 'set').map(setPoint),
    deadLettered: named.ids,
    mutableFields: SET_MODEL_FIELDS,
  });
  const gymAlerts = [...env.listener.alerts().values()].filter((a) => a.gymId === plan.gym);
  const grinding = gymAlerts.filter((a) => a.rule === 'high_fatigue' && a.stationId === stationName(plan.gym, plan.grinding.station) && a.setId === setName(plan.grinding.set));
  return {
    reps,
    sets,
    deadLetters: { byReason: list.byReason, truncated: named.truncated },
    alerts: {
      ids: gymAlerts.length,
      duplicated: gymAlerts.filter((a) => a.publishes > 1).map((a) => `${a.rule}/${a.setId ?? '-'}: ${a.publishes}`),
      redeliveries: gymAlerts.reduce((sum, a) => sum + a.redeliveries, 0),
      grindingHighFatigue: grinding.length,
    },
  };
}

/**
 * Waits until every message of the stream is acknowledged and every acknowledged one is stored or
 * dead-lettered; returns how long that took after `since` (the end of the fault), ms, or undefined when
 * it did not happen within `timeoutMs` (the checker then says what is missing).
 */
export async function awaitDrain(env: FaultEnv, run: StreamRun, plan: StreamPlan, since: number, timeoutMs: number): Promise<number | undefined> {
  let settled = false;
  void run.done.then(() => (settled = true));
  try {
    const drainedAt = await waitFor(
      async () => {
        if (!settled) return undefined;
        const { reps, sets } = await checkStream(env, run, plan);
        return reps.counts.lost + sets.counts.lost === 0 ? Date.now() : undefined;
      },
      { what: `the ${plan.gym} backlog to drain`, timeoutMs, intervalMs: 250 },
    );
    return drainedAt - since;
  } catch {
    return undefined;
  }
}

/** Waits until no job of the stream's queues waits, runs or is due for a retry. */
export async function awaitIdle(env: FaultEnv, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      const counts = await Promise.all([
        env.queues.reps.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        env.queues.sets.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        env.queues.alerts.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        // Session-end checks wait (delayed) for the session to end: only running and waiting checks count.
        env.queues.alertChecks.getJobCounts('waiting', 'active', 'prioritized'),
      ]);
      return counts.every((c) => Object.values(c).every((n) => n === 0)) ? true : undefined;
    },
    { what: 'the queues to be idle', timeoutMs, intervalMs: 250 },
  );
}

/** The ids the checker put in one class. */
export function idsOf(result: CheckResult, outcome: Outcome): string[] {
  return [...result.outcomeOf].filter(([, o]) => o === outcome).map(([id]) => id);
}

/**
 * R1, R2: nothing acknowledged lost, nothing stored twice or altered, nothing made up; each alert once,
 * the grinding set's included. `exempt`: message ids whose fate the test asserts by itself.
 */
export function expectIntact(outcome: StreamOutcome, exempt: readonly string[] = []): void {
  for (const [kind, result] of [['reps', outcome.reps], ['sets', outcome.sets]] as const) {
    const lost = idsOf(result, 'lost').filter((id) => !exempt.includes(id));
    expect({ kind, lost, duplicated: result.examples.duplicated, altered: result.examples.altered, unexpected: result.examples.unexpected }).toEqual({
      kind, lost: [], duplicated: [], altered: [], unexpected: [],
    });
  }
  expect(outcome.alerts.duplicated).toEqual([]);
  expect(outcome.alerts.grindingHighFatigue).toBeGreaterThanOrEqual(1);
}

export interface ResourcePeaks {
  readonly samples: number;
  readonly peakInFlight: number | undefined;
  readonly baselineRssMb: number | undefined;
  readonly peakRssMb: number | undefined;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : Math.round(bytes / 104_857.6) / 10);

/** Ingest's in-flight and memory peaks over the samples taken from `since`. */
export function resourcePeaks(env: FaultEnv, since: number): ResourcePeaks {
  const peaks = env.sampler.peaks(since);
  return { samples: peaks.samples, peakInFlight: peaks.peakGauge, baselineRssMb: mb(peaks.baselineRssBytes), peakRssMb: mb(peaks.peakRssBytes) };
}

/** R3: in-flight never past its bound, and ingest's memory grew by less than 50 MB. */
export function expectBounded(peaks: ResourcePeaks): void {
  expect(peaks.samples).toBeGreaterThan(0);
  expect(peaks.peakInFlight ?? 0).toBeLessThanOrEqual(INGEST_MAX_IN_FLIGHT);
  expect((peaks.peakRssMb ?? 0) - (peaks.baselineRssMb ?? 0)).toBeLessThan(MAX_RSS_GROWTH_MB);
}

/** One line per run for the fault-matrix report (vitest prints it with the test's output). */
export function report(fault: string, outcome: StreamOutcome, measured: Record<string, unknown>): void {
  const counts = (r: CheckResult) => ({ ...r.counts, storedAndDeadLettered: r.storedAndDeadLettered });
  console.log(`[fault-matrix] ${fault} ${JSON.stringify({ ...measured, reps: counts(outcome.reps), sets: counts(outcome.sets), deadLetters: outcome.deadLetters, alerts: outcome.alerts })}`);
}

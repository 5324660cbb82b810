// The shape most fault tests share: a device stream starts; once it is under way the fault begins, lasts
// its duration (a parameter of the fault, so a timer), and ends; then the test measures how long the
// backlog takes to drain, waits for the queues to go idle and asks the checker what became of each message.
import { setTimeout as sleep } from 'node:timers/promises';
import { buildStream, publishStream, type StreamPlan, type StreamRun } from '../harness/device-stream.js';
import { waitFor } from '../harness/servers.js';
import type { FaultEnv } from './fault-env.js';
import { awaitDrain, awaitIdle, checkStream, report, resourcePeaks, type ResourcePeaks, type StreamOutcome } from './outcome.js';

/** Backlog drain budget, R4: twice the outage, but never under the pipeline's ordinary latency plus reconnects. */
export const MIN_DRAIN_BUDGET_MS = 10_000;
export const drainBudget = (outageMs: number) => Math.max(2 * outageMs, MIN_DRAIN_BUDGET_MS);

/** Four stations, four sets of twelve reps each (192 reps, 16 ends), one grinding set; device time ≈ now. */
export function streamPlan(gym: string): StreamPlan {
  return { gym, stations: 4, sets: 4, repsPerSet: 12, grinding: { station: 1, set: 2 }, t0: Date.now() - 5000 };
}

/** 25 messages a second: the 208 messages take about 8 s. */
export const STREAM_RATE = 25;

export interface Fault {
  /** Injects the fault; resolves once it is in place. */
  begin(): Promise<void>;
  /** Ends it; resolves once the faulty part is back (restarted and ready, answering again). */
  end(): Promise<void>;
}

export interface ScenarioResult {
  readonly plan: StreamPlan;
  readonly run: StreamRun;
  readonly outcome: StreamOutcome;
  readonly faultAt: number;
  readonly recoveredAt: number;
  /** From begin() to the end of end(). */
  readonly outageMs: number;
  /** From the recovery (or the stream's last publish, if later) until all is stored; undefined: not within three budgets plus a minute. */
  readonly drainMs: number | undefined;
  readonly resources: ResourcePeaks;
}

export interface ScenarioOptions {
  readonly gym: string;
  readonly fault: Fault;
  /** How long the fault lasts once in place, ms. */
  readonly durationMs: number;
  /** Messages published before the fault begins (default 50, about 2 s into the stream). */
  readonly after?: number;
}

/** Runs the stream through the fault and reports; the caller asserts (expectIntact, expectBounded, drain budget). */
export async function runScenario(env: FaultEnv, options: ScenarioOptions): Promise<ScenarioResult> {
  const plan = streamPlan(options.gym);
  const run = publishStream(env.device, buildStream(plan), { ratePerSecond: STREAM_RATE, window: 1000 });
  await waitFor(async () => (run.records.length >= (options.after ?? 50) ? true : undefined), { what: 'the stream to be under way' });
  const faultAt = Date.now();
  await options.fault.begin();
  await sleep(options.durationMs);
  await options.fault.end();
  const recoveredAt = Date.now();
  const outageMs = recoveredAt - faultAt;
  // The backlog is what piled up during the fault: count from the recovery, or from the last publish when
  // the stream outlasted the fault (its tail is ordinary traffic, not backlog).
  await run.sent;
  const drainFrom = Math.max(recoveredAt, run.records.at(-1)?.sentAt ?? recoveredAt);
  const drainMs = await awaitDrain(env, run, plan, drainFrom, 3 * drainBudget(outageMs) + 60_000);
  await awaitIdle(env).catch(() => undefined); // a queue that never empties shows in the checker's verdict
  const outcome = await checkStream(env, run, plan);
  const resources = resourcePeaks(env, faultAt);
  report(options.gym, outcome, { outageMs, drainMs, drainBudgetMs: drainBudget(outageMs), ...resources });
  return { plan, run, outcome, faultAt, recoveredAt, outageMs, drainMs, resources };
}

// Fault: a stimulus worker frozen (SIGSTOP) in the middle of a set job for 45 s, past its BullMQ lock
// (30 s) and its athlete lock (30 s), then thawed (SIGCONT): the zombie of research §1.5. A second worker
// takes the job over once the lock lapses; the thawed worker then finishes its own run of the same job.
// The job runs twice; its effects must not: the same points overwritten with the same values, each alert
// once, nothing lost.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fieldValue } from '../harness/checker.js';
import { buildStream, publishStream } from '../harness/device-stream.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { awaitDrain, awaitIdle, checkStream, expectBounded, expectIntact, report, resourcePeaks } from './outcome.js';
import { STREAM_RATE, drainBudget, streamPlan } from './scenario.js';
import { LOCK_DURATION_MS, nextHeldWrite, targetSet } from './worker-jobs.js';

const PAUSE_MS = LOCK_DURATION_MS + 15_000;

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'worker-pause', workers: 2 });
});

afterAll(async () => {
  await env?.stop();
});

it('worker frozen mid set job past its lock, then thawed: the job runs twice, its points and alerts once, nothing lost', async () => {
  const plan = streamPlan('gym-worker-pause');
  const target = targetSet(plan, 0, 0);
  const held = nextHeldWrite(env.workerProxies, target, 60_000);
  const run = publishStream(env.device, buildStream(plan), { ratePerSecond: STREAM_RATE, window: 1000 });
  const { held: write, by } = await held;
  const frozen = env.workers[by];
  if (!frozen) throw new Error(`no worker ${by}`);
  const pausedAt = Date.now();
  frozen.pause();
  // The TSDB's answer waits in the frozen worker's socket: thawed, it carries on from the write.
  write.release();
  await sleep(PAUSE_MS);
  frozen.resume();
  const resumedAt = Date.now();
  await run.sent;

  const drainMs = await awaitDrain(env, run, plan, Math.max(resumedAt, run.records.at(-1)?.sentAt ?? 0), 3 * drainBudget(PAUSE_MS));
  await awaitIdle(env);
  const outcome = await checkStream(env, run, plan);
  const resources = resourcePeaks(env, pausedAt);
  // How often the target's set point was written: twice when both runs of the job wrote it.
  const targetWrites = env.tsdb.points().filter((p) => p.measurement === 'set' && p.tags.station === target.station && fieldValue(p.fields.set_id ?? '') === target.setId).length;
  report(plan.gym, outcome, { pausedMs: resumedAt - pausedAt, drainMs, drainBudgetMs: drainBudget(PAUSE_MS), targetSetPointWrites: targetWrites, frozenWorker: by, ...resources });

  expectIntact(outcome);
  expectBounded(resources);
  expect(targetWrites).toBeGreaterThanOrEqual(1);
  expect(drainMs).toBeDefined();
  expect(drainMs).toBeLessThanOrEqual(drainBudget(PAUSE_MS));
});

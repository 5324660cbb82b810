// Fault: the TSDB throttling for 20 s mid-stream, answering every write 429 (too many requests) or 503
// (unavailable), each with `Retry-After: 5`. The writers must wait as asked (decision 0003: the worker's
// queue pauses for the Retry-After without using an attempt; the alerts service backs that alert's job
// off), drop nothing, and catch up within twice the throttled period.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { expectBounded, expectIntact } from './outcome.js';
import { drainBudget, runScenario } from './scenario.js';

const THROTTLED_MS = 20_000;
const RETRY_AFTER_S = 5;

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'tsdb-throttled' });
});

afterAll(async () => {
  env?.tsdb.inject(undefined);
  await env?.stop();
});

for (const status of [429, 503]) {
  it(`TSDB answering ${status} with Retry-After: ${RETRY_AFTER_S} for 20 s: writers wait as asked, nothing lost or duplicated`, async () => {
    const refusedAt: number[] = [];
    const result = await runScenario(env, {
      gym: `gym-tsdb-${status}`,
      durationMs: THROTTLED_MS,
      fault: {
        begin: async () => env.tsdb.inject(() => (refusedAt.push(Date.now()), { status, headers: { 'retry-after': String(RETRY_AFTER_S) } })),
        end: async () => env.tsdb.inject(undefined),
      },
    });
    // Refusals come in bursts (the jobs already running when the queue paused), one burst per pause.
    const bursts = refusedAt.filter((at, i) => i === 0 || at - (refusedAt[i - 1] ?? at) > 1000).length;
    console.log(`[fault-matrix] tsdb ${status} + Retry-After: ${refusedAt.length} writes refused in ${bursts} bursts over ${result.outageMs} ms`);
    expect(refusedAt.length).toBeGreaterThan(0);
    expectIntact(result.outcome);
    expectBounded(result.resources);
    expect(result.outcome.deadLetters.byReason).toEqual({});
    expect(result.drainMs).toBeDefined();
    expect(result.drainMs).toBeLessThanOrEqual(drainBudget(result.outageMs));
  });
}

// Fault: a slow TSDB. For 30 s mid-stream every write takes 2 s longer (a fault proxy in front of each
// writer holds it before forwarding), well inside the writers' 10 s timeout: jobs queue up behind the
// slow writes but nothing fails. Afterwards every acknowledged message is stored once and the backlog
// drains within twice the slow period.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { expectBounded, expectIntact } from './outcome.js';
import { drainBudget, runScenario } from './scenario.js';

const SLOW_MS = 30_000;
const LATENCY_MS = 2000;

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'tsdb-slow' });
});

afterAll(async () => {
  await env?.stop();
});

it('TSDB taking 2 s per write for 30 s mid-stream: nothing lost or duplicated, alerts once, drained within 2× the slow period', async () => {
  const proxies = [...env.workerProxies, env.alertsProxy];
  const writesBefore = proxies.reduce((sum, p) => sum + p.writes(), 0);
  const result = await runScenario(env, {
    gym: 'gym-tsdb-slow',
    durationMs: SLOW_MS,
    fault: {
      begin: async () => proxies.forEach((p) => p.setLatency(LATENCY_MS)),
      end: async () => proxies.forEach((p) => p.setLatency(0)),
    },
  });
  console.log(`[fault-matrix] tsdb slow: ${proxies.reduce((sum, p) => sum + p.writes(), 0) - writesBefore} writes`);
  expectIntact(result.outcome);
  expectBounded(result.resources);
  expect(result.outcome.deadLetters.byReason).toEqual({});
  expect(result.drainMs).toBeDefined();
  expect(result.drainMs).toBeLessThanOrEqual(drainBudget(result.outageMs));
});

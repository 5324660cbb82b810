// Fault: the TSDB down for 60 s mid-stream, two ways: answering every write 503 (the recording proxy, as
// InfluxDB does when it cannot take writes), and not answering at all (the fault proxies in front of the
// writers refuse connections: the network-error path, NL_ERR_TSDB_UNREACHABLE). The worker's and the alerts service's jobs retry with backoff (BullMQ owns
// the retries, decision 0003) and wait in Redis; ingest is not affected. Afterwards every acknowledged
// message is stored once, alerts went out once (MQTT does not wait for the TSDB), and the backlog drains
// within twice the outage.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { expectBounded, expectIntact } from './outcome.js';
import { drainBudget, runScenario } from './scenario.js';

const OUTAGE_MS = 60_000;

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'tsdb-outage' });
});

afterAll(async () => {
  env?.tsdb.inject(undefined);
  await env?.stop();
});

it('TSDB answering 503 for 60 s mid-stream: nothing lost or duplicated, alerts once, drained within 2× the outage', async () => {
  let refused = 0;
  const result = await runScenario(env, {
    gym: 'gym-tsdb-down',
    durationMs: OUTAGE_MS,
    fault: {
      begin: async () => env.tsdb.inject(() => (refused++, { status: 503, body: '{"code":"unavailable","message":"injected outage"}' })),
      end: async () => env.tsdb.inject(undefined),
    },
  });
  console.log(`[fault-matrix] tsdb 503 outage: ${refused} writes refused`);
  expect(refused).toBeGreaterThan(0);
  expectIntact(result.outcome);
  expectBounded(result.resources);
  expect(result.outcome.deadLetters.byReason).toEqual({});
  expect(result.drainMs).toBeDefined();
  expect(result.drainMs).toBeLessThanOrEqual(drainBudget(result.outageMs));
});

it('TSDB refusing connections for 60 s mid-stream: nothing lost or duplicated, alerts once, drained within 2× the outage', async () => {
  const proxies = [...env.workerProxies, env.alertsProxy];
  const result = await runScenario(env, {
    gym: 'gym-tsdb-refused',
    durationMs: OUTAGE_MS,
    fault: {
      begin: async () => {
        await Promise.all(proxies.map((p) => p.refuse()));
      },
      end: async () => {
        await Promise.all(proxies.map((p) => p.accept()));
      },
    },
  });
  expectIntact(result.outcome);
  expectBounded(result.resources);
  expect(result.outcome.deadLetters.byReason).toEqual({});
  expect(result.drainMs).toBeDefined();
  expect(result.drainMs).toBeLessThanOrEqual(drainBudget(result.outageMs));
});

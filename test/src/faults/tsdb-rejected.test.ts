// Fault: the TSDB refusing writes for good. 413 (request too large: this TSDB takes at most 1 KB per
// write) and 422 (unprocessable: one station's points conflict with the schema). Decision 0003: any 4xx
// other than 429 is dead-lettered (`tsdb_rejected`) and not retried, so the message is kept with its reason
// instead of being lost or retried forever.
//
// 413 is the one refusal a writer can get past by itself: the same lines in smaller writes are
// accepted. The sink (packages/storage) writes a refused request in halves until they fit, so a closed
// set's write (set point, NSI, exposure and acute window, and its rep points again if they came out of
// order: 10–18 lines, ~2–4 KB) is stored whole; only a single line over the limit would be dead-lettered.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { expectBounded, readDeadLetters } from './outcome.js';
import { runScenario } from './scenario.js';

// A closed set writes about 1.6 KB (10 lines when its reps came in order, decision 0015): a limit under that makes
// every set write need halving.
const MAX_BODY_BYTES = 1024;

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'tsdb-rejected' });
});

afterAll(async () => {
  env?.tsdb.inject(undefined);
  await env?.stop();
});

/** How often each distinct refused body was refused: more than once would be a retry of a 4xx. */
function refusalsPerBody(bodies: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const body of bodies) counts.set(body, (counts.get(body) ?? 0) + 1);
  return [...new Set(counts.values())];
}

it('TSDB refusing writes over 1 KB with 413: the worker writes in halves until they fit; every set and rep stored once, nothing lost', async () => {
  const refused: string[] = [];
  try {
    const result = await runScenario(env, {
      gym: 'gym-tsdb-413',
      after: 1,
      durationMs: 0,
      fault: {
        begin: async () => env.tsdb.inject((body) => (Buffer.byteLength(body) > MAX_BODY_BYTES ? (refused.push(body), { status: 413, body: '{"code":"request too large","message":"request body exceeds 1024 bytes"}' }) : undefined)),
        end: async () => undefined, // the limit stays: it is the TSDB's, not a passing fault
      },
    });
    const { reps, sets, alerts } = result.outcome;
    const letters = (await readDeadLetters(env)).items.filter((item) => item.reason === 'tsdb_rejected' && item.payload.includes('gym-tsdb-413'));
    const longestLine = Math.max(...refused.flatMap((body) => body.split('\n').map((line) => Buffer.byteLength(line))));
    console.log(`[fault-matrix] tsdb 413: ${refused.length} writes refused (${refused.map((b) => Buffer.byteLength(b)).join(', ')} bytes; longest line ${longestLine} bytes), ${letters.length} dead letters`);
    expect(reps.counts).toMatchObject({ 'stored-once': 192, lost: 0, duplicated: 0, altered: 0, unexpected: 0 });
    // Each line is far under the limit, so halving gets every set's write past it: nothing dead-lettered.
    expect(sets.counts).toMatchObject({ 'stored-once': 16, 'dead-lettered': 0, lost: 0, duplicated: 0, unexpected: 0 });
    expect(letters).toHaveLength(0);
    expect(refused.length).toBeGreaterThanOrEqual(16);
    expect(refusalsPerBody(refused)).toEqual([1]);
    expect(longestLine).toBeLessThan(MAX_BODY_BYTES);
    expect(alerts.duplicated).toEqual([]);
    expect(alerts.grindingHighFatigue).toBeGreaterThanOrEqual(1);
    expectBounded(result.resources);
  } finally {
    env.tsdb.inject(undefined);
  }
});

it('TSDB refusing one station’s writes with 422: its reps and sets dead-lettered once, nothing lost, every other station’s reps and sets stored', async () => {
  const refused: string[] = [];
  const station = 'gym-tsdb-422-st-3';
  try {
    const result = await runScenario(env, {
      gym: 'gym-tsdb-422',
      after: 1,
      durationMs: 0,
      fault: {
        begin: async () => env.tsdb.inject((body) => (body.includes(`station=${station}`) ? (refused.push(body), { status: 422, body: '{"code":"unprocessable entity","message":"failure writing points to database: partial write: field type conflict"}' }) : undefined)),
        end: async () => undefined,
      },
    });
    const { reps, sets } = result.outcome;
    console.log(`[fault-matrix] tsdb 422: ${refused.length} writes refused`);
    // Exactly the station's 48 reps: a rep batch refused whole is written again set by set, so a rep of
    // another station that shared a batch with them is stored, not dead-lettered along with them.
    expect(reps.counts).toMatchObject({ 'stored-once': 144, 'dead-lettered': 48, lost: 0, duplicated: 0, altered: 0, unexpected: 0 });
    expect(sets.counts).toMatchObject({ 'stored-once': 12, 'dead-lettered': 4, lost: 0, duplicated: 0 });
    expect(refusalsPerBody(refused)).toEqual([1]);
    expectBounded(result.resources);
  } finally {
    env.tsdb.inject(undefined);
  }
});

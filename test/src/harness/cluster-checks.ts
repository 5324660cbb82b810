// The checker's verdict on the cluster pipeline: every shard's dead letters, the recorded TSDB writes and
// the NSI points of the gyms' streams, and the exactly-once expectation.
import type { ShardLayout } from '@neurolift/contracts';
import type { Cluster } from 'ioredis';
import { expect } from 'vitest';
import { checkQueue, repPoint, setPoint, type CheckResult, type PublishedMessage } from './checker.js';
import { LAYOUT } from './cluster-layout.js';
import type { ClusterPipeline } from './cluster-pipeline.js';
import { deadLetteredIds } from './dead-letter-ids.js';
import type { RecordedPoint } from './recording-proxy.js';
import { waitFor } from './servers.js';

export interface ClusterOutcome {
  readonly reps: CheckResult;
  readonly sets: CheckResult;
  /** Athletes whose session NSI points (distinct times) are not exactly their sets' last reps. */
  readonly nsiMismatches: string[];
  readonly deadLetters: number;
}

/** Every shard's dead letters (the default tenant's list), as the checker's ids. */
export async function readDeadLetters(client: Cluster, layout: ShardLayout = LAYOUT): Promise<{ ids: Set<string>; count: number }> {
  const lists = await Promise.all(Array.from({ length: layout.count }, (_, n) => client.lrange(layout.keys(n).deadLetters, 0, -1)));
  const items = lists.flat().map((text) => JSON.parse(text) as { topic: string; reason: string; payload: string });
  return { ids: deadLetteredIds(items).ids, count: items.length };
}

/** The checker's verdict on the messages of `gyms`, from the recorded TSDB writes and the dead letters. */
export async function checkGyms(pipeline: ClusterPipeline, published: readonly PublishedMessage[], nsi: ReadonlyMap<string, readonly number[]>, gyms: readonly string[]): Promise<ClusterOutcome> {
  const ours = new Set(gyms);
  const all = pipeline.tsdb.points();
  const points = all.filter((p) => p.tags.gym !== undefined && ours.has(p.tags.gym));
  const letters = await readDeadLetters(pipeline.client);
  const reps = checkQueue({ published: published.filter((m) => m.id.startsWith('rep/')), points: points.filter((p) => p.measurement === 'rep').map(repPoint), deadLettered: letters.ids });
  const sets = checkQueue({
    published: published.filter((m) => m.id.startsWith('set/')),
    points: points.filter((p) => p.measurement === 'set').map(setPoint),
    deadLettered: letters.ids,
    // Model terms of a set point are rewritten on purpose when an earlier set is computed after it.
    mutableFields: ['e1rm_kg', 'e1rm_source', 'rel_intensity', 'rir_last', 'impulse', 'lactate_increment', 'model'],
  });
  return { reps, sets, nsiMismatches: nsiMismatches(all, nsi), deadLetters: letters.count };
}

function nsiMismatches(points: readonly RecordedPoint[], expected: ReadonlyMap<string, readonly number[]>): string[] {
  const stored = new Map<string, Set<number>>();
  for (const point of points) {
    const athlete = point.tags.athlete;
    if (point.measurement !== 'neurotrophic_stimulus' || athlete === undefined || !expected.has(athlete)) continue;
    stored.set(athlete, (stored.get(athlete) ?? new Set()).add(point.ts));
  }
  const out: string[] = [];
  for (const [athlete, times] of expected) {
    const got = [...(stored.get(athlete) ?? [])].sort((a, b) => a - b);
    if (JSON.stringify(got) !== JSON.stringify(times)) out.push(`${athlete}: NSI at ${JSON.stringify(got)}, sets ended at ${JSON.stringify(times)}`);
  }
  return out;
}

/** Until every acknowledged message of `published()` is stored (or dead-lettered) and every NSI point is there. */
export async function awaitStored(pipeline: ClusterPipeline, published: () => readonly PublishedMessage[], nsi: ReadonlyMap<string, readonly number[]>, gyms: readonly string[], timeoutMs: number): Promise<ClusterOutcome> {
  return waitFor(
    async () => {
      const outcome = await checkGyms(pipeline, published(), nsi, gyms);
      return outcome.reps.counts.lost + outcome.sets.counts.lost === 0 && outcome.nsiMismatches.length === 0 ? outcome : undefined;
    },
    { what: 'every acknowledged message stored and every set NSI point written', timeoutMs, intervalMs: 500 },
  );
}

/** Every acknowledged message stored exactly once (none lost, duplicated, altered, dead-lettered or made up), every set's NSI point. */
export function expectExactlyOnce(outcome: ClusterOutcome): void {
  for (const [kind, result] of [['reps', outcome.reps], ['sets', outcome.sets]] as const) {
    const lost = [...result.outcomeOf].filter(([, o]) => o === 'lost').map(([id]) => id);
    expect({ kind, lost, duplicated: result.examples.duplicated, altered: result.examples.altered, unexpected: result.examples.unexpected, deadLettered: result.counts['dead-lettered'], storedOnce: result.counts['stored-once'] }).toEqual({
      kind, lost: [], duplicated: [], altered: [], unexpected: [], deadLettered: 0, storedOnce: result.counts.published,
    });
  }
  expect(outcome.nsiMismatches).toEqual([]);
  expect(outcome.deadLetters).toBe(0);
}

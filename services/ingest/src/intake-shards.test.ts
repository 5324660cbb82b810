import { createLogger, createRegistry } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { createIngestMetrics } from './ingest-metrics.js';
import { createIntake } from './intake.js';
import type { IntakeCommit, IntakeStore } from './ports.js';
import { groupByShard } from '@neurolift/contracts';
import { ackableUpTo } from './shard-parts.js';

const NOW = 1793032880000 + 1000;
const status = new TextEncoder().encode('{ "v": 1, "online": true, "ts": 1793032880000 }');

/** A store that records the stations of each commit, after failing its first `failures` commits. */
function recordingStore(failures = 0, onCommit: () => void = () => undefined) {
  const commits: string[][] = [];
  let left = failures;
  const store: IntakeStore = {
    async commit(batch: IntakeCommit) {
      if (left > 0) {
        left--;
        throw new Error('shard master unreachable');
      }
      commits.push(batch.ops.map((op) => (op.kind === 'rep' ? op.rep.stationId : op.stationId)));
      onCommit();
      return { setsClosed: 0 };
    },
  };
  return { store, commits };
}

function run(stores: IntakeStore[], messages: ReadonlyArray<{ gym: string; station: string }>) {
  const acked: string[] = [];
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const intake = createIntake({
    stores,
    shardOf: (_tenant, gym) => Number(gym.slice(1)),
    clock: () => NOW,
    metrics: createIngestMetrics(createRegistry()),
    logger: createLogger({ name: 'test', level: 'silent' }),
    window: { maxFutureMs: 60_000, maxAgeMs: 7 * 24 * 3600_000 },
    // One batch: it fills up with the last message.
    batchMaxItems: messages.length,
    batchMaxWaitMs: 10_000,
    deadLetterPayloadBytes: 1024,
    onSetsClosed: () => undefined,
  });
  for (const { gym, station } of messages) {
    intake.accept({
      topic: `gym/v1/${gym}/${station}/status`,
      payload: status,
      ack: () => {
        acked.push(station);
        if (acked.length === messages.length) resolveAll();
      },
    });
  }
  return { acked, all, close: () => intake.close(1000) };
}

describe('intake over shards', () => {
  it('commits one part per shard and acknowledges in arrival order once every earlier part is in', async () => {
    const s0 = recordingStore();
    const s1 = recordingStore();
    const { acked, all, close } = run([s0.store, s1.store], [
      { gym: 'g1', station: 'a' },
      { gym: 'g0', station: 'b' },
      { gym: 'g1', station: 'c' },
      { gym: 'g0', station: 'd' },
    ]);
    await all;
    expect(acked).toEqual(['a', 'b', 'c', 'd']);
    expect(s0.commits).toEqual([['b', 'd']]);
    expect(s1.commits).toEqual([['a', 'c']]);
    await close();
  });

  it('retries a failed shard alone: the committed shard is not written again, and nothing after the failed message is acknowledged before it', async () => {
    const s0 = recordingStore();
    let ackedBeforeB: string[] = [];
    const s1 = recordingStore(2, () => (ackedBeforeB = [...acked]));
    const { acked, all, close } = run([s0.store, s1.store], [
      { gym: 'g0', station: 'a' },
      { gym: 'g1', station: 'b' },
      { gym: 'g0', station: 'c' },
    ]);
    await all;
    // Shard 0 committed a and c at the first attempt; b's shard failed twice. a was acknowledged at once,
    // c only after b: the order holds, and shard 0's part was written once.
    expect(ackedBeforeB).toEqual(['a']);
    expect(acked).toEqual(['a', 'b', 'c']);
    expect(s0.commits).toEqual([['a', 'c']]);
    expect(s1.commits).toEqual([['b']]);
    await close();
  });
});

describe('shard parts', () => {
  it('splits by shard keeping arrival order within each part', () => {
    const parts = groupByShard([5, 2, 7, 4, 9], (n) => n % 2);
    expect([...parts]).toEqual([
      [1, [5, 7, 9]],
      [0, [2, 4]],
    ]);
  });

  it('acknowledges up to the first item not done', () => {
    expect(ackableUpTo([true, true, false, true], 0, (x) => x)).toBe(2);
    expect(ackableUpTo([true, true, false, true], 2, (x) => x)).toBe(2);
    expect(ackableUpTo([true], 1, (x) => x)).toBe(1);
  });
});

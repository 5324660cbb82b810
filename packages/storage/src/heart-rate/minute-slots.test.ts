import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockSlots, MINUTE_MS, readingsOf } from './minute-slots.js';

/** What a sequence of blocks leaves stored: a slot keeps the higher reading (the merge script's rule). */
function store(blocks: ReadonlyArray<{ t0: number; bpm: number[] }>): Map<number, string[]> {
  const stored = new Map<number, string[]>();
  for (const block of blocks) {
    for (const [minute, slots] of blockSlots(block.t0, block.bpm)) {
      const old = stored.get(minute);
      stored.set(minute, old === undefined ? slots : slots.map((value, i) => (value === '' || (old[i] !== '' && Number(old[i]) > Number(value)) ? (old[i] as string) : value)));
    }
  }
  return stored;
}

function readings(stored: Map<number, string[]>) {
  return [...stored].sort(([a], [b]) => a - b).flatMap(([minute, slots]) => readingsOf(minute, slots.join(',')));
}

describe('heart rate in minute slots', () => {
  it('puts each reading in the slot of its whole second, across minute boundaries', () => {
    const t0 = 1_793_032_858_400; // 58.4 s into a minute
    const slots = blockSlots(t0, [96, 97, 99.5, 101]);
    const minute = Math.floor(t0 / MINUTE_MS);
    expect([...slots.keys()]).toEqual([minute, minute + 1]);
    expect(readings(slots)).toEqual([
      { ts: minute * MINUTE_MS + 58_000, bpm: 96 },
      { ts: minute * MINUTE_MS + 59_000, bpm: 97 },
      { ts: (minute + 1) * MINUTE_MS, bpm: 99.5 },
      { ts: (minute + 1) * MINUTE_MS + 1000, bpm: 101 },
    ]);
  });

  it('a stretch stored in any chunking and order, with repeats, reads back as the stretch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59_999 }),
        fc.array(fc.integer({ min: 25, max: 250 }), { minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (offset, bpm, cuts, shuffle) => {
          const t0 = 1_793_032_800_000 + offset;
          const blocks: Array<{ t0: number; bpm: number[] }> = [];
          for (let i = 0, c = 0; i < bpm.length; c++) {
            const n = cuts[c % cuts.length] as number;
            blocks.push({ t0: t0 + i * 1000, bpm: bpm.slice(i, i + n) });
            i += n;
          }
          const order = [...blocks];
          for (const [i, pick] of shuffle.entries()) {
            const j = pick % order.length;
            [order[i % order.length], order[j]] = [order[j] as (typeof order)[number], order[i % order.length] as (typeof order)[number]];
          }
          const withRepeats = [...order, ...order.slice(0, 2)];
          const got = readings(store(withRepeats));
          expect(got.map((r) => r.bpm)).toEqual(bpm);
          got.forEach((reading, i) => expect(reading.ts).toBe(Math.floor((t0 + i * 1000) / 1000) * 1000));
        },
      ),
    );
  });
});

/*
 * Heart rate is kept per athlete and minute, one slot a second: a block's reading i (at t0 + i·1000 ms)
 * goes to the slot of the whole second it falls in. So blocks of two straps, or a block re-sent with
 * another chunking, land in the same slots, and a few minute fields hold any window a set needs.
 */
import type { HeartRateSecond } from './heart-rate-store.js';

export const MINUTE_MS = 60_000;
const SLOTS = 60;

/** The minute of an epoch ms (the hash field). */
export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS);
}

/** A block as the slots of each minute it touches: minute → 60 slots, '' where the block has no reading. */
export function blockSlots(t0: number, bpm: readonly number[]): Map<number, string[]> {
  const minutes = new Map<number, string[]>();
  bpm.forEach((value, i) => {
    const ts = t0 + i * 1000;
    const minute = minuteOf(ts);
    let slots = minutes.get(minute);
    if (slots === undefined) {
      slots = new Array<string>(SLOTS).fill('');
      minutes.set(minute, slots);
    }
    slots[Math.floor((ts - minute * MINUTE_MS) / 1000)] = String(value);
  });
  return minutes;
}

/** The readings of a stored minute field, in time order. */
export function readingsOf(minute: number, packed: string): HeartRateSecond[] {
  const out: HeartRateSecond[] = [];
  packed.split(',').forEach((text, slot) => {
    if (text === '') return;
    const bpm = Number(text);
    if (Number.isFinite(bpm)) out.push({ ts: minute * MINUTE_MS + slot * 1000, bpm });
  });
  return out;
}

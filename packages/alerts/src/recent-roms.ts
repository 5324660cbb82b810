/**
 * The in-set rules' median ROM of an athlete and exercise: over the ROMs of the athlete's latest sets of the
 * exercise, kept by set (so a set judged twice counts once) and bounded, so reading it costs the same however
 * long the athlete has trained.
 */
import type { AthleteSet } from '@neurolift/stimulus';
import { median } from './compare.js';

/** ROMs, m, by set key, oldest set first. */
export type RecentRoms = Readonly<Record<string, readonly number[]>>;

/** How many of the latest sets of an exercise the median ROM is taken over. */
export const RECENT_ROM_SETS = 20;

/** The ROMs with `set`'s (the reps that carry one) as the latest; the oldest sets beyond the bound dropped. */
export function withSetRoms(previous: RecentRoms, set: AthleteSet): RecentRoms {
  const entries = Object.entries(previous).filter(([key]) => key !== set.key);
  const roms = set.reps.flatMap((rep) => (rep.rom !== undefined && Number.isFinite(rep.rom) && rep.rom > 0 ? [rep.rom] : []));
  if (roms.length > 0) entries.push([set.key, roms]);
  return Object.fromEntries(entries.slice(-RECENT_ROM_SETS));
}

/** The median of every ROM kept; undefined when none. */
export function medianRomOf(roms: RecentRoms): number | undefined {
  return median(Object.values(roms).flat());
}

/** Builders shared by this package's tests (not exported from the package). */
import type { RepRecord } from '@neurolift/contracts';
import { athleteSetKey, type AthleteSet, type ModelRep } from '@neurolift/stimulus';

/** 2025-03-03 10:00:00 UTC. */
export const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const REP_GAP_MS = 3_000;

export interface RepSpec {
  readonly velocities: readonly number[];
  readonly roms?: ReadonlyArray<number | undefined>;
  /** 1-based rep indices flagged partial by segmentation. */
  readonly partial?: readonly number[];
  readonly loadKg?: number;
  readonly exercise?: string;
  readonly setId?: string;
  readonly stationId?: string;
  readonly athleteId?: string;
  readonly gymId?: string;
  readonly start?: number;
}

/** The reps of one open set as ingest stores them. */
export function repRecords(spec: RepSpec): RepRecord[] {
  return spec.velocities.map((meanVelocity, index) => {
    const rom = spec.roms?.[index];
    return {
      gymId: spec.gymId ?? 'gym-01',
      stationId: spec.stationId ?? 'st-1',
      athleteId: spec.athleteId ?? 'ath-b',
      setId: spec.setId ?? 'b-bp-1',
      exercise: spec.exercise ?? 'bench_press',
      repIndex: index + 1,
      ts: (spec.start ?? T0) + index * REP_GAP_MS,
      loadKg: spec.loadKg ?? 60,
      meanVelocity,
      ...(rom === undefined ? {} : { rom }),
      ...(spec.partial?.includes(index + 1) === true ? { partial: true } : {}),
      source: 'samples',
    };
  });
}

export interface SetSpec {
  readonly id: string;
  readonly start: number;
  readonly loadKg: number;
  readonly velocities: readonly number[];
  readonly exercise?: string;
  readonly station?: string;
  readonly gymId?: string;
}

/** A closed set as the athlete state stores it. */
export function athleteSet(spec: SetSpec): AthleteSet {
  const stationId = spec.station ?? 'st-1';
  const reps: ModelRep[] = spec.velocities.map((meanVelocity, index) => ({
    repIndex: index + 1,
    ts: spec.start + index * REP_GAP_MS,
    loadKg: spec.loadKg,
    meanVelocity,
  }));
  return { key: athleteSetKey(stationId, spec.id), gymId: spec.gymId ?? 'gym-01', stationId, setId: spec.id, exercise: spec.exercise ?? 'back_squat', reps };
}

/** A linear fatigue curve: v0, v0 − drop, v0 − 2·drop, … */
export function fatigue(v0: number, reps: number, drop: number): number[] {
  return Array.from({ length: reps }, (_, index) => v0 - index * drop);
}

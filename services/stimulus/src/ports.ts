import type { RepRecord } from '@neurolift/contracts';

/** Where points go: InfluxDB line protocol, written durably before the promise resolves. */
export interface PointSink {
  write(lines: readonly string[]): Promise<void>;
}

/** Reps stored with their set by ingest. */
export interface SetStore {
  /** All reps of a set. */
  setReps(stationId: string, setId: string): Promise<RepRecord[]>;
  /** Reps 1–3 of each set (what velocity loss is measured against), keyed `station:set`. */
  firstReps(sets: ReadonlyArray<{ stationId: string; setId: string }>): Promise<Map<string, RepRecord[]>>;
}

export interface WorkerDeadLetter {
  readonly topic: string;
  readonly reason: string;
  readonly detail: string;
  readonly payload: string;
}

export interface DeadLetterSink {
  add(letter: WorkerDeadLetter): Promise<void>;
}

import type { AlertCandidate, AlertConfig } from '@neurolift/alerts';
import type { LiveStation } from '@neurolift/contracts';
import type { AthleteStore, HeartRateStore, ModelSettings } from '@neurolift/storage';
import type { AlertQueues, AlertState, LiveBoard } from '../ports.js';

/** What every check reads and where its results go. */
export interface CheckDeps {
  readonly state: AlertState;
  /** The worker's athlete records: the alert rules read its model terms, they model nothing themselves. */
  readonly athletes: Pick<AthleteStore, 'record' | 'records' | 'entries' | 'nextEntry' | 'dailyLoads'>;
  readonly live: LiveBoard;
  readonly queues: AlertQueues;
  readonly config: AlertConfig;
  /**
   * Whether a gym's keys are in the shard this check's job came from: the daily run of every gym the alerts
   * config does not list judges these only (each shard has its own such run). Absent: every gym (one shard).
   */
  readonly inShard?: ((gymId: string) => boolean) | undefined;
  readonly model: ModelSettings;
  readonly clock: () => number;
  /**
   * The athletes' heart rate by the second (written by the worker from `hr` blocks): what `incomplete_recovery`
   * reads at a set close. Absent: no heart rate, so that rule never fires.
   */
  readonly heartRate?: Pick<HeartRateStore, 'seconds'> | undefined;
  /**
   * ALERT_IN_SET_MAX_AGE_MS: a rep older than this by `clock` raises no in-set alert and its set is not shown
   * live on the console (a late upload). Absent: no bound.
   */
  readonly inSetMaxAgeMs?: number | undefined;
  /** ALERT_SESSION_END_SETTLE_MS: the least delay of a session-end check after its set closed. Absent: none. */
  readonly sessionEndSettleMs?: number | undefined;
}

/** A check's findings: alerts to deliver and, for set checks, the station's new live state. */
export interface CheckResult {
  readonly candidates: readonly AlertCandidate[];
  readonly live?: readonly LiveStation[];
  /** State to save once the alerts are enqueued (so a retry before that finds the same alerts). */
  readonly afterwards?: () => Promise<void>;
}

export const NOTHING: CheckResult = { candidates: [] };

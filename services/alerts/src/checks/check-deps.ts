import type { AlertCandidate, AlertConfig } from '@neurolift/alerts';
import type { LiveStation } from '@neurolift/contracts';
import type { AthleteStore, ModelSettings } from '@neurolift/storage';
import type { AlertQueues, AlertState, LiveBoard } from '../ports.js';

/** What every check reads and where its results go. */
export interface CheckDeps {
  readonly state: AlertState;
  /** The worker's athlete records: the alert rules read its model terms, they model nothing themselves. */
  readonly athletes: Pick<AthleteStore, 'record' | 'records' | 'entries' | 'nextEntry' | 'dailyLoads'>;
  readonly live: LiveBoard;
  readonly queues: AlertQueues;
  readonly config: AlertConfig;
  readonly model: ModelSettings;
  readonly clock: () => number;
}

/** A check's findings: alerts to deliver and, for set checks, the station's new live state. */
export interface CheckResult {
  readonly candidates: readonly AlertCandidate[];
  readonly live?: readonly LiveStation[];
  /** State to save once the alerts are enqueued (so a retry before that finds the same alerts). */
  readonly afterwards?: () => Promise<void>;
}

export const NOTHING: CheckResult = { candidates: [] };

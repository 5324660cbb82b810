import { PipelineError } from '@neurolift/platform';
import type { TsdbEraser } from '@neurolift/storage';
import type { AthleteRedisEraser } from './ports.js';

/** The tag every athlete measurement carries (rep, set, neurotrophic_*, alert). */
const ATHLETE_TAG = 'athlete';

/** What happened in the TSDB: `skipped` when TSDB_DELETE_API is `none`. */
export type TsdbErasure = 'deleted' | 'skipped' | 'failed';

/** The answer to an erasure (no personal data but the id the caller sent). */
export interface ErasureReport {
  readonly athleteId: string;
  readonly redisKeysDeleted: number;
  readonly redisEntriesRemoved: number;
  readonly tsdb: TsdbErasure;
  /** What still holds data of the athlete, and until when. */
  readonly remaining: string;
}

export type ErasureResult =
  | { readonly outcome: 'completed'; readonly report: ErasureReport }
  /** Redis is erased, the TSDB is not: calling again finishes the job. */
  | { readonly outcome: 'tsdb_failed'; readonly report: ErasureReport; readonly error: PipelineError };

export interface AthleteErasure {
  /**
   * Idempotent. `bucket`: the athlete's tenant's (default: the eraser's own, INFLUX_BUCKET). Throws
   * PipelineError `NL_ERR_ATHLETE_BUSY` when the worker keeps the athlete locked.
   */
  erase(athleteId: string, bucket?: string): Promise<ErasureResult>;
}

export interface AthleteErasureDeps {
  readonly redis: AthleteRedisEraser;
  /** Undefined when TSDB_DELETE_API is `none`. */
  readonly tsdb: TsdbEraser | undefined;
}

const ALWAYS_REMAINING =
  'Not erased: the state of sets the worker has not processed yet (expires 8 days after its last change); ' +
  "the delayed session-end alert checks of the athlete's last sets (they run the session gap, 2 h by default, " +
  'plus a minute after the last set, find nothing and are removed); queued and finished jobs carrying the ' +
  'athlete id (completed alert jobs 7 days, webhook jobs 1 day, failed jobs until 10000 newer failures of ' +
  'their queue); dead letters holding its raw messages (the newest DEAD_LETTER_MAX are kept); backups of ' +
  'Redis and the TSDB. Data the pipeline receives for this athlete from now on (a new set, a device ' +
  're-sending) is stored again.';

/** The `remaining` text of a report. */
export function remainingAfterErasure(athleteId: string, tsdb: TsdbErasure): string {
  switch (tsdb) {
    case 'deleted':
      return ALWAYS_REMAINING;
    case 'skipped':
      return `The TSDB was not touched (TSDB_DELETE_API=none): delete the series tagged athlete="${athleteId}" there, or wait for its retention. ${ALWAYS_REMAINING}`;
    case 'failed':
      return `The TSDB still holds the athlete's points: its delete failed; retry this request (it is idempotent). ${ALWAYS_REMAINING}`;
  }
}

/**
 * Erases an athlete: Redis first, then every TSDB series tagged with the athlete, both while holding the
 * athlete's lock so that no set of the athlete is half-stored around it. A failed TSDB delete leaves
 * Redis erased and is reported, not thrown: the same call again completes the erasure.
 */
export function createAthleteErasure(deps: AthleteErasureDeps): AthleteErasure {
  return {
    erase: (athleteId, bucket) =>
      deps.redis.withAthleteLock(athleteId, async (): Promise<ErasureResult> => {
        const redis = await deps.redis.erase(athleteId);
        const report = (tsdb: TsdbErasure): ErasureReport => ({
          athleteId,
          redisKeysDeleted: redis.keysDeleted,
          redisEntriesRemoved: redis.entriesRemoved,
          tsdb,
          remaining: remainingAfterErasure(athleteId, tsdb),
        });
        if (deps.tsdb === undefined) return { outcome: 'completed', report: report('skipped') };
        try {
          await deps.tsdb.deleteSeries({ key: ATHLETE_TAG, value: athleteId }, bucket);
        } catch (error) {
          if (!(error instanceof PipelineError)) throw error;
          return { outcome: 'tsdb_failed', report: report('failed'), error };
        }
        return { outcome: 'completed', report: report('deleted') };
      }),
  };
}

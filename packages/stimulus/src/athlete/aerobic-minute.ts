/*
 * A minute of an athlete's heart rate as the athlete's fold sees it (model nsi-1.1): the aerobic sum of its
 * counted samples, kept per minute so that heart rate joins the incremental state without any sample being
 * read again for later blocks (decision 0020).
 */
import type { AerobicSum } from '../model/heart-rate-aerobic.js';
import { MINUTE_MS } from '../model/time.js';
import type { AthleteSet } from './athlete-set.js';

export interface AerobicMinute {
  readonly kind: 'aerobic';
  /** `~hr.<minute>`: `~` cannot occur in a set's key (protocol ids), so the two never collide. */
  readonly key: string;
  /** Epoch minute (epoch ms ÷ 60 000). */
  readonly minute: number;
  /** The minute's last millisecond: where the minute sits in the athlete's order and the time of its session point. */
  readonly ts: number;
  /** The minute's counted samples (outside every set's resistance interval, r ≥ 0.5). */
  readonly sum: AerobicSum;
}

/** What the athlete's order holds: sets, and minutes of heart rate at or above the count threshold. */
export type Activity = AthleteSet | AerobicMinute;

const PREFIX = '~hr.';

export function aerobicKey(minute: number): string {
  return `${PREFIX}${minute}`;
}

export function isAerobicKey(key: string): boolean {
  return key.startsWith(PREFIX);
}

export function isAerobic(activity: Activity): activity is AerobicMinute {
  return 'kind' in activity && activity.kind === 'aerobic';
}

export function aerobicMinute(minute: number, sum: AerobicSum): AerobicMinute {
  return { kind: 'aerobic', key: aerobicKey(minute), minute, ts: minute * MINUTE_MS + MINUTE_MS - 1, sum };
}

/** Whether the minute holds activity: counted samples (a minute all of whose samples lie in sets' intervals does not). */
export function isCountedMinute(minute: AerobicMinute): boolean {
  return minute.sum.counted > 0 && minute.sum.firstCountedTs !== undefined && minute.sum.lastCountedTs !== undefined;
}

import { QUEUES } from '@neurolift/contracts';

/**
 * Where a key of one shard belongs, read from its name (the part after the shard's prefix and `:`): the
 * layout of redis-keys.ts, one entry per key family. What a reshard does with each:
 * - `gym`, `station`, `set`, `athlete`: moved whole to the owner's shard (a station's and a set's gym is in
 *   the station or set hash, read first);
 * - `every`: an alert's delivery record, which does not name its gym: copied to every shard (it expires);
 * - `merge`: one key a shard that gathers entries of many owners: its entries are redistributed or merged;
 * - `queue`: a BullMQ queue's key (its jobs are handled as jobs, not keys);
 * - `control`: the control plane's (the registry, tokens, audit, the gyms with sets): never moved;
 * - `drop`: a lock with nothing to keep; `unknown`: not the pipeline's, left alone and reported. Pure.
 */
export type KeyPlace =
  | { readonly kind: 'gym'; readonly gymId: string }
  | { readonly kind: 'station'; readonly stationId: string }
  | { readonly kind: 'set'; readonly stationId: string; readonly setId: string }
  | { readonly kind: 'athlete'; readonly athleteId: string }
  | { readonly kind: 'every' }
  | { readonly kind: 'merge'; readonly what: 'dead-letters' | 'dead-letter-counts' | 'athlete-tenants' | 'idle-sets' | 'closing-sets' }
  | { readonly kind: 'queue'; readonly queue: string }
  | { readonly kind: 'control' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'unknown' };

const QUEUE_NAMES = new Set<string>(Object.values(QUEUES));
const SET_PARTS = new Set(['reps', 'segmenter', 'samples-inbox', 'segmented-outbox']);

export function keyPlace(name: string): KeyPlace {
  const parts = name.split(':');
  const [head = '', second, third, fourth] = parts;
  // Ingest's set lists share the `sets` queue's prefix: named before the queue's keys.
  if (head === 'sets' && parts.length === 2) {
    if (second === 'idle') return { kind: 'merge', what: 'idle-sets' };
    if (second === 'closing') return { kind: 'merge', what: 'closing-sets' };
    if (second === 'closer-lock') return { kind: 'drop' };
  }
  if (QUEUE_NAMES.has(head) && parts.length > 1) return { kind: 'queue', queue: head };
  switch (head) {
    case 'dead-letters':
      if (parts.length === 1) return { kind: 'merge', what: 'dead-letters' };
      return second === 'counts' && parts.length === 2 ? { kind: 'merge', what: 'dead-letter-counts' } : { kind: 'unknown' };
    case 'tenant':
      if (third !== 'dead-letters' || second === undefined) return { kind: 'unknown' };
      if (parts.length === 3) return { kind: 'merge', what: 'dead-letters' };
      return fourth === 'counts' && parts.length === 4 ? { kind: 'merge', what: 'dead-letter-counts' } : { kind: 'unknown' };
    case 'station':
      return second !== undefined && parts.length === 2 ? { kind: 'station', stationId: second } : { kind: 'unknown' };
    case 'set':
      if (second === undefined || third === undefined) return { kind: 'unknown' };
      if (parts.length === 3 || (parts.length === 4 && fourth !== undefined && SET_PARTS.has(fourth))) return { kind: 'set', stationId: second, setId: third };
      return { kind: 'unknown' };
    case 'alert':
      return parts.length === 2 ? { kind: 'every' } : { kind: 'unknown' };
    case 'alert-cooldown':
      return second !== undefined && parts.length === 3 ? { kind: 'athlete', athleteId: second } : { kind: 'unknown' };
    case 'gyms':
      return parts.length === 1 ? { kind: 'control' } : { kind: 'unknown' };
    case 'gym':
    case 'live':
      return second !== undefined && parts.length <= 3 ? { kind: 'gym', gymId: second } : { kind: 'unknown' };
    case 'athlete':
      return second !== undefined && parts.length >= 3 ? { kind: 'athlete', athleteId: second } : { kind: 'unknown' };
    case 'registry':
      return second === 'athlete-tenants' && parts.length === 2 ? { kind: 'merge', what: 'athlete-tenants' } : { kind: 'control' };
    case 'tokens':
    case 'audit':
      return { kind: 'control' };
    default:
      return { kind: 'unknown' };
  }
}

import { AlertMessage, AlertSetRef, AthleteProfile, LiveStation, RepRecord, type RedisKeys } from '@neurolift/contracts';
import { replyValues, type RedisClient } from '@neurolift/storage';
import { z } from 'zod';
import type { RecentRoms } from '@neurolift/alerts';
import type { AlertBasis, AlertState, ClaimOutcome, DeliveryChannel, DeliveryLedger, LiveBoard, SetRef } from '../ports.js';

/** The ROMs kept per set, checked by hand (read at every set close): anything else counts as none. */
function parseRecentRoms(text: string): RecentRoms {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number[]] => Array.isArray(entry[1]) && entry[1].every((rom) => typeof rom === 'number')),
  );
}
const Basis = z.object({ medianRomM: z.number().optional(), e1rmKg: z.number().optional(), bestE1rmKg: z.number().optional() });

/** Alerts kept for the console's feed. */
const LIVE_ALERTS_MAX = 50;
/** How long an alert's ledger is kept: longer than any retry, and the protocol's late-upload window. */
const LEDGER_TTL_S = 8 * 24 * 3600;

/**
 * Claims an alert. KEYS: ledger hash, cooldown key. ARGV: alert id, cooldown ms, now ms, ledger TTL s.
 * An alert already claimed is delivered further (a retry); a new one is refused while another alert
 * of the same (athlete, rule) holds the cooldown.
 */
const CLAIM = `
if redis.call('HEXISTS', KEYS[1], 'claimedAt') == 1 then return 'claimed' end
local cooldown = tonumber(ARGV[2])
if cooldown > 0 then
  local holder = redis.call('GET', KEYS[2])
  if holder and holder ~= ARGV[1] then return 'cooldown' end
  redis.call('SET', KEYS[2], ARGV[1], 'PX', cooldown)
end
redis.call('HSET', KEYS[1], 'claimedAt', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 'new'
`;

/** KEYS: a gym's in-set-pending hash. ARGV: field, counter pairs. Deletes each field still at its counter. */
const CLEAR_IF_UNCHANGED = `
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1
`;

/** A field of an in-set-pending hash as the set it names, or undefined when it is not one. */
function pendingRef(field: string): SetRef | undefined {
  try {
    const ref = AlertSetRef.safeParse(JSON.parse(field));
    return ref.success ? ref.data : undefined;
  } catch {
    return undefined;
  }
}

/** Reads of the pipeline's state, the console's board and the delivery ledger, all in Redis. */
export function createRedisAlertState(redis: RedisClient, keys: RedisKeys): AlertState & LiveBoard & DeliveryLedger {
  const basisKey = keys.alertBasis;
  return {
    async inSetPending(gymId) {
      const fields = await redis.hgetall(keys.inSetPending(gymId));
      const sets: SetRef[] = [];
      const marks = new Map<string, string>();
      for (const [field, counter] of Object.entries(fields)) {
        marks.set(field, counter);
        // Written by the worker; one of another gym or shape is dropped with the marks, never retried forever.
        const ref = pendingRef(field);
        if (ref?.gymId === gymId) sets.push(ref);
      }
      return { sets, marks };
    },

    async clearInSetPending(gymId, marks) {
      if (marks.size === 0) return;
      await redis.eval(CLEAR_IF_UNCHANGED, 1, keys.inSetPending(gymId), ...[...marks].flat());
    },

    async inSetInputs(sets) {
      if (sets.length === 0) return [];
      const first = redis.pipeline();
      for (const set of sets) {
        first.hgetall(keys.setReps(set.stationId, set.setId));
        first.hget(keys.set(set.stationId, set.setId), 'status');
        first.get(keys.athleteProfile(set.athleteId));
        first.hget(keys.liveStations(set.gymId), set.stationId);
      }
      const a = replyValues(await first.exec());
      const reps = sets.map((_, i) => Object.values(a[4 * i] as Record<string, string>).map((value) => RepRecord.parse(JSON.parse(value))));
      // The basis is per exercise, which only the reps tell.
      const second = redis.pipeline();
      sets.forEach((set, i) => second.hget(basisKey(set.athleteId), reps[i]?.[0]?.exercise ?? '-'));
      const b = replyValues(await second.exec());
      return sets.map((_, i) => {
        const profile = a[4 * i + 2] as string | null;
        const live = a[4 * i + 3] as string | null;
        const basis = b[i] as string | null;
        const previous = live === null ? undefined : LiveStation.safeParse(JSON.parse(live));
        return {
          reps: reps[i] ?? [],
          open: a[4 * i + 1] === 'open',
          profile: profile === null ? {} : AthleteProfile.parse(JSON.parse(profile)),
          basis: basis === null ? undefined : Basis.parse(JSON.parse(basis)),
          previous: previous?.success ? previous.data : undefined,
        };
      });
    },

    async openSet(stationId) {
      const setId = await redis.hget(keys.station(stationId), 'openSet');
      if (setId === null) return undefined;
      const [athleteId, exercise, status] = await redis.hmget(keys.set(stationId, setId), 'athleteId', 'exercise', 'status');
      if (!athleteId || !exercise || status !== 'open') return undefined;
      return { setId, athleteId, exercise };
    },

    async closeInputs(athleteId, exercise, gymId, stationId) {
      const [basis, profile, roms, live] = replyValues(
        await redis
          .pipeline()
          .hget(basisKey(athleteId), exercise)
          .get(keys.athleteProfile(athleteId))
          .hget(keys.alertRoms(athleteId), exercise)
          .hget(keys.liveStations(gymId), stationId)
          .exec(),
      ) as Array<string | null>;
      const station = live === null || live === undefined ? undefined : LiveStation.safeParse(JSON.parse(live));
      return {
        basis: basis === null || basis === undefined ? undefined : Basis.parse(JSON.parse(basis)),
        profile: profile === null || profile === undefined ? {} : AthleteProfile.parse(JSON.parse(profile)),
        roms: roms === null || roms === undefined ? {} : parseRecentRoms(roms),
        station: station?.success ? station.data : undefined,
      };
    },

    async saveBasis(athleteId, exercise, basis: AlertBasis, roms) {
      const ttl = 400 * 24 * 3600;
      await redis
        .multi()
        .hset(basisKey(athleteId), exercise, JSON.stringify(basis))
        .expire(basisKey(athleteId), ttl)
        .hset(keys.alertRoms(athleteId), exercise, JSON.stringify(roms))
        .expire(keys.alertRoms(athleteId), ttl)
        .exec();
    },

    async activeAthletes(gymId, sinceMs) {
      return redis.zrangebyscore(keys.gymAthletes(gymId), sinceMs, '+inf');
    },

    async knownGyms() {
      return redis.smembers(keys.gyms);
    },

    async station(gymId, stationId) {
      const text = await redis.hget(keys.liveStations(gymId), stationId);
      if (text === null) return undefined;
      const parsed = LiveStation.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    },

    async putStations(stations) {
      const multi = redis.multi();
      for (const station of stations) {
        multi.hset(keys.liveStations(station.gymId), station.stationId, JSON.stringify(station));
        multi.publish(keys.liveChannel(station.gymId), JSON.stringify({ type: 'station', station }));
      }
      replyValues(await multi.exec());
    },

    async pushAlert(alert) {
      const parsed = AlertMessage.parse(alert);
      await redis
        .multi()
        .lpush(keys.liveAlerts(alert.gymId), JSON.stringify(parsed))
        .ltrim(keys.liveAlerts(alert.gymId), 0, LIVE_ALERTS_MAX - 1)
        .publish(keys.liveChannel(alert.gymId), JSON.stringify({ type: 'alert', alert: parsed }))
        .exec();
    },

    async claim(alert, cooldownMs, now): Promise<ClaimOutcome> {
      const outcome = await redis.eval(CLAIM, 2, keys.alert(alert.id), keys.alertCooldown(alert.athleteId, `${alert.rule}.${alert.severity}`), alert.id, cooldownMs, now, LEDGER_TTL_S);
      return outcome as ClaimOutcome;
    },

    async delivered(alertId) {
      const fields = await redis.hkeys(keys.alert(alertId));
      return new Set(fields.filter((field): field is DeliveryChannel => field !== 'claimedAt'));
    },

    async mark(alertId, channel) {
      await redis.hset(keys.alert(alertId), channel, Date.now());
    },
  };
}

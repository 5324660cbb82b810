import { AlertMessage, AlertSetRef, AthleteProfile, LiveStation, RepRecord, groupByShard, type RedisKeys } from '@neurolift/contracts';
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
 * Takes an alert's (athlete, rule) cooldown. KEYS: the cooldown key. ARGV: alert id, cooldown ms. Refused
 * ('cooldown') while another alert holds it; taken again by the same alert it is left as it is (a retry after
 * a crash before the ledger's claim), so its end stays where the first run put it.
 */
const TAKE_COOLDOWN = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 'held' end
if holder then return 'cooldown' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 'taken'
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

/**
 * Where the alert state's keys are (see ShardLayout): the shard whose jobs are handled (the gym's keys:
 * stations, sets, live state, in-set pending, the gym's athletes, the alert ledger), each athlete's shard
 * (profile, basis, ROMs, cooldowns) and the control plane (the set of gyms that have had a set).
 */
export interface AlertStateKeys {
  readonly gym: RedisKeys;
  readonly athlete: (athleteId: string) => RedisKeys;
  readonly control: RedisKeys;
}

/** One key set (one shard: everything in it) or the shards' key sets. */
export function alertStateKeys(keys: RedisKeys | AlertStateKeys): AlertStateKeys {
  return 'gym' in keys ? keys : { gym: keys, athlete: () => keys, control: keys };
}


/**
 * Reads of the pipeline's state, the console's board and the delivery ledger, all in Redis. With several
 * shards a MULTI, a script or a pipeline touches one shard: the gym's keys and an athlete's are read or
 * written in separate steps (see claim, closeInputs, inSetInputs).
 */
export function createRedisAlertState(redis: RedisClient, keysOrShards: RedisKeys | AlertStateKeys): AlertState & LiveBoard & DeliveryLedger {
  const { gym: keys, athlete, control } = alertStateKeys(keysOrShards);
  const basisKey = (athleteId: string) => athlete(athleteId).alertBasis(athleteId);
  const profileKey = (athleteId: string) => athlete(athleteId).athleteProfile(athleteId);
  const romsKey = (athleteId: string) => athlete(athleteId).alertRoms(athleteId);
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
      // The sets' keys are the gym's (this shard's): one pipeline. Their athletes' keys are in the athletes'
      // shards: a second round, one pipeline per shard; it also reads the basis, per exercise, which only the reps tell.
      const first = redis.pipeline();
      for (const set of sets) {
        first.hgetall(keys.setReps(set.stationId, set.setId));
        first.hget(keys.set(set.stationId, set.setId), 'status');
        first.hget(keys.liveStations(set.gymId), set.stationId);
      }
      const a = replyValues(await first.exec());
      const reps = sets.map((_, i) => Object.values(a[3 * i] as Record<string, string>).map((value) => RepRecord.parse(JSON.parse(value))));
      const athleteReads = new Map<number, [string | null, string | null]>();
      // One pipeline per shard: a cluster refuses a pipeline across nodes.
      const byShard = groupByShard(
        sets.map((set, i) => ({ athleteId: set.athleteId, exercise: reps[i]?.[0]?.exercise ?? '-', i })),
        (read) => athlete(read.athleteId).prefix,
      );
      await Promise.all(
        [...byShard.values()].map(async (reads) => {
          const second = redis.pipeline();
          for (const { athleteId, exercise } of reads) second.get(profileKey(athleteId)).hget(basisKey(athleteId), exercise);
          const replies = replyValues(await second.exec()) as Array<string | null>;
          reads.forEach(({ i }, j) => athleteReads.set(i, [replies[2 * j] ?? null, replies[2 * j + 1] ?? null]));
        }),
      );
      return sets.map((_, i) => {
        const [profile, basis] = athleteReads.get(i) ?? [null, null];
        const live = a[3 * i + 2] as string | null;
        const previous = live === null ? undefined : LiveStation.safeParse(JSON.parse(live));
        return {
          reps: reps[i] ?? [],
          open: a[3 * i + 1] === 'open',
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
      // The athlete's keys and the station's console state are in two shards: two pipelines, at once.
      const [athleteReplies, live] = await Promise.all([
        redis.pipeline().hget(basisKey(athleteId), exercise).get(profileKey(athleteId)).hget(romsKey(athleteId), exercise).exec(),
        redis.hget(keys.liveStations(gymId), stationId),
      ]);
      const [basis, profile, roms] = replyValues(athleteReplies) as Array<string | null | undefined>;
      const station = live === null ? undefined : LiveStation.safeParse(JSON.parse(live));
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
        .hset(romsKey(athleteId), exercise, JSON.stringify(roms))
        .expire(romsKey(athleteId), ttl)
        .exec();
    },

    async activeAthletes(gymId, sinceMs) {
      return redis.zrangebyscore(keys.gymAthletes(gymId), sinceMs, '+inf');
    },

    async knownGyms() {
      return redis.smembers(control.gyms);
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
      // The ledger is in the gym's shard, the cooldown in the athlete's: three steps, not one script. A crash
      // after the cooldown is taken leaves it held by this alert, which a retry takes again ('held'); a claim
      // is written last, so an alert is never counted claimed without its cooldown.
      const ledger = keys.alert(alert.id);
      if ((await redis.hexists(ledger, 'claimedAt')) === 1) return 'claimed';
      if (cooldownMs > 0) {
        const cooldownKey = athlete(alert.athleteId).alertCooldown(alert.athleteId, `${alert.rule}.${alert.severity}`);
        if ((await redis.eval(TAKE_COOLDOWN, 1, cooldownKey, alert.id, cooldownMs)) === 'cooldown') return 'cooldown';
      }
      await redis.multi().hset(ledger, 'claimedAt', now).expire(ledger, LEDGER_TTL_S).exec();
      return 'new';
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

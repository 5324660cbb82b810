import { AlertMessage, LiveHeartRate, LiveStation } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { LiveStateReader } from '../ports.js';
import { parseEntry } from './parse-entry.js';
import { groupByShard, type ApiKeys } from './shard-keys.js';

/** A heart rate older than this (by its own time) is not shown as live, ms. */
export const LIVE_HEART_RATE_FRESH_MS = 15_000;

/**
 * Reads the live console state the alerts service keeps: the station hash and the newest `maxAlerts`
 * alerts (in the gym's shard); and the athletes' latest heart rate the worker keeps (athleteLiveHeartRate,
 * in each athlete's shard), while fresh. Entries that fail their schema are skipped and reported through
 * `onInvalid`.
 */
export function createRedisLiveStateReader(
  redis: RedisClient,
  keys: Pick<ApiKeys, 'gym' | 'athlete' | 'athleteShard'>,
  options: {
    maxAlerts: number;
    onInvalid?: (entry: 'station' | 'alert' | 'heart_rate', gymId: string) => void;
    /** Epoch ms; default Date.now. */
    now?: () => number;
    freshMs?: number;
  },
): LiveStateReader {
  const now = options.now ?? Date.now;
  const freshMs = options.freshMs ?? LIVE_HEART_RATE_FRESH_MS;

  /** The stored readings of `athletes`, all of one shard (one MGET: their keys share its hash tag). */
  async function readShard(athletes: readonly string[]): Promise<Array<[string, string | null]>> {
    const texts = await redis.mget(...athletes.map((athleteId) => keys.athlete(athleteId).athleteLiveHeartRate(athleteId)));
    return athletes.map((athleteId, i) => [athleteId, texts[i] ?? null]);
  }

  /** The fresh readings of `athletes` (one MGET per shard holding some of them). */
  async function readHeartRates(gymId: string, athletes: readonly string[]): Promise<Record<string, LiveHeartRate>> {
    const unique = [...new Set(athletes)];
    const readings: Record<string, LiveHeartRate> = {};
    if (unique.length === 0) return readings;
    const shards = await Promise.all(groupByShard(unique, keys.athleteShard).map(([, group]) => readShard(group)));
    const at = now();
    for (const [athleteId, text] of shards.flat()) {
      if (text === null) continue;
      const reading = parseEntry(LiveHeartRate, text);
      if (reading === undefined) options.onInvalid?.('heart_rate', gymId);
      else if (at - reading.ts <= freshMs) readings[athleteId] = reading;
    }
    return readings;
  }

  async function stationsOf(gymId: string, stationTexts: Record<string, string>): Promise<LiveStation[]> {
    const stations: LiveStation[] = [];
    for (const text of Object.values(stationTexts)) {
      const station = parseEntry(LiveStation, text);
      if (station?.gymId === gymId) stations.push(station);
      else options.onInvalid?.('station', gymId);
    }
    return stations;
  }

  return {
    async heartRates(gymId) {
      const stations = await stationsOf(gymId, await redis.hgetall(keys.gym(gymId).liveStations(gymId)));
      return readHeartRates(gymId, stations.map((station) => station.athleteId));
    },
    async snapshot(gymId) {
      const gym = keys.gym(gymId);
      const [stationTexts, alertTexts] = await Promise.all([
        redis.hgetall(gym.liveStations(gymId)),
        redis.lrange(gym.liveAlerts(gymId), 0, options.maxAlerts - 1),
      ]);
      const found = await stationsOf(gymId, stationTexts);
      const heartRates = await readHeartRates(gymId, found.map((station) => station.athleteId));
      const stations = found.map((station): LiveStation => {
        const { heartRate: _stored, ...rest } = station;
        const reading = heartRates[station.athleteId];
        return reading === undefined ? rest : { ...rest, heartRate: reading };
      });
      const alerts: AlertMessage[] = [];
      for (const text of alertTexts) {
        const alert = parseEntry(AlertMessage, text);
        if (alert?.gymId === gymId) alerts.push(alert);
        else options.onInvalid?.('alert', gymId);
      }
      stations.sort((a, b) => a.stationId.localeCompare(b.stationId, 'en', { numeric: true }));
      return { stations, alerts };
    },
  };
}

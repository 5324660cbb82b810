import { AlertMessage, LiveStation, type RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '@neurolift/storage';
import type { LiveStateReader } from '../ports.js';
import { parseEntry } from './parse-entry.js';

/**
 * Reads the live console state the alerts service keeps: the station hash and the newest `maxAlerts`
 * alerts. Entries that fail their schema are skipped and reported through `onInvalid`.
 */
export function createRedisLiveStateReader(
  redis: RedisClient,
  keys: RedisKeys,
  options: { maxAlerts: number; onInvalid?: (entry: 'station' | 'alert', gymId: string) => void },
): LiveStateReader {
  return {
    async snapshot(gymId) {
      const [stationTexts, alertTexts] = await Promise.all([
        redis.hgetall(keys.liveStations(gymId)),
        redis.lrange(keys.liveAlerts(gymId), 0, options.maxAlerts - 1),
      ]);
      const stations: LiveStation[] = [];
      for (const text of Object.values(stationTexts)) {
        const station = parseEntry(LiveStation, text);
        if (station?.gymId === gymId) stations.push(station);
        else options.onInvalid?.('station', gymId);
      }
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

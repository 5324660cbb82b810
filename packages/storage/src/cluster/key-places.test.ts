import { QUEUES, redisKeys } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { keyPlace } from './key-places.js';

const P = '{nl}';
const keys = redisKeys(P);
const name = (key: string) => key.slice(P.length + 1);

describe('keyPlace', () => {
  it('places every key family of the layout: a new family without a place fails here', () => {
    for (const [field, value] of Object.entries(keys)) {
      if (field === 'prefix') continue;
      // Every id argument gets a distinct sample: gym g-1, station st-1, set s-1, athlete a-1, tenant t-1.
      const key = typeof value === 'function' ? value('id-1', 'id-2') : value;
      expect(keyPlace(name(key)).kind, `${field}: ${key}`).not.toBe('unknown');
    }
  });

  it('reads the owner from the name', () => {
    expect(keyPlace(name(keys.station('st-1')))).toEqual({ kind: 'station', stationId: 'st-1' });
    for (const key of [keys.set('st-1', 's-1'), keys.setReps('st-1', 's-1'), keys.segmenter('st-1', 's-1'), keys.samplesInbox('st-1', 's-1'), keys.segmentedOutbox('st-1', 's-1')]) {
      expect(keyPlace(name(key))).toEqual({ kind: 'set', stationId: 'st-1', setId: 's-1' });
    }
    for (const key of [keys.gymAthletes('g-1'), keys.inSetPending('g-1'), keys.liveStations('g-1'), keys.liveAlerts('g-1')]) expect(keyPlace(name(key))).toEqual({ kind: 'gym', gymId: 'g-1' });
    for (const key of [keys.athleteSets('a-1'), keys.athleteLock('a-1'), keys.athleteHeartRate('a-1'), keys.alertBasis('a-1'), keys.alertCooldown('a-1', 'high_fatigue.warning')]) {
      expect(keyPlace(name(key))).toEqual({ kind: 'athlete', athleteId: 'a-1' });
    }
    expect(keyPlace(name(keys.alert('0123abcd')))).toEqual({ kind: 'every' });
  });

  it('merges the keys that gather many owners, keeps the control plane, drops the closer lock', () => {
    expect(keyPlace(name(keys.deadLetters))).toEqual({ kind: 'merge', what: 'dead-letters' });
    expect(keyPlace(name(keys.deadLettersOf('t-1')))).toEqual({ kind: 'merge', what: 'dead-letters' });
    expect(keyPlace(name(keys.deadLetterCountsOf('t-1')))).toEqual({ kind: 'merge', what: 'dead-letter-counts' });
    expect(keyPlace(name(keys.athleteTenants))).toEqual({ kind: 'merge', what: 'athlete-tenants' });
    expect(keyPlace(name(keys.idleSets))).toEqual({ kind: 'merge', what: 'idle-sets' });
    expect(keyPlace(name(keys.closingSets))).toEqual({ kind: 'merge', what: 'closing-sets' });
    expect(keyPlace(name(keys.closerLock))).toEqual({ kind: 'drop' });
    for (const control of ['registry:tenants', 'registry:gyms', 'registry:devices', 'registry:version', 'registry:gyms-seen', 'tokens', 'tokens:by-hash', 'audit:t-1', 'gyms']) {
      expect(keyPlace(control)).toEqual({ kind: 'control' });
    }
  });

  it("knows BullMQ's keys by their queue, and leaves what is not the pipeline's", () => {
    for (const queue of Object.values(QUEUES)) {
      expect(keyPlace(`${queue}:wait`)).toEqual({ kind: 'queue', queue });
      expect(keyPlace(`${queue}:12`)).toEqual({ kind: 'queue', queue });
    }
    expect(keyPlace('something-else')).toEqual({ kind: 'unknown' });
    expect(keyPlace('set:only-station')).toEqual({ kind: 'unknown' });
  });
});

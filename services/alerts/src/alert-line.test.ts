import type { AlertMessage } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { alertLine } from './alert-line.js';

const ALERT: AlertMessage = {
  id: '0123456789abcdef0123456789abcdef',
  rule: 'high_fatigue',
  severity: 'red',
  gymId: 'gym-1',
  stationId: 'st-1',
  athleteId: 'ath-b',
  setId: 'b-bp-1',
  exercise: 'bench_press',
  value: 45,
  threshold: 40,
  unit: 'percent',
  message: 'Athlete ath-b: velocity loss 45 % in set b-bp-1 (bench_press), above 40 % "quoted" \\ end',
  model: 'nsi-1',
  ts: 1_795_000_000_123,
};

describe('alertLine', () => {
  it('writes the alert measurement with its tags and fields, quoting and escaping the message', () => {
    expect(alertLine(ALERT)).toBe(
      'alert,athlete=ath-b,gym=gym-1,rule=high_fatigue,severity=red,station=st-1 ' +
        'message="Athlete ath-b: velocity loss 45 % in set b-bp-1 (bench_press), above 40 % \\"quoted\\" \\\\ end",' +
        'value=45,threshold=40,unit="percent",alert_id="0123456789abcdef0123456789abcdef",set_id="b-bp-1",model="nsi-1" 1795000000123',
    );
  });

  it('a daily alert (no station, no set) gets station "-" and no set_id', () => {
    const { stationId: _s, setId: _set, ...daily } = ALERT;
    const text = alertLine({ ...daily, rule: 'low_exposure', severity: 'info' });
    expect(text.startsWith('alert,athlete=ath-b,gym=gym-1,rule=low_exposure,severity=info,station=- ')).toBe(true);
    expect(text).not.toContain('set_id=');
  });
});

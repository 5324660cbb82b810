import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AlertConfigError,
  DEFAULT_ALERT_CONFIG,
  DEFAULT_THRESHOLDS,
  THRESHOLD_NAMES,
  THRESHOLD_SPECS,
  alertConfigFrom,
  cooldownMs,
  gymSettingsFor,
  isTimeZone,
  parseAlertConfig,
  ruleEnabled,
  thresholdsFor,
  type Thresholds,
} from './index.js';

function problemsOf(text: string): readonly string[] {
  try {
    parseAlertConfig(text, 'alerts.json');
  } catch (error) {
    if (error instanceof AlertConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('defaults', () => {
  it('are the spec table', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({
      nearFailureVelocityMarginMps: 0.05,
      nearFailureMaxRir: 1,
      partialRomPct: 85,
      highFatigueAmberPct: 30,
      highFatigueRedPct: 40,
      lowEffortMaxVelocityLossPct: 10,
      lowEffortMinRir: 5,
      workingSetMinIntensityPct: 50,
      nsiTarget: 40,
      readinessAmberPct: 5,
      readinessTypicalErrorFactor: 2,
      readinessRedPct: 10,
      readinessMinBaselineSessions: 3,
      e1rmRecordMinGainPct: 0,
      lowExposureMinSessions: 2,
      lowExposureSessionNsi: 50,
      lowExposureWindowDays: 7,
      exposureRatioHigh: 1.5,
      exposureRatioLow: 0.8,
      incompleteRecoveryHrReservePct: 60,
    } satisfies Thresholds);
  });

  it('an empty file gives the defaults for every gym, UTC at 06:00, no webhook, no cooldowns', () => {
    const config = parseAlertConfig('{}', 'alerts.json');
    expect(config.source).toBe('alerts.json');
    expect(thresholdsFor(config, 'gym-01')).toEqual(DEFAULT_THRESHOLDS);
    expect(gymSettingsFor(config, 'gym-01')).toEqual({ thresholds: DEFAULT_THRESHOLDS, optionalRules: { incomplete_recovery: false }, dailyLocalTime: '06:00', timeZone: 'UTC' });
    expect(Object.values(config.cooldownMinutes).every((minutes) => minutes === 0)).toBe(true);
    expect(DEFAULT_ALERT_CONFIG.defaults).toEqual(config.defaults);
  });

  it('is frozen', () => {
    const config = parseAlertConfig('{"gyms":{"g1":{"nsiTarget":45}}}', 'alerts.json');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.defaults.thresholds)).toBe(true);
    expect(Object.isFrozen(thresholdsFor(config, 'g1'))).toBe(true);
  });
});

describe('resolution: spec ← file defaults ← gym', () => {
  const config = parseAlertConfig(
    JSON.stringify({
      defaults: { nsiTarget: 45, timeZone: 'europe/berlin' },
      gyms: {
        'gym-01': { highFatigueRedPct: 35, dailyLocalTime: '05:30', webhook: { url: 'https://coach.example/hook', secret: '0123456789abcdef' } },
        'gym-02': { nsiTarget: 30, timeZone: 'America/New_York' },
      },
      cooldownMinutes: { partial_rep: 10 },
    }),
    'alerts.json',
  );

  it('merges a gym over the file defaults over the spec', () => {
    expect(thresholdsFor(config, 'gym-01')).toEqual({ ...DEFAULT_THRESHOLDS, nsiTarget: 45, highFatigueRedPct: 35 });
    expect(thresholdsFor(config, 'gym-02')).toEqual({ ...DEFAULT_THRESHOLDS, nsiTarget: 30 });
  });

  it('gives an unknown gym the file defaults', () => {
    expect(gymSettingsFor(config, 'gym-99')).toEqual({
      thresholds: { ...DEFAULT_THRESHOLDS, nsiTarget: 45 },
      optionalRules: { incomplete_recovery: false },
      dailyLocalTime: '06:00',
      timeZone: 'Europe/Berlin',
    });
  });

  it('keeps schedule and webhook per gym, canonicalising the zone', () => {
    expect(gymSettingsFor(config, 'gym-01')).toMatchObject({ dailyLocalTime: '05:30', timeZone: 'Europe/Berlin', webhook: { url: 'https://coach.example/hook' } });
    expect(gymSettingsFor(config, 'gym-02')).toMatchObject({ dailyLocalTime: '06:00', timeZone: 'America/New_York' });
    expect(gymSettingsFor(config, 'gym-02')).not.toHaveProperty('webhook');
  });

  it('gives cooldowns in ms, 0 where unset', () => {
    expect(cooldownMs(config, 'partial_rep')).toBe(600_000);
    expect(cooldownMs(config, 'near_failure')).toBe(0);
  });

  it('accepts any in-range overrides (property)', () => {
    const arbitraries = Object.fromEntries(
      THRESHOLD_NAMES.map((name) => {
        const spec: { min: number; max: number; integer?: boolean; minExclusive?: boolean } = THRESHOLD_SPECS[name];
        const value = spec.integer === true ? fc.integer({ min: spec.min, max: spec.max }) : fc.double({ min: spec.min, max: spec.max, noNaN: true, minExcluded: spec.minExclusive === true });
        return [name, value];
      }),
    );
    fc.assert(
      fc.property(fc.record(arbitraries, { requiredKeys: [] }), (overrides) => {
        const merged = { ...DEFAULT_THRESHOLDS, ...overrides };
        fc.pre(merged.highFatigueRedPct > merged.highFatigueAmberPct && merged.readinessRedPct >= merged.readinessAmberPct);
        fc.pre(merged.exposureRatioHigh > merged.exposureRatioLow);
        const resolved = alertConfigFrom({ gyms: { g: overrides } }, 'property');
        expect(thresholdsFor(resolved, 'g')).toEqual(merged);
      }),
    );
  });
});

describe('optional rules', () => {
  it('are off by default, for every gym', () => {
    expect(ruleEnabled(DEFAULT_ALERT_CONFIG, 'gym-01', 'incomplete_recovery')).toBe(false);
    expect(ruleEnabled(parseAlertConfig('{"gyms":{"g":{"nsiTarget":45}}}', 'x'), 'g', 'incomplete_recovery')).toBe(false);
  });

  it('are switched on globally in defaults, and a gym may switch one off again', () => {
    const config = parseAlertConfig(
      JSON.stringify({ defaults: { optionalRules: { incomplete_recovery: true } }, gyms: { off: { optionalRules: { incomplete_recovery: false } }, other: { nsiTarget: 45 } } }),
      'x',
    );
    expect(ruleEnabled(config, 'unlisted', 'incomplete_recovery')).toBe(true);
    expect(ruleEnabled(config, 'other', 'incomplete_recovery')).toBe(true);
    expect(ruleEnabled(config, 'off', 'incomplete_recovery')).toBe(false);
  });

  it('are switched on per gym, with the threshold per gym', () => {
    const config = parseAlertConfig(JSON.stringify({ gyms: { on: { optionalRules: { incomplete_recovery: true }, incompleteRecoveryHrReservePct: 70 } } }), 'x');
    expect(ruleEnabled(config, 'on', 'incomplete_recovery')).toBe(true);
    expect(thresholdsFor(config, 'on').incompleteRecoveryHrReservePct).toBe(70);
    expect(ruleEnabled(config, 'unlisted', 'incomplete_recovery')).toBe(false);
    expect(thresholdsFor(config, 'unlisted').incompleteRecoveryHrReservePct).toBe(60);
    expect(Object.isFrozen(gymSettingsFor(config, 'on').optionalRules)).toBe(true);
  });
});

describe('errors name every bad key', () => {
  it.each([
    ['{"gyms":{"gym-01":{"highFatigueRedPct":140}}}', 'gyms.gym-01.highFatigueRedPct: expected a number between 0 and 100'],
    ['{"gyms":{"gym-01":{"highFatigueRedPct":"40"}}}', 'gyms.gym-01.highFatigueRedPct: expected a number between 0 and 100'],
    ['{"defaults":{"partialRomPct":-1}}', 'defaults.partialRomPct: expected a number between 0 and 100'],
    ['{"defaults":{"nsiTarget":1e400}}', 'defaults.nsiTarget: expected a number between 0 and 100'],
    ['{"defaults":{"lowExposureMinSessions":1.5}}', 'defaults.lowExposureMinSessions: expected an integer between 1 and 100'],
    ['{"defaults":{"exposureRatioLow":0}}', 'defaults.exposureRatioLow: expected a number above 0 and at most 100'],
    ['{"defaults":{"nsiTraget":45}}', 'defaults.nsiTraget: unknown key'],
    ['{"gyms":{"gym-01":{"webhook":{"url":"ftp://x.example","secret":"0123456789abcdef"}}}}', 'gyms.gym-01.webhook.url: expected an http(s) URL'],
    ['{"gyms":{"gym-01":{"webhook":{"url":"https://x.example","secret":"short"}}}}', 'gyms.gym-01.webhook.secret: expected a secret of at least 16 characters'],
    ['{"gyms":{"gym-01":{"timeZone":"Mars/Olympus"}}}', 'gyms.gym-01.timeZone: expected an IANA time zone such as "Europe/Berlin"'],
    ['{"gyms":{"gym-01":{"dailyLocalTime":"24:00"}}}', 'gyms.gym-01.dailyLocalTime: expected a local time "HH:MM" from 00:00 to 23:59'],
    ['{"gyms":{"gym-01":{"dailyLocalTime":"7:00"}}}', 'gyms.gym-01.dailyLocalTime: expected a local time "HH:MM" from 00:00 to 23:59'],
    ['{"gyms":{"gym 01":{}}}', 'gyms.gym 01: gym id must be 1 to 64 characters of A-Z a-z 0-9 _ -'],
    ['{"gyms":{"__proto__":{"nsiTarget":10}}}', 'gyms.__proto__: reserved name, not a gym id'],
    ['{"gyms":{"gym-01":[]}}', 'gyms.gym-01: expected an object'],
    ['{"cooldownMinutes":{"near_failure":-5}}', 'cooldownMinutes.near_failure: expected a number of minutes between 0 and 10080'],
    ['{"cooldownMinutes":{"near_fail":5}}', 'cooldownMinutes.near_fail: unknown key'],
    ['{"alerts":{}}', 'alerts: unknown key'],
    ['[]', '(root): expected an object'],
    ['{"defaults":{"highFatigueAmberPct":45}}', 'defaults.highFatigueRedPct: must be above highFatigueAmberPct (45), got 40'],
    ['{"gyms":{"g":{"highFatigueRedPct":30}}}', 'gyms.g.highFatigueRedPct: must be above highFatigueAmberPct (30), got 30'],
    ['{"gyms":{"g":{"readinessRedPct":4}}}', 'gyms.g.readinessRedPct: must be at least readinessAmberPct (5), got 4'],
    ['{"gyms":{"g":{"exposureRatioLow":1.5}}}', 'gyms.g.exposureRatioHigh: must be above exposureRatioLow (1.5), got 1.5'],
    ['{"defaults":{"incompleteRecoveryHrReservePct":0}}', 'defaults.incompleteRecoveryHrReservePct: expected a number above 0 and at most 100'],
    ['{"gyms":{"g":{"incompleteRecoveryHrReservePct":101}}}', 'gyms.g.incompleteRecoveryHrReservePct: expected a number above 0 and at most 100'],
    ['{"defaults":{"optionalRules":{"incomplete_recovery":"yes"}}}', 'defaults.optionalRules.incomplete_recovery: expected true or false'],
    ['{"gyms":{"g":{"optionalRules":{"near_failure":true}}}}', 'gyms.g.optionalRules.near_failure: unknown key'],
    ['{"gyms":{"g":{"optionalRules":true}}}', 'gyms.g.optionalRules: expected an object'],
    ['{"cooldownMinutes":{"incomplete_recovery":-1}}', 'cooldownMinutes.incomplete_recovery: expected a number of minutes between 0 and 10080'],
  ])('%s → %s', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it('lists all problems at once, each with its path, in one message prefixed by the source', () => {
    const text = '{"defaults":{"nsiTarget":"high","bogus":1},"gyms":{"gym-01":{"highFatigueRedPct":140,"timeZone":"Nowhere/City"}}}';
    expect(problemsOf(text)).toEqual([
      'defaults.nsiTarget: expected a number between 0 and 100',
      'defaults.bogus: unknown key',
      'gyms.gym-01.highFatigueRedPct: expected a number between 0 and 100',
      'gyms.gym-01.timeZone: expected an IANA time zone such as "Europe/Berlin"',
    ]);
    expect(() => parseAlertConfig(text, '/etc/neurolift/alerts.json')).toThrow(
      /^\/etc\/neurolift\/alerts\.json: invalid alert config: defaults\.nsiTarget: .*; gyms\.gym-01\.timeZone: /,
    );
  });

  it('reports JSON syntax errors with the source', () => {
    expect(() => parseAlertConfig('{"gyms":', 'alerts.json')).toThrow(/^alerts\.json: invalid alert config: \(root\): not valid JSON/);
  });

  it('accepts the edges of every range', () => {
    expect(() => parseAlertConfig('{"defaults":{"partialRomPct":0,"nsiTarget":100,"lowExposureWindowDays":365},"gyms":{"g":{"dailyLocalTime":"23:59"}}}', 'x')).not.toThrow();
    expect(() => parseAlertConfig('{"gyms":{"g":{"dailyLocalTime":"00:00","webhook":{"url":"http://localhost:8080/h","secret":"0123456789abcdef"}}}}', 'x')).not.toThrow();
  });
});

describe('isTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Mars/Olympus', false],
    ['', false],
  ])('%j → %s', (zone, valid) => {
    expect(isTimeZone(zone)).toBe(valid);
  });
});

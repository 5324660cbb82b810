import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleEnabled, thresholdsFor } from '@neurolift/alerts';
import { ConfigError, loadConfig } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { loadAlertConfig } from './alert-config-file.js';
import { AlertsConfigSchema } from './config.js';

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'nl-alert-config-')), 'alerts.json');
  await writeFile(path, text);
  return path;
}

describe('the alert config at start', () => {
  it('switches incomplete_recovery on for the gyms that enable it, with their threshold', async () => {
    const config = loadAlertConfig(await file('{"gyms":{"g":{"optionalRules":{"incomplete_recovery":true},"incompleteRecoveryHrReservePct":70}}}'));
    expect(ruleEnabled(config, 'g', 'incomplete_recovery')).toBe(true);
    expect(thresholdsFor(config, 'g').incompleteRecoveryHrReservePct).toBe(70);
    expect(ruleEnabled(config, 'other', 'incomplete_recovery')).toBe(false);
    expect(ruleEnabled(loadAlertConfig(undefined), 'g', 'incomplete_recovery')).toBe(false);
  });

  it('a bad setting stops the service naming ALERTS_CONFIG_FILE and the key', async () => {
    const path = await file('{"defaults":{"optionalRules":{"incomplete_recovery":"yes"},"incompleteRecoveryHrReservePct":0}}');
    expect(() => loadAlertConfig(path)).toThrow(ConfigError);
    expect(() => loadAlertConfig(path)).toThrow(/ALERTS_CONFIG_FILE: .*defaults\.incompleteRecoveryHrReservePct: expected a number above 0 and at most 100/);
    expect(() => loadAlertConfig(path)).toThrow(/ALERTS_CONFIG_FILE: .*defaults\.optionalRules\.incomplete_recovery: expected true or false/);
  });
});

describe('ALERT_IN_SET_MAX_AGE_MS', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379', MQTT_URL: 'mqtt://127.0.0.1:1883', INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' };

  it('defaults to 5 minutes', () => {
    expect(loadConfig('alerts', AlertsConfigSchema, base).ALERT_IN_SET_MAX_AGE_MS).toBe(300_000);
    expect(loadConfig('alerts', AlertsConfigSchema, { ...base, ALERT_IN_SET_MAX_AGE_MS: '60000' }).ALERT_IN_SET_MAX_AGE_MS).toBe(60_000);
  });

  it('refuses a value that is not a whole number of ms, naming the setting', () => {
    expect(() => loadConfig('alerts', AlertsConfigSchema, { ...base, ALERT_IN_SET_MAX_AGE_MS: '-1' })).toThrow(/ALERT_IN_SET_MAX_AGE_MS/);
    expect(() => loadConfig('alerts', AlertsConfigSchema, { ...base, ALERT_IN_SET_MAX_AGE_MS: 'soon' })).toThrow(/ALERT_IN_SET_MAX_AGE_MS/);
  });
});

import { ConfigError } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { loadSimConfig } from './config.js';

describe('loadSimConfig', () => {
  it('needs only MQTT_URL and fills the documented defaults', () => {
    expect(loadSimConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883' })).toEqual({
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      SIM_GYM_ID: 'demo-gym',
      SIM_STATIONS: 4,
      SIM_SETS_PER_STATION: 3,
      SIM_SPEED: 10,
      SIM_SEED: 1,
      SIM_OMIT_SET_EVENTS: false,
      SIM_WEARABLES: false,
      LOG_LEVEL: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadSimConfig({
      MQTT_URL: 'mqtts://broker:8883',
      SIM_GYM_ID: 'gym-7',
      SIM_STATIONS: '12',
      SIM_SETS_PER_STATION: '5',
      SIM_SPEED: '0.5',
      SIM_SEED: '99',
      SIM_OMIT_SET_EVENTS: 'true',
      SIM_WEARABLES: 'true',
      SIM_STATION_PASSWORD: 'pw',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ SIM_GYM_ID: 'gym-7', SIM_STATIONS: 12, SIM_SETS_PER_STATION: 5, SIM_SPEED: 0.5, SIM_SEED: 99, SIM_OMIT_SET_EVENTS: true, SIM_WEARABLES: true, LOG_LEVEL: 'debug' });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadSimConfig({ SIM_STATIONS: '0', SIM_SPEED: '0', SIM_GYM_ID: 'demo gym', SIM_OMIT_SET_EVENTS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const settings = (error as ConfigError).problems.map((problem) => problem.setting).sort();
    expect(settings).toEqual(['MQTT_URL', 'SIM_GYM_ID', 'SIM_OMIT_SET_EVENTS', 'SIM_SPEED', 'SIM_STATIONS']);
  });
});

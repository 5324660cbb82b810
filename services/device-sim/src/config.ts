import { Id } from '@neurolift/contracts';
import { env, loadConfig, type Env } from '@neurolift/platform';
import { z } from 'zod';

/** A positive decimal such as `10` or `0.5` (env.int would refuse the latter). */
const positiveNumber = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number')
    .transform(Number)
    .pipe(z.number().positive('must be greater than 0').max(max));

export const SimConfigSchema = z.object({
  MQTT_URL: env.url(['mqtt:', 'mqtts:', 'ws:', 'wss:']),
  SIM_GYM_ID: Id.default('demo-gym'),
  SIM_STATIONS: env.int({ min: 1, max: 10_000 }).default(4),
  SIM_SETS_PER_STATION: env.int({ min: 1, max: 100 }).default(3),
  /** Simulated seconds per real second. */
  SIM_SPEED: positiveNumber(100_000).default(10),
  SIM_SEED: env.int({ min: 0, max: 2 ** 32 - 1 }).default(1),
  /** Every station omits `set` events (by default every third station does). */
  SIM_OMIT_SET_EVENTS: env.bool().default(false),
  /**
   * Device protocol v1.1 wearables: a heart-rate strap per athlete and a bar IMU at every second rack;
   * the sets then play in real time and SIM_SPEED shortens the rests only (the demo turns this on).
   */
  SIM_WEARABLES: env.bool().default(false),
  /** Password of every simulated station, for a broker that requires one (username = stationId). */
  SIM_STATION_PASSWORD: z.string().optional(),
  LOG_LEVEL: env.logLevel().default('info'),
});
export type SimConfig = Readonly<z.infer<typeof SimConfigSchema>>;

/** Parses the simulator's environment once; throws ConfigError naming every bad variable. */
export function loadSimConfig(environment: Env): SimConfig {
  return loadConfig('device-sim', SimConfigSchema, environment);
}

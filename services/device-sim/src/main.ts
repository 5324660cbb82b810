import { createLogger, exitOnSignals } from '@neurolift/platform';
import { loadSimConfig } from './config.js';
import { startSimulation } from './simulator.js';

// Composition root: the only file that reads process.env. Run as `node dist/main.js` (an npm wrapper
// would swallow SIGTERM).
const config = loadSimConfig(process.env);
const logger = createLogger({ name: 'device-sim', level: config.LOG_LEVEL });

const simulation = startSimulation({
  url: config.MQTT_URL,
  gymId: config.SIM_GYM_ID,
  stations: config.SIM_STATIONS,
  setsPerStation: config.SIM_SETS_PER_STATION,
  speed: config.SIM_SPEED,
  seed: config.SIM_SEED,
  omitSetEvents: config.SIM_OMIT_SET_EVENTS,
  wearables: config.SIM_WEARABLES,
  ...(config.SIM_STATION_PASSWORD === undefined ? {} : { password: config.SIM_STATION_PASSWORD }),
  logger,
});
exitOnSignals(simulation, logger);

const summary = await simulation.done;
logger.info(summary, 'simulation finished');
// Non-zero when something was not delivered, so a load-test script notices.
process.exitCode = summary.failed > 0 ? 1 : 0;

// Fresh servers for each phase, configured as a production broker would be.
import { startLocalServices, type DefaultServiceName, type LocalServices, type ServiceName } from '../../../infra/local-services.mjs';

/** The test default saves Mosquitto's db on every change (~10× slower); a broker in production does not. */
export const MOSQUITTO_BENCH_CONFIG = 'autosave_on_changes false\nautosave_interval 1800';

export function startBenchServers<S extends ServiceName = DefaultServiceName>(services?: readonly S[]): Promise<LocalServices<S>> {
  return startLocalServices<S>({ mosquittoExtraConfig: MOSQUITTO_BENCH_CONFIG, ...(services === undefined ? {} : { services }) });
}

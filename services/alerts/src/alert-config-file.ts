import { readFileSync } from 'node:fs';
import { DEFAULT_ALERT_CONFIG, parseAlertConfig, type AlertConfig } from '@neurolift/alerts';
import { ConfigError } from '@neurolift/platform';

/** The alerts config from ALERTS_CONFIG_FILE (the spec's defaults without it); a bad file stops the service naming the setting and key. */
export function loadAlertConfig(file: string | undefined, service = 'alerts'): AlertConfig {
  if (file === undefined) return DEFAULT_ALERT_CONFIG;
  try {
    return parseAlertConfig(readFileSync(file, 'utf8'), file);
  } catch (error) {
    throw new ConfigError(service, [{ setting: 'ALERTS_CONFIG_FILE', message: error instanceof Error ? error.message : String(error) }]);
  }
}

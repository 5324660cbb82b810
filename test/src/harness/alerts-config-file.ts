// An alerts configuration file (ALERTS_CONFIG_FILE) in a fresh temporary folder.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `config` as JSON to alerts.json in a new folder under the system's temp folder named `prefix`…; returns its path. */
export async function writeAlertsConfig(prefix: string, config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const configFile = join(dir, 'alerts.json');
  await writeFile(configFile, JSON.stringify(config));
  return configFile;
}

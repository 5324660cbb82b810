// Mosquitto: a generated config (MQTT over TCP and over WebSockets, persistence, limits, log file);
// ready once both listeners accept connections.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BINARIES } from './packages.mjs';
import { canConnect } from './ports.mjs';

/**
 * @param {string} dir @param {number} port MQTT over TCP @param {number} wsPort MQTT over WebSockets
 * @param {string} extraConfig lines appended to the config
 * @returns {import('./process-handle.mjs').ServerSpec}
 */
export function mosquittoSpec(dir, port, wsPort, extraConfig) {
  const dataDir = path.join(dir, 'mosquitto');
  const logFile = path.join(dir, 'mosquitto.log');
  const configFile = path.join(dir, 'mosquitto.conf');
  const config = [
    `listener ${port} 127.0.0.1`,
    // MQTT over WebSockets (browsers and apps: ws://127.0.0.1:wsPort). Without per_listener_settings,
    // authentication and the ACL (allow_anonymous, password_file, acl_file, also those in extraConfig)
    // apply to every listener alike, as in infra/mosquitto/mosquitto.conf.
    `listener ${wsPort} 127.0.0.1`,
    'protocol websockets',
    'allow_anonymous true',
    // Started as root, mosquitto would switch to user `mosquitto`, which cannot write our folder.
    'user root',
    'persistence true',
    `persistence_location ${dataDir}/`,
    // With autosave_on_changes, autosave_interval counts changes: save the db after every change.
    'autosave_interval 1',
    'autosave_on_changes true',
    'max_inflight_messages 1000', // (0 would mean unlimited in 2.0 too)
    'max_queued_messages 1000000',
    `log_dest file ${logFile}`,
    // One type per line: Mosquitto reads only the first word of a log_type line.
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    extraConfig,
  ].join('\n');
  return {
    name: 'mosquitto', bin: BINARIES.mosquitto, url: `mqtt://127.0.0.1:${port}`, logFile,
    async prepare() {
      await mkdir(dataDir, { recursive: true });
      await writeFile(configFile, `${config}\n`);
      return ['-c', configFile]; // foreground (no -d) so the pid is ours
    },
    ready: async () => (await canConnect(port)) && canConnect(wsPort),
  };
}

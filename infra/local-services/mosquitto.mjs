// Mosquitto: a generated config (MQTT over TCP and over WebSockets, persistence, limits, log file);
// ready once both listeners accept connections. Anonymous clients are allowed, unless the dynamic
// security plugin is asked for: then its file holds the users and their ACLs, changed live.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BINARIES } from './packages.mjs';
import { canConnect } from './ports.mjs';

const PLUGIN = 'mosquitto_dynamic_security.so';

/** The plugin of the mosquitto package: Debian puts it in the multiarch folder (/usr/lib/x86_64-linux-gnu/). */
async function dynsecPluginPath() {
  const multiarch = (await readdir('/usr/lib', { withFileTypes: true })).filter((e) => e.isDirectory() && /-linux-gnu/.test(e.name)).map((e) => path.join('/usr/lib', e.name, PLUGIN));
  const found = [...multiarch, path.join('/usr/lib', PLUGIN), path.join('/usr/local/lib', PLUGIN)].find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`${PLUGIN} not found in /usr/lib/<multiarch>/, /usr/lib or /usr/local/lib (package mosquitto)`);
  return found;
}

/**
 * @param {string} dir @param {number} port MQTT over TCP @param {number} wsPort MQTT over WebSockets
 * @param {string} extraConfig lines appended to the config
 * @param {{ file: string } | undefined} dynsec the plugin's JSON file (the plugin rewrites it on changes)
 * @returns {import('./process-handle.mjs').ServerSpec}
 */
export function mosquittoSpec(dir, port, wsPort, extraConfig, dynsec) {
  const dataDir = path.join(dir, 'mosquitto');
  const logFile = path.join(dir, 'mosquitto.log');
  const configFile = path.join(dir, 'mosquitto.conf');
  const config = [
    `listener ${port} 127.0.0.1`,
    // MQTT over WebSockets (browsers and apps: ws://127.0.0.1:wsPort). Without per_listener_settings,
    // authentication and the ACL (allow_anonymous, the plugin, also password_file or acl_file in
    // extraConfig) apply to every listener alike, as in infra/mosquitto/mosquitto.conf.
    `listener ${wsPort} 127.0.0.1`,
    'protocol websockets',
    `allow_anonymous ${dynsec ? 'false' : 'true'}`,
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
  ];
  return {
    name: 'mosquitto', bin: BINARIES.mosquitto, url: `mqtt://127.0.0.1:${port}`, logFile,
    async prepare() {
      await mkdir(dataDir, { recursive: true });
      const plugin = dynsec ? [`plugin ${await dynsecPluginPath()}`, `plugin_opt_config_file ${dynsec.file}`] : [];
      await writeFile(configFile, `${[...config, ...plugin, extraConfig].join('\n')}\n`);
      return ['-c', configFile]; // foreground (no -d) so the pid is ours
    },
    ready: async () => (await canConnect(port)) && canConnect(wsPort),
  };
}

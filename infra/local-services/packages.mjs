// The servers' Debian packages: ours count as installed when their binary exists; missing ones are
// installed with apt-get when we run as root.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the binary it installs (what we check for and run). */
export const BINARIES = {
  mosquitto: '/usr/sbin/mosquitto',
  'redis-server': '/usr/bin/redis-server',
  'victoria-metrics': '/usr/bin/victoria-metrics',
  // InfluxDB 1.x: started only on request, by the tests of the Grafana dashboards' InfluxQL.
  influxdb: '/usr/bin/influxd',
};

/** Our packages count as installed when their binary exists; others by dpkg. @param {string} pkg */
async function isInstalled(pkg) {
  if (pkg in BINARIES) return existsSync(BINARIES[/** @type {keyof typeof BINARIES} */ (pkg)]);
  const { code, out } = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], 'pipe');
  return code === 0 && out.trim() === 'installed';
}

/**
 * @param {string} cmd @param {string[]} args @param {'inherit' | 'pipe'} stdio
 * @returns {Promise<{ code: number | null, out: string }>}
 */
function run(cmd, args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdio, stdio], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ code: null, out: String(err) }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * Makes sure the Debian packages are installed: as root installs the missing ones with apt-get
 * (running `apt-get update` only if the first attempt fails); otherwise throws with the command to run.
 * @param {readonly string[]} pkgs
 */
export async function ensurePackages(pkgs) {
  const installed = await Promise.all(pkgs.map(isInstalled));
  const missing = pkgs.filter((_, i) => !installed[i]);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing ${missing.join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  console.error(`[local-services] apt-get ${install.join(' ')}`);
  if ((await run('apt-get', install, 'inherit')).code === 0) return;
  // Usually a stale or empty package list on a fresh machine.
  await run('apt-get', ['update'], 'inherit');
  const retry = await run('apt-get', install, 'inherit');
  if (retry.code !== 0) throw new Error(`apt-get ${install.join(' ')} failed (exit ${retry.code})`);
}

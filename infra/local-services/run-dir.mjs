// The run's folder (shared by all servers of one startLocalServices call) and its pid files:
// each running server has `<dir>/<name>.pid`; the owning Node process has `<dir>/owner.pid`,
// removed on a clean stop. A parent killed with SIGKILL runs no handler at all, so its servers
// outlive it: the next run finds them through these files and kills them (reapLeftovers).
import { readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const DIR_PREFIX = 'neurolift-';
const OWNER_FILE = 'owner.pid';

/** Where the handle of server `name` keeps its pid. @param {string} dir @param {string} name */
export function pidFile(dir, name) {
  return path.join(dir, `${name}.pid`);
}

/** Is `pid` running? A zombie (killed, not yet reaped by its parent) counts as dead. @param {number} pid */
function isAlive(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Does `pid` run inside `dir`? Servers are spawned with cwd `dir` (Redis then chdirs into its own
 * subfolder). Guards against reused pids; the command line is no use, as Redis rewrites its title.
 * @param {number} pid @param {string} dir
 */
function runsIn(pid, dir) {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === dir || cwd.startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

/**
 * Kills servers left running in `dir` by a run whose owner died without cleaning up (e.g. SIGKILLed).
 * @param {string} dir @param {{ force?: boolean }} [opts] force: ignore whether the owner is alive
 * @returns {boolean} whether `dir` was left behind by a dead owner
 */
function killLeftovers(dir, { force = false } = {}) {
  let files;
  try { files = readdirSync(dir); } catch { return false; }
  if (!files.includes(OWNER_FILE)) return false; // stopped cleanly (or not ours)
  const owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
  if (!force && isAlive(owner)) return false; // its owner still runs (maybe us)
  for (const file of files.filter((f) => f.endsWith('.pid') && f !== OWNER_FILE)) {
    const pid = Number(readFileSync(path.join(dir, file), 'utf8'));
    if (pid && runsIn(pid, dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* raced with its exit */ }
    }
  }
  return true;
}

/** Removes temp folders (and their servers) abandoned by earlier runs whose owner process is gone. */
function reapLeftovers() {
  let tmp, entries;
  try { tmp = realpathSync(os.tmpdir()); entries = readdirSync(tmp).filter((e) => e.startsWith(DIR_PREFIX)); } catch { return; }
  for (const entry of entries) {
    const dir = path.join(tmp, entry);
    if (killLeftovers(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reaps what dead runs left behind, then makes the run folder — `requested` (created if missing) or
 * a fresh temporary one — and claims it with owner.pid.
 * @param {string | undefined} requested
 * @returns {Promise<string>} its real path: runsIn() compares with /proc/<pid>/cwd
 */
export async function openRunDir(requested) {
  reapLeftovers();
  /** @type {string} */
  let dir;
  if (requested) {
    await mkdir(requested, { recursive: true });
    dir = await realpath(requested);
    killLeftovers(dir, { force: true }); // a reused data folder must not have two servers on it
  } else {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX)));
  }
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Once its servers have stopped: removes the folder, or with `keepDir` only owner.pid. @param {string} dir @param {boolean | undefined} keepDir */
export async function closeRunDir(dir, keepDir) {
  if (keepDir) await rm(path.join(dir, OWNER_FILE), { force: true });
  else await rm(dir, { recursive: true, force: true });
}

// One server process owned by this Node process: start (wait until it answers), stop, kill, restart,
// pause and resume, with its pid in the run folder so a later run can reap it if we die first.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidFile } from './run-dir.mjs';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Children die with us. 'exit' handlers must be synchronous, so SIGKILL is all we can do there.
// A plain SIGINT/SIGTERM/SIGHUP does not emit 'exit', so we also catch those — but only when
// nobody else listens (the CLI has its own graceful handler); then we re-raise the signal so the
// process still dies the default way. A parent killed with SIGKILL runs no handler at all: its
// orphans are reaped by the next run (see run-dir.mjs).
// ---------------------------------------------------------------------------------------------

/** @type {Set<import('node:child_process').ChildProcess>} */
const liveChildren = new Set();
function killChildrenSync() {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killChildrenSync);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  const onSignal = () => {
    if (process.listenerCount(signal) > 1) return; // someone else owns shutdown
    killChildrenSync();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

/** `message` followed by the end of the server's log. @param {string} message @param {string} file */
function withLogTail(message, file, bytes = 4000) {
  let tail;
  try {
    const text = readFileSync(file, 'utf8');
    tail = text.length > bytes ? `…${text.slice(-bytes)}` : text || '(empty)';
  } catch {
    tail = '(no log)';
  }
  return `${message}\n--- ${file}\n${tail}`;
}

/**
 * What a server needs to run; see mosquitto.mjs, redis.mjs and victoria-metrics.mjs.
 * @typedef {object} ServerSpec
 * @property {import('../local-services.mjs').ServiceName} name
 * @property {string} bin
 * @property {string} url
 * @property {string} logFile
 * @property {() => Promise<string[]>} prepare creates folders/config and returns the argv
 * @property {() => Promise<boolean>} ready
 */

/**
 * @param {ServerSpec} spec
 * @param {number} port
 * @param {string} dir the run folder: the server's cwd, where its pid file goes
 */
export function createHandle(spec, port, dir) {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  /** @type {Promise<void>} */
  let exited = Promise.resolve();
  const pidPath = pidFile(dir, spec.name);

  const handle = {
    name: spec.name,
    port,
    url: spec.url,
    dir,
    logFile: spec.logFile,
    /** @returns {number | undefined} */
    get pid() { return child?.pid; },

    async start() {
      if (child) return;
      const args = await spec.prepare();
      // stdout/stderr go to the log file too: startup errors appear before a server opens its own log.
      const fd = openSync(spec.logFile, 'a');
      // Own process group: a terminal's Ctrl-C reaches only us, and we stop the servers in order.
      const proc = spawn(spec.bin, args, { cwd: dir, stdio: ['ignore', fd, fd], detached: true });
      closeSync(fd);
      child = proc;
      liveChildren.add(proc);
      /** @type {Error | undefined} */
      let spawnError;
      exited = /** @type {Promise<void>} */ (new Promise((resolve) => {
        proc.on('error', (err) => { spawnError = err; resolve(); });
        proc.on('exit', () => resolve());
      })).then(() => {
        liveChildren.delete(proc);
        if (child === proc) child = undefined;
        try { unlinkSync(pidPath); } catch { /* never written */ }
      });
      if (proc.pid) writeFileSync(pidPath, String(proc.pid));

      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (child !== proc) {
          throw new Error(withLogTail(`${spec.name} exited during start${spawnError ? `: ${spawnError.message}` : ''}`, spec.logFile));
        }
        if (await spec.ready()) return;
        if (Date.now() > deadline) {
          await handle.kill();
          throw new Error(withLogTail(`${spec.name} not ready on port ${port} after ${READY_TIMEOUT_MS} ms`, spec.logFile));
        }
        await sleep(50);
      }
    },

    /** SIGTERM (graceful: Redis fsyncs the AOF, Mosquitto saves its db), SIGKILL after 10 s. */
    async stop() {
      const proc = child;
      if (!proc) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await handle.kill('SIGTERM');
      clearTimeout(timer);
    },

    /** Sends `signal` (default SIGKILL: a crash) and waits for the exit. */
    async kill(/** @type {NodeJS.Signals} */ signal = 'SIGKILL') {
      const proc = child;
      if (!proc) return;
      proc.kill(signal);
      if (signal !== 'SIGKILL') proc.kill('SIGCONT'); // a paused process only acts on a signal once continued
      await exited;
    },

    /** Stop then start again on the same port and data folder. */
    async restart() {
      await handle.stop();
      await handle.start();
    },

    /** Freezes the process (SIGSTOP): the port stays open but nothing answers. */
    pause() { child?.kill('SIGSTOP'); },
    resume() { child?.kill('SIGCONT'); },
  };
  return handle;
}

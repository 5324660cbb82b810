// Linux /proc readers for the benchmark: CPU time of a process (and of the whole machine) and resident memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of the /proc CPU counters (getconf CLK_TCK; 100 on practically every Linux). */
export const CLOCK_TICKS: number = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds used by `pid`: utime + stime, plus cutime + cstime (children it has reaped, e.g. Redis'
 * AOF rewrite fork). Undefined when the process is gone.
 */
export function processCpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
  if ([utime, stime, cutime, cstime].some((value) => value === undefined || !Number.isFinite(value))) return undefined;
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / CLOCK_TICKS;
}

/** Busy CPU seconds of the whole machine, all cores (the first line of /proc/stat minus idle and iowait). */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const values = first.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const total = values.slice(0, 8).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return (total - idle) / CLOCK_TICKS;
}

/** Resident set size of `pid` in bytes (VmRSS), or undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of `pid` every `intervalMs` and keeps the peak until stopped. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): number } {
  let peak = rssBytes(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid) ?? 0);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssBytes(pid) ?? 0);
      return peak;
    },
  };
}

/** CPU seconds of several named processes at one instant, plus the machine total. */
export interface CpuSnapshot {
  readonly at: number;
  readonly machine: number;
  readonly processes: Readonly<Record<string, number>>;
}

export function cpuSnapshot(pids: Readonly<Record<string, number | undefined>>): CpuSnapshot {
  const processes: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const seconds = pid === undefined ? undefined : processCpuSeconds(pid);
    if (seconds !== undefined) processes[name] = seconds;
  }
  return { at: performance.now(), machine: machineBusySeconds(), processes };
}

/** CPU seconds used per named process between two snapshots, plus `other` = the machine minus all of them. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): { seconds: Record<string, number>; wallSeconds: number } {
  const seconds: Record<string, number> = {};
  let ours = 0;
  for (const [name, end] of Object.entries(after.processes)) {
    const start = before.processes[name];
    if (start === undefined) continue;
    seconds[name] = end - start;
    ours += end - start;
  }
  seconds.other = Math.max(0, after.machine - before.machine - ours);
  return { seconds, wallSeconds: (after.at - before.at) / 1000 };
}

/** CPU µs per message of each named process (and `other`) between two snapshots, and how busy the machine was, %. */
export function cpuPerMessage(before: CpuSnapshot, after: CpuSnapshot, messages: number): { perMsgUs: Record<string, number>; busyPct: number } {
  const { seconds, wallSeconds } = cpuDelta(before, after);
  const perMsgUs: Record<string, number> = {};
  let total = 0;
  for (const [name, value] of Object.entries(seconds)) {
    perMsgUs[name] = (value * 1e6) / messages;
    total += value;
  }
  return { perMsgUs, busyPct: (100 * total) / (os.availableParallelism() * wallSeconds) };
}

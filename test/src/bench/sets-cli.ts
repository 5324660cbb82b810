// The command line of the set benchmarks (bench-sets, bench-history, bench-sessions): every closed set
// computed, its `set` point acknowledged by the TSDB, for one workload, `--runs` times on fresh servers;
// per-run tables, medians, and one `JSON {...}` line with --json.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, exitWith, parsePipelineEnv, positiveFlag } from './args.js';
import { parseTopology } from './pipeline-process.js';
import { fmt } from './report.js';
import { runSets, WINDOW_S, type SetsRunResult, type Window } from './run-sets.js';
import { gymRhythm, history, sessions, STATION_WINDOW, type StationWorkload, type WorkloadName } from './station-workloads.js';
import { alignTable, summaryMedians, summaryTable, type SummaryRow } from './summary.js';

/** `fresh` is the gym rhythm with every set closed (athletes with nothing stored before their session). */
type SetsWorkload = 'fresh' | Exclude<WorkloadName, 'gym-rhythm'>;

const USAGE = `Usage: node test/dist/bench/bench-{sets,history,sessions}.js [--workload fresh|history|sessions] [--runs 3]
  [--topology services|all-in-one] [--pipeline-env KEY=VALUE ...] [--json]
  fresh:    [--messages 200000] [--stations 50]
  history:  [--athletes 10] [--days 36] [--sets-per-day 25]
  sessions: [--stations 50] [--athletes-per-station 4] [--sets-per-athlete 125]`;

const positive = (name: string, text: string): number => positiveFlag(name, text, USAGE);

const pick = (r: SetsRunResult, name: string) => r.processes[name];
const maxOver = (r: SetsRunResult, f: (p: NonNullable<ReturnType<typeof pick>>) => number | undefined) =>
  Math.max(...Object.values(r.processes).map((p) => f(p) ?? Number.NaN).filter(Number.isFinite));

function rowsFor(processNames: readonly string[]): Array<SummaryRow<SetsRunResult>> {
  const windowRows = (key: string, label: string, w: (r: SetsRunResult) => Window): Array<SummaryRow<SetsRunResult>> => [
    { key: `${key}SetsPerS`, label: `${label} sets/s`, get: (r) => w(r).setsPerS, digits: 0 },
    { key: `${key}CpuMsPerSetPipeline`, label: `  CPU ms per set: pipeline (node)`, get: (r) => w(r).cpuMsPerSet.pipeline, digits: 2 },
    ...processNames.filter((n) => n !== 'pipeline').map((n) => ({ key: `${key}CpuMsPerSet_${n}`, label: `    ${n}`, get: (r: SetsRunResult) => w(r).cpuMsPerSet[n], digits: 2 })),
    { key: `${key}CpuMsPerSetRedis`, label: '  redis', get: (r) => w(r).cpuMsPerSet.redis, digits: 2 },
    { key: `${key}CpuMsPerSetVictoriaMetrics`, label: '  victoria-metrics', get: (r) => w(r).cpuMsPerSet['victoria-metrics'], digits: 2 },
    { key: `${key}CpuMsPerSetStack`, label: '  = pipeline + redis + TSDB', get: (r) => w(r).cpuMsPerSet.stack, digits: 2 },
  ];
  return [
    { key: 'msgPerS', label: 'msg/s (1st publish → every rep point acknowledged by the TSDB)', get: (r) => r.msgPerS, digits: 0 },
    { key: 'setsPerS', label: 'SETS/S (1st publish → every set point acknowledged by the TSDB)', get: (r) => r.setsPerS, digits: 0 },
    { key: 'setsDoneS', label: '  s to every set point', get: (r) => r.setsDoneS, digits: 1 },
    { key: 'drainedByMetricsS', label: '  s to every set job done (the services\' metrics, ±1 s)', get: (r) => r.drainedByMetricsS, digits: 1 },
    { key: 'repLoss', label: 'LOSS rep points (reps − distinct stored)', get: (r) => r.repLoss, digits: 0 },
    { key: 'setLoss', label: 'LOSS set points (sets − distinct stored)', get: (r) => r.setLoss, digits: 0 },
    { key: 'firstFromS', label: `first ${WINDOW_S} s once every rep point is stored: from s`, get: (r) => r.first.fromS, digits: 1 },
    ...windowRows('first', ' ', (r) => r.first),
    { key: 'lastFromS', label: `last ${WINDOW_S} s of the run: from s`, get: (r) => r.last.fromS, digits: 1 },
    ...windowRows('last', ' ', (r) => r.last),
    { key: 'lastOverFirstSetsPerS', label: 'sets/s last / first', get: (r) => r.last.setsPerS / r.first.setsPerS, digits: 2 },
    { key: 'lastOverFirstCpuPerSet', label: 'CPU per set (pipeline + redis + TSDB) last / first', get: (r) => (r.last.cpuMsPerSet.stack ?? Number.NaN) / (r.first.cpuMsPerSet.stack ?? Number.NaN), digits: 2 },
    { key: 'wholeCpuMsPerSetStack', label: 'CPU ms per set over the run (pipeline + redis + TSDB)', get: (r) => r.whole.cpuMsPerSet.stack, digits: 2 },
    { key: 'linesPerSet', label: 'LINES written per set (all measurements; target ≤ 20)', get: (r) => r.linesPerSet, digits: 1 },
    ...['rep', 'set', 'neurotrophic_stimulus', 'neurotrophic_exposure', 'neurotrophic_acute', 'alert'].map((m) => ({
      key: `linesPerSet_${m}`,
      label: `  ${m}`,
      get: (r: SetsRunResult) => r.linesPerSetByMeasurement[m] ?? 0,
      digits: 1,
    })),
    { key: 'storedPerSet', label: 'distinct points stored per set (all measurements)', get: (r) => Object.values(r.storedPerSet).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0), digits: 1 },
    { key: 'eventLoopMaxMs', label: 'EVENT-LOOP delay max ms, worst process (target ≤ 50)', get: (r) => maxOver(r, (p) => p.eventLoopMaxMs), digits: 0 },
    ...processNames.flatMap((n) => [
      { key: `eventLoopMaxMs_${n}`, label: `  ${n}: max`, get: (r: SetsRunResult) => pick(r, n)?.eventLoopMaxMs, digits: 0 },
      { key: `eventLoopP99WorstMs_${n}`, label: `  ${n}: p99, worst second`, get: (r: SetsRunResult) => pick(r, n)?.eventLoopP99WorstMs, digits: 0 },
      { key: `eventLoopP99MedianMs_${n}`, label: `  ${n}: p99, median second`, get: (r: SetsRunResult) => pick(r, n)?.eventLoopP99MedianMs, digits: 0 },
      { key: `eventLoopWorstAtS_${n}`, label: `  ${n}: worst second, s from the start`, get: (r: SetsRunResult) => pick(r, n)?.eventLoopWorstAtS, digits: 0 },
      { key: `eventLoopMaxAfterWarmUpMs_${n}`, label: `  ${n}: max after the first 10 s`, get: (r: SetsRunResult) => pick(r, n)?.eventLoopMaxAfterWarmUpMs, digits: 0 },
    ]),
    { key: 'peakRssMb', label: 'PEAK RSS MB, largest process (target ≤ 256)', get: (r) => maxOver(r, (p) => p.peakRssMb), digits: 0 },
    ...processNames.map((n) => ({ key: `peakRssMb_${n}`, label: `  ${n}`, get: (r: SetsRunResult) => pick(r, n)?.peakRssMb, digits: 0 })),
    { key: 'jobRetries', label: 'job retries', get: (r) => r.internals.jobRetries, digits: 0 },
    { key: 'deadLetters', label: 'dead letters', get: (r) => r.internals.deadLetters, digits: 0 },
  ];
}

function problems(run: number, r: SetsRunResult): string[] {
  const out: string[] = [];
  if (r.error) out.push(`run ${run}: ${r.error}`);
  if (r.repLoss !== 0) out.push(`run ${run}: LOSS of ${r.repLoss} rep points`);
  if (r.setLoss !== 0) out.push(`run ${run}: LOSS of ${r.setLoss} set points`);
  for (const key of ['deadLetters', 'jobRetries', 'tsdbErrors'] as const) if (r.internals[key]) out.push(`run ${run}: ${key} = ${r.internals[key]}`);
  if (r.logLines.length > 0) out.push(`run ${run}: the pipeline printed ${r.logLines.length} line(s) at warn or above: ${r.logLines.slice(0, 5).map((l) => l.slice(0, 200)).join(' | ')}`);
  const whole = r.whole.cpuMsPerSet;
  if ((whole.other ?? 0) > 0.15 * (whole.stack ?? Infinity)) out.push(`run ${run}: NOISY — other processes used ${fmt(whole.other, 2)} ms per set (${fmt((100 * (whole.other ?? 0)) / (whole.stack ?? 1), 0)} % of the stack's)`);
  return out;
}

/** The trend: sets/s and CPU per set every 10 s of one run. */
function stretchTable(r: SetsRunResult): string {
  return alignTable([
    ['s', 'sets', 'sets/s', 'stack CPU ms/set', 'pipeline ms/set'],
    ...r.stretches.map((w) => [`${fmt(w.fromS, 0)}–${fmt(w.toS, 0)}`, fmt(w.sets, 0), fmt(w.setsPerS, 0), fmt(w.cpuMsPerSet.stack, 2), fmt(w.cpuMsPerSet.pipeline, 2)]),
  ]);
}

export async function setsCli(defaultWorkload: SetsWorkload): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      workload: { type: 'string', default: defaultWorkload },
      runs: { type: 'string', default: '3' },
      topology: { type: 'string', default: 'services' },
      messages: { type: 'string', default: '200000' },
      stations: { type: 'string', default: '50' },
      athletes: { type: 'string', default: '10' },
      days: { type: 'string', default: '36' },
      'sets-per-day': { type: 'string', default: '25' },
      'athletes-per-station': { type: 'string', default: '4' },
      'sets-per-athlete': { type: 'string', default: '125' },
      ...COMMON_FLAGS,
    },
    strict: true,
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const name = args.workload;
  if (name !== 'fresh' && name !== 'history' && name !== 'sessions') {
    console.error(`--workload must be fresh, history or sessions (got "${name}")\n${USAGE}`);
    return 2;
  }
  let topology;
  try {
    topology = parseTopology(args.topology);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const extraEnv = parsePipelineEnv(args['pipeline-env']);
  const runs = positive('runs', args.runs);
  const build = (): StationWorkload => {
    switch (name) {
      case 'fresh':
        return gymRhythm({ messages: positive('messages', args.messages), stations: positive('stations', args.stations), endLastSets: true });
      case 'history':
        return history({ athletes: positive('athletes', args.athletes), days: positive('days', args.days), setsPerDay: positive('sets-per-day', args['sets-per-day']) });
      case 'sessions':
        return sessions({ stations: positive('stations', args.stations), athletesPerStation: positive('athletes-per-station', args['athletes-per-station']), setsPerAthlete: positive('sets-per-athlete', args['sets-per-athlete']) });
    }
  };
  const first = build();
  console.log(`bench-${name === 'fresh' ? 'sets' : name}: ${first.description}; ${first.reps.toLocaleString('en-US')} reps, ${first.sets.toLocaleString('en-US')} sets, each station on its own connection (QoS 1, ≤ ${STATION_WINDOW} unacknowledged), the last set of each closed by an end event`);
  console.log(`pipeline: ${topology === 'services' ? 'one process per service (ingest, worker, alerts: the compose shape)' : 'the all-in-one process'}, LOG_LEVEL=warn, per-station rate limit lifted${Object.keys(extraEnv).length ? `, ${JSON.stringify(extraEnv)}` : ''}; fresh servers per run; a counting proxy in front of the TSDB; ${runs} run(s); ${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const results: SetsRunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const workload = run === 1 ? first : build(); // device times relative to now
    console.error(`[bench-${name}] run ${run}/${runs}…`);
    const result = await runSets(run, workload, { topology, pipelineEnv: extraEnv });
    results.push(result);
    console.error(
      `[bench-${name}] run ${run}/${runs}: ${fmt(result.setsPerS, 0)} sets/s (${fmt(result.first.setsPerS, 0)} in the first ${WINDOW_S} s after the reps, ${fmt(result.last.setsPerS, 0)} in the last ${WINDOW_S} s), ` +
        `${fmt(result.linesPerSet, 1)} lines/set, loss ${result.repLoss}/${result.setLoss}`,
    );
    console.log(`\n--- run ${run}: every 10 s ---\n${stretchTable(result)}`);
    for (const line of problems(run, result)) console.log(`! ${line}`);
  }
  const processNames = [...new Set(results.flatMap((r) => Object.keys(r.processes)))];
  const rows = rowsFor(processNames);
  console.log(`\n=== ${name}: ${first.sets.toLocaleString('en-US')} sets, ${topology}${runs > 1 ? ', per run and MEDIAN' : ''} ===\n${summaryTable(rows, results)}`);
  if (args.json) {
    const compact = results.map((r) => ({ ...r, stretches: r.stretches.map((w) => ({ fromS: w.fromS, toS: w.toS, sets: w.sets, stackCpuMsPerSet: w.cpuMsPerSet.stack })) }));
    console.log(`JSON ${JSON.stringify({ settings: { workload: name, description: first.description, reps: first.reps, sets: first.sets, topology, runs, pipelineEnv: extraEnv }, medians: summaryMedians(rows, results), runs: compact })}`);
  }
  const failed = results.some((r) => r.error !== undefined || r.repLoss !== 0 || r.setLoss !== 0);
  if (failed) console.log('\nFAILED: an error or a loss (see above)');
  return failed ? 1 : 0;
}

/** Runs the CLI and exits with its code. */
export function main(defaultWorkload: SetsWorkload): void {
  exitWith(() => setsCli(defaultWorkload));
}

// `npm run bench`: the performance targets measured in one run, each phase on fresh servers, the pipeline
// as one process per service (the compose stack's shape) unless a phase says otherwise:
//   reps     rep throughput: the bare MQTT.js QoS 1 subscriber, then the pipeline, N messages (bench-reps);
//   latency  at half the lossless rep throughput measured by `reps`, and at half the rate at which every
//            closed set is also computed (the sustainable rate): publish → stored, rep → in-set alert (bench-latency);
//   samples  `samples` at 100 Hz from many stations at once, 1 s blocks, in real time (bench-samples);
//   imu      v1.1 bar wearables streaming `imu` (accel + gyro) at 100 Hz, 1 s blocks, in real time (bench-samples --channel imu);
//   issue 13's phases:
//   peer     the gym rhythm's rep path, Neurolift all-in-one against Node-RED in the same run (bench-peer);
//   sets     every set computed too, fresh athletes (bench-sets);
//   history  every set computed too, athletes with weeks of stored sets; event-loop delay (bench-history);
//   sessions every set computed too, 125-set sessions (bench-sessions).
// Then a table of each target against its median. Exits 1 when a phase fails (loss, missing probes).
//
//   npm run bench [-- --runs 3 --phases reps,latency,samples,peer,sets,history,sessions --messages 200000
//     --samples-stations 2000 --samples-seconds 30 --imu-stations 2000 --imu-seconds 30 --latency-seconds 20 --peer-messages 200000
//     --sets-messages 200000 --history-athletes 10 --history-days 36 --history-sets-per-day 25
//     --sessions-stations 50 --sessions-sets-per-athlete 125]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseTopology, type Topology } from './pipeline-process.js';

const ALL_PHASES = ['reps', 'latency', 'samples', 'imu', 'peer', 'sets', 'history', 'sessions'] as const;
type PhaseName = (typeof ALL_PHASES)[number];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    messages: { type: 'string', default: '200000' },
    'samples-stations': { type: 'string', default: '2000' },
    'samples-seconds': { type: 'string', default: '30' },
    'imu-stations': { type: 'string', default: '2000' },
    'imu-seconds': { type: 'string', default: '30' },
    'latency-seconds': { type: 'string', default: '20' },
    topology: { type: 'string', default: 'services' },
    phases: { type: 'string', default: ALL_PHASES.join(',') },
    'peer-messages': { type: 'string', default: '200000' },
    'sets-messages': { type: 'string', default: '200000' },
    'history-athletes': { type: 'string', default: '10' },
    'history-days': { type: 'string', default: '36' },
    'history-sets-per-day': { type: 'string', default: '25' },
    'sessions-stations': { type: 'string', default: '50' },
    'sessions-sets-per-athlete': { type: 'string', default: '125' },
  },
  strict: true,
});
const topology = parseTopology(args.topology);
const phasesAsked = args.phases.split(',').map((p) => p.trim()).filter((p) => p !== '');
const unknownPhase = phasesAsked.find((p) => !(ALL_PHASES as readonly string[]).includes(p));
if (unknownPhase !== undefined) {
  console.error(`--phases: unknown phase "${unknownPhase}" (phases: ${ALL_PHASES.join(', ')})`);
  process.exit(2);
}
const wanted = (phase: PhaseName) => phasesAsked.includes(phase);

interface Phase {
  readonly code: number;
  readonly json: unknown;
}

const SKIPPED: Phase = { code: 0, json: undefined };

/** Runs a sibling bench script with `--json`, echoing its output; its result is its `JSON {...}` line. */
async function phase(script: string, flags: readonly string[], phaseTopology: Topology = topology): Promise<Phase> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [path, ...flags, '--topology', phaseTopology, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    process.stdout.write(text.split('\n').filter((line) => !line.startsWith('JSON ')).join('\n'));
  });
  const code = await new Promise<number>((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? 1)));
  const line = out.split('\n').find((l) => l.startsWith('JSON '));
  return { code, json: line === undefined ? undefined : (JSON.parse(line.slice('JSON '.length)) as unknown) };
}

/** A number at `path` in a phase's JSON, NaN when absent. */
function num(json: unknown, ...path: string[]): number {
  let value: unknown = json;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : 'NOT met');

const phaseCount = phasesAsked.length;
let phaseNo = 0;
/** Prints a phase's heading; `again` for a phase's second part (latency at a second rate). */
const heading = (text: string, again = false) => console.log(`${phaseNo === 0 ? '' : '\n'}== ${again ? phaseNo : ++phaseNo}/${phaseCount} ${text}`);

let reps = SKIPPED;
if (wanted('reps')) {
  heading(`rep throughput (${args.messages} messages, ${args.runs} runs)`);
  reps = await phase('./bench-reps.js', ['--messages', args.messages, '--runs', args.runs]);
}
const baseline = num(reps.json, 'medians', 'baselineMsgPerS');
const pipeline = num(reps.json, 'medians', 'pipelineMsgPerS');
const ratio = num(reps.json, 'medians', 'ratio');

const drained = num(reps.json, 'medians', 'drainedMsgPerS');
/** Half of a measured rate, as a whole msg/s (500 when the phase measured none). */
const half = (rate: number) => (Number.isFinite(rate) && rate > 0 ? Math.max(50, Math.round(rate / 2)) : 500);
const halfLoad = half(pipeline);
const halfSustained = half(Math.min(pipeline, drained));
const latencyAt = async (rate: number, again = false) => {
  heading(`latency at ${rate} msg/s (${args['latency-seconds']} s, ${args.runs} runs)`, again);
  return phase('./bench-latency.js', ['--rate', String(rate), '--seconds', args['latency-seconds'], '--runs', args.runs]);
};
let latency = SKIPPED;
let latencySustained = SKIPPED;
if (wanted('latency')) {
  latency = await latencyAt(halfLoad);
  latencySustained = halfSustained === halfLoad ? latency : await latencyAt(halfSustained, true);
}

let samples = SKIPPED;
if (wanted('samples')) {
  heading(`samples at 100 Hz (${args['samples-stations']} stations, ${args['samples-seconds']} s, ${args.runs} runs)`);
  samples = await phase('./bench-samples.js', ['--stations', args['samples-stations'], '--seconds', args['samples-seconds'], '--runs', args.runs]);
}

let imu = SKIPPED;
if (wanted('imu')) {
  heading(`imu at 100 Hz, bar wearables (${args['imu-stations']} stations, ${args['imu-seconds']} s, ${args.runs} runs)`);
  imu = await phase('./bench-samples.js', ['--channel', 'imu', '--stations', args['imu-stations'], '--seconds', args['imu-seconds'], '--runs', args.runs]);
}

let peer = SKIPPED;
if (wanted('peer')) {
  heading(`rep path against Node-RED, all-in-one, gym rhythm (${args['peer-messages']} messages, ${args.runs} runs)`);
  peer = await phase('./bench-peer.js', ['--messages', args['peer-messages'], '--runs', args.runs], 'all-in-one');
}
let sets = SKIPPED;
if (wanted('sets')) {
  heading(`every set computed, fresh athletes (${args['sets-messages']} messages, ${args.runs} runs)`);
  sets = await phase('./bench-sets.js', ['--messages', args['sets-messages'], '--runs', args.runs]);
}
let historyPhase = SKIPPED;
if (wanted('history')) {
  heading(`every set computed, history (${args['history-athletes']} athletes × ${args['history-days']} days × ${args['history-sets-per-day']} sets, ${args.runs} runs)`);
  historyPhase = await phase('./bench-history.js', ['--athletes', args['history-athletes'], '--days', args['history-days'], '--sets-per-day', args['history-sets-per-day'], '--runs', args.runs]);
}
let sessionsPhase = SKIPPED;
if (wanted('sessions')) {
  heading(`every set computed, ${args['sessions-sets-per-athlete']}-set sessions (${args['sessions-stations']} stations × 4 athletes, ${args.runs} runs)`);
  sessionsPhase = await phase('./bench-sessions.js', ['--stations', args['sessions-stations'], '--sets-per-athlete', args['sessions-sets-per-athlete'], '--runs', args.runs]);
}

const latencyRows = (label: string, result: Phase): Array<[string, string, string, string]> => {
  const storedP99 = num(result.json, 'medians', 'storedP99');
  const alertP99 = num(result.json, 'medians', 'alertP99');
  const rate = num(result.json, 'medians', 'rate');
  return [
    [`publish → stored p99 at ${label} (${fmt(rate)} msg/s)`, '< 250 ms', `${fmt(storedP99)} ms (p50 ${fmt(num(result.json, 'medians', 'storedP50'))})`, verdict(Number.isFinite(storedP99) ? storedP99 < 250 : undefined)],
    [`rep → in-set alert p99 at ${label}`, '< 1,000 ms', `${fmt(alertP99)} ms (p50 ${fmt(num(result.json, 'medians', 'alertP50'))})`, verdict(Number.isFinite(alertP99) ? alertP99 < 1000 : undefined)],
    [
      `  the first ${fmt(num(result.json, 'medians', 'warmupS'))} s of that load (warm-up, not above)`,
      '',
      `stored p99 ${fmt(num(result.json, 'medians', 'warmupStoredP99'))} ms, alert max ${fmt(num(result.json, 'medians', 'warmupAlertMax'))} ms`,
      '',
    ],
  ];
};
const drainS = num(samples.json, 'medians', 'drainS');
const blockS = num(samples.json, 'medians', 'blockMs') / 1000;
type Row = [string, string, string, string];
const rows: Row[] = [];
if (wanted('reps')) {
  rows.push(
    ['bare MQTT.js QoS 1 receive rate', '', `${fmt(baseline)} msg/s`, ''],
    ['rep throughput, lossless, ≥ 0.6 × bare', `≥ ${fmt(0.6 * baseline)} msg/s`, `${fmt(pipeline)} msg/s (${fmt(ratio, 2)} ×)`, verdict(Number.isFinite(ratio) ? ratio >= 0.6 : undefined)],
    ['  sustainable: every closed set computed too', '', `${fmt(drained)} msg/s`, ''],
  );
}
if (wanted('latency')) rows.push(...latencyRows('half the rep throughput', latency), ...(latencySustained === latency ? [] : latencyRows('half the sustainable rate', latencySustained)));
if (wanted('samples')) {
  rows.push([
    `samples at 100 Hz, ${args['samples-stations']} stations: kept up (drained ≤ 2 blocks after the last)`,
    `≤ ${fmt(2 * blockS, 1)} s`,
    `${fmt(drainS, 1)} s, backlog ≤ ${fmt(num(samples.json, 'medians', 'backlogMax'))} jobs`,
    verdict(Number.isFinite(drainS) ? drainS <= 2 * blockS : undefined),
  ]);
}
if (wanted('imu')) {
  const keptUpRuns = num(imu.json, 'medians', 'keptUpRuns');
  rows.push(
    [
      `imu at 100 Hz, ${args['imu-stations']} wearables: kept up (sustained ≥ 97 % of offered, backlog growth ≤ 2 %, drained, 0 lost, 0 dead letters) in every run`,
      `${fmt(num(imu.json, 'medians', 'offeredSamplesPerS'))} samples/s`,
      `${fmt(num(imu.json, 'medians', 'sustainedSamplesPerS'))} samples/s, drain ${fmt(num(imu.json, 'medians', 'drainS'), 1)} s, backlog ≤ ${fmt(num(imu.json, 'medians', 'backlogBlocksMax'))} blocks, kept up in ${fmt(keptUpRuns)} of ${args.runs} runs`,
      verdict(Number.isFinite(keptUpRuns) ? keptUpRuns === Number(args.runs) : undefined),
    ],
    ['  imu lag block → rep point in the TSDB, p50 / p99', '', `${fmt(num(imu.json, 'medians', 'lagP50'))} / ${fmt(num(imu.json, 'medians', 'lagP99'))} ms`, ''],
  );
}
if (wanted('reps')) rows.push(['peak RSS ingest / worker / alerts (rep phase)', '', ['Ingest', 'Worker', 'Alerts'].map((p) => fmt(num(reps.json, 'medians', `peakRssMb${p}`))).join(' / ') + ' MB', '']);

// Issue 13's targets.
const m = (result: Phase, key: string) => num(result.json, 'medians', key);
if (wanted('peer')) {
  const peerRatio = m(peer, 'ratio');
  rows.push(
    [
      'gym rhythm, all-in-one, every rep point stored: Neurolift / Node-RED',
      '≥ 1.0 ×',
      `${fmt(m(peer, 'neuroliftMsgPerS'))} / ${fmt(m(peer, 'nodeRedMsgPerS'))} msg/s = ${fmt(peerRatio, 2)} ×`,
      verdict(Number.isFinite(peerRatio) ? peerRatio >= 1 : undefined),
    ],
    ['  lost: Neurolift / Node-RED', '0', `${fmt(m(peer, 'neuroliftLoss'))} / ${fmt(m(peer, 'nodeRedLoss'))}`, verdict(Number.isFinite(m(peer, 'neuroliftLoss')) ? m(peer, 'neuroliftLoss') === 0 : undefined)],
    ['  peak RSS: Neurolift all-in-one / Node-RED', '', `${fmt(m(peer, 'neuroliftPeakRssMb'))} / ${fmt(m(peer, 'nodeRedPeakRssMb'))} MB`, ''],
  );
}
const setsRow = (label: string, result: Phase, target: number | undefined): Row => {
  const rate = m(result, 'setsPerS');
  const lost = m(result, 'repLoss') + m(result, 'setLoss');
  return [
    label,
    target === undefined ? '0 lost' : `≥ ${fmt(target)} sets/s, 0 lost`,
    `${fmt(rate)} sets/s (${fmt(m(result, 'msgPerS'))} msg/s to the rep points), ${fmt(lost)} lost`,
    verdict(Number.isFinite(rate) ? (target === undefined || rate >= target) && lost === 0 : undefined),
  ];
};
if (wanted('sets')) rows.push(setsRow(`every set computed, fresh athletes, ${topology}`, sets, 1000));
if (wanted('history')) {
  rows.push(
    setsRow(`every set computed, history (a month of stored sets), ${topology}`, historyPhase, 1000),
    [
      '  sets/s in the first 20 s after the reps → the last 20 s; CPU per set last / first',
      '≤ 1.5 ×',
      `${fmt(m(historyPhase, 'firstSetsPerS'))} → ${fmt(m(historyPhase, 'lastSetsPerS'))} sets/s; ${fmt(m(historyPhase, 'firstCpuMsPerSetStack'), 1)} → ${fmt(m(historyPhase, 'lastCpuMsPerSetStack'), 1)} ms (${fmt(m(historyPhase, 'lastOverFirstCpuPerSet'), 2)} ×)`,
      verdict(Number.isFinite(m(historyPhase, 'lastOverFirstCpuPerSet')) ? m(historyPhase, 'lastOverFirstCpuPerSet') <= 1.5 : undefined),
    ],
  );
}
if (wanted('sessions')) {
  const fresh = m(sets, 'setsPerS');
  const row = setsRow(`every set computed, ${args['sessions-sets-per-athlete']}-set sessions, ${topology}`, sessionsPhase, undefined);
  if (Number.isFinite(fresh)) {
    row[1] = `the fresh rate (${fmt(fresh)}), 0 lost`;
    const rate = m(sessionsPhase, 'setsPerS');
    row[3] = verdict(Number.isFinite(rate) ? rate >= 0.9 * fresh && m(sessionsPhase, 'repLoss') + m(sessionsPhase, 'setLoss') === 0 : undefined);
  }
  rows.push(row);
}
const setPhases: Array<[string, Phase]> = [['fresh', sets], ['history', historyPhase], ['sessions', sessionsPhase]].filter(([, p]) => p !== SKIPPED) as Array<[string, Phase]>;
if (setPhases.length > 0) {
  const lines = setPhases.map(([, p]) => m(p, 'linesPerSet'));
  rows.push([
    `TSDB lines written per closed set (${setPhases.map(([n]) => n).join(' / ')})`,
    '≤ 20',
    lines.map((v) => fmt(v, 1)).join(' / '),
    verdict(lines.every(Number.isFinite) ? lines.every((v) => v <= 20) : undefined),
  ]);
}
if (wanted('history')) {
  const names = ['ingest', 'worker', 'alerts', 'pipeline'].filter((n) => Number.isFinite(m(historyPhase, `eventLoopMaxMs_${n}`)));
  // Judged once warm: the first seconds of load on freshly started processes are shown beside it, not judged.
  const warm = names.map((n) => m(historyPhase, `eventLoopMaxAfterWarmUpMs_${n}`));
  rows.push([
    `event-loop delay under the history workload, max after the first 10 s (max over the run): ${names.join(' / ')}`,
    '≤ 50 ms',
    names.map((n, i) => `${fmt(warm[i] ?? Number.NaN)} (${fmt(m(historyPhase, `eventLoopMaxMs_${n}`))})`).join(' / ') + ' ms',
    verdict(warm.length > 0 && warm.every(Number.isFinite) ? warm.every((v) => v <= 50) : undefined),
  ]);
}
// Peak RSS of every process over the phases that report it per process.
const peaks = new Map<string, number>();
const notePeak = (name: string, value: number) => {
  if (Number.isFinite(value)) peaks.set(name, Math.max(peaks.get(name) ?? 0, value));
};
for (const p of ['Ingest', 'Worker', 'Alerts']) notePeak(p.toLowerCase(), m(reps, `peakRssMb${p}`));
for (const n of ['Pipeline', 'Ingest', 'Worker', 'Alerts']) notePeak(n === 'Pipeline' ? 'pipeline (all-in-one)' : n.toLowerCase(), m(peer, `neuroliftPeakRssMb${n}`));
for (const [, p] of setPhases) for (const n of ['ingest', 'worker', 'alerts', 'pipeline']) notePeak(n === 'pipeline' ? 'pipeline (all-in-one)' : n, m(p, `peakRssMb_${n}`));
if (peaks.size > 0) {
  rows.push([
    `peak RSS of each process over the phases: ${[...peaks.keys()].join(' / ')}`,
    '≤ 256 MB',
    [...peaks.values()].map((v) => fmt(v)).join(' / ') + ' MB',
    verdict([...peaks.values()].every((v) => v <= 256)),
  ]);
}
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
console.log(`\n=== targets (medians of ${args.runs} runs, pipeline: ${topology}; the peer comparison: all-in-one) ===`);
for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   '));

const phases: Array<[string, Phase]> = [
  ['rep throughput', reps],
  ['latency', latency],
  ['latency (sustainable)', latencySustained],
  ['samples', samples],
  ['imu', imu],
  ['peer', peer],
  ['sets', sets],
  ['history', historyPhase],
  ['sessions', sessionsPhase],
];
const failed = phases.filter(([, result]) => result.code !== 0).map(([name]) => name);
if (failed.length > 0) console.log(`\nFAILED phases (loss, missing probes or errors): ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);

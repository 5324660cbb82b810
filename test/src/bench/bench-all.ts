// `npm run bench`: the performance targets measured in one run, each phase on fresh servers, the pipeline
// as one process per service (the compose stack's shape):
//   1. rep throughput: the bare MQTT.js QoS 1 subscriber, then the pipeline, N messages (bench-reps);
//   2. latency at half the lossless rep throughput measured in 1, and at half the rate at which every closed
//      set is also computed (the sustainable rate): publish → stored, rep → in-set alert (bench-latency);
//   3. `samples` at 100 Hz from many stations at once, 1 s blocks, in real time (bench-samples).
// Then a table of each target against its median. Exits 1 when a phase fails (loss, missing probes).
//
//   npm run bench [-- --runs 3 --messages 200000 --samples-stations 2000 --samples-seconds 30 --latency-seconds 20]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseTopology } from './pipeline-process.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    messages: { type: 'string', default: '200000' },
    'samples-stations': { type: 'string', default: '2000' },
    'samples-seconds': { type: 'string', default: '30' },
    'latency-seconds': { type: 'string', default: '20' },
    topology: { type: 'string', default: 'services' },
  },
});
const topology = parseTopology(args.topology);

interface Phase {
  readonly code: number;
  readonly json: unknown;
}

/** Runs a sibling bench script with `--json`, echoing its output; its result is its `JSON {...}` line. */
async function phase(script: string, flags: readonly string[]): Promise<Phase> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [path, ...flags, '--topology', topology, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

console.log(`== 1/3 rep throughput (${args.messages} messages, ${args.runs} runs)`);
const reps = await phase('./bench-reps.js', ['--messages', args.messages, '--runs', args.runs]);
const baseline = num(reps.json, 'medians', 'baselineMsgPerS');
const pipeline = num(reps.json, 'medians', 'pipelineMsgPerS');
const ratio = num(reps.json, 'medians', 'ratio');

const drained = num(reps.json, 'medians', 'drainedMsgPerS');
/** Half of a measured rate, as a whole msg/s (500 when the phase measured none). */
const half = (rate: number) => (Number.isFinite(rate) && rate > 0 ? Math.max(50, Math.round(rate / 2)) : 500);
const halfLoad = half(pipeline);
const halfSustained = half(Math.min(pipeline, drained));
const latencyAt = async (rate: number) => {
  console.log(`\n== 2/3 latency at ${rate} msg/s (${args['latency-seconds']} s, ${args.runs} runs)`);
  return phase('./bench-latency.js', ['--rate', String(rate), '--seconds', args['latency-seconds'], '--runs', args.runs]);
};
const latency = await latencyAt(halfLoad);
const latencySustained = halfSustained === halfLoad ? latency : await latencyAt(halfSustained);

console.log(`\n== 3/3 samples at 100 Hz (${args['samples-stations']} stations, ${args['samples-seconds']} s, ${args.runs} runs)`);
const samples = await phase('./bench-samples.js', ['--stations', args['samples-stations'], '--seconds', args['samples-seconds'], '--runs', args.runs]);

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
const rows: Array<[string, string, string, string]> = [
  ['bare MQTT.js QoS 1 receive rate', '', `${fmt(baseline)} msg/s`, ''],
  ['rep throughput, lossless, ≥ 0.6 × bare', `≥ ${fmt(0.6 * baseline)} msg/s`, `${fmt(pipeline)} msg/s (${fmt(ratio, 2)} ×)`, verdict(Number.isFinite(ratio) ? ratio >= 0.6 : undefined)],
  ['  sustainable: every closed set computed too', '', `${fmt(drained)} msg/s`, ''],
  ...latencyRows('half the rep throughput', latency),
  ...(latencySustained === latency ? [] : latencyRows('half the sustainable rate', latencySustained)),
  [
    `samples at 100 Hz, ${args['samples-stations']} stations: kept up (drained ≤ 2 blocks after the last)`,
    `≤ ${fmt(2 * blockS, 1)} s`,
    `${fmt(drainS, 1)} s, backlog ≤ ${fmt(num(samples.json, 'medians', 'backlogMax'))} jobs`,
    verdict(Number.isFinite(drainS) ? drainS <= 2 * blockS : undefined),
  ],
  ['peak RSS ingest / worker / alerts (rep phase)', '', ['Ingest', 'Worker', 'Alerts'].map((p) => fmt(num(reps.json, 'medians', `peakRssMb${p}`))).join(' / ') + ' MB', ''],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
console.log(`\n=== targets (medians of ${args.runs} runs, pipeline: ${topology}) ===`);
for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   '));

const phases: Array<[string, Phase]> = [['rep throughput', reps], ['latency', latency], ['latency (sustainable)', latencySustained], ['samples', samples]];
const failed = phases.filter(([, result]) => result.code !== 0).map(([name]) => name);
if (failed.length > 0) console.log(`\nFAILED phases (loss, missing probes or errors): ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);

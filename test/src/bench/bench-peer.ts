// The rep path against a flow-based peer, in the same run: Node-RED 4 (test/bench-peer/node-red: mqtt in
// → json → function → influxdb batch) and Neurolift (default: the all-in-one process), each on fresh
// servers, receive the gym rhythm workload (50 stations on their own connections, QoS 1, 20-message
// windows, 8 reps a set, a set every 3 min, a new athlete after 20 sets) as fast as the windows allow.
// Rate: rep messages / (first publish → the TSDB has acknowledged every rep point: Neurolift's own counter
// of points written, a counting proxy in front of the TSDB for Node-RED; see run-rep-path.ts), confirmed by
// the TSDB's distinct count; loss: reps − distinct rep points the TSDB holds. Peak RSS of every process.
// Each run measures both, on fresh servers each, Node-RED first in odd runs and Neurolift first in even ones. The ratio is Neurolift / Node-RED (issue 13's target: ≥ 1.0).
//
//   npm run bench:peer [-- --messages 200000 --runs 3 --topology all-in-one]
//   node test/dist/bench/bench-peer.js --messages 20000 --runs 1
//
// Node-RED is installed on first use (npm ci --prefix test/bench-peer/node-red; needs the npm registry).
// What the peer guarantees, for the reading of the figures: its MQTT-in node acknowledges each message
// (PUBACK) as soon as it enters the flow, before the point is written; points wait in memory (the
// function's batch, the InfluxDB client's buffer and retries: 5 attempts, at most 32,000 lines), so a
// crash or a long TSDB outage loses acknowledged messages. It validates nothing beyond JSON parsing and
// keeps no dead letters. Neurolift acknowledges after the Redis commit and owns each write by a retried job.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { parsePipelineEnv } from './args.js';
import { ensureNodeRed, peerVersions } from './node-red-peer.js';
import { parseTopology } from './pipeline-process.js';
import { fmt } from './report.js';
import { runRepPath, type RepPathResult } from './run-rep-path.js';
import { gymRhythm, STATION_WINDOW } from './station-workloads.js';
import { summaryMedians, summaryTable, type SummaryRow } from './summary.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    stations: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    topology: { type: 'string', default: 'all-in-one' },
    'pipeline-env': { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const MESSAGES = Number(args.messages);
const STATIONS = Number(args.stations);
const RUNS = Number(args.runs);
const TOPOLOGY = parseTopology(args.topology);
const EXTRA_ENV = parsePipelineEnv(args['pipeline-env']);
const log = (line: string) => console.error(`[bench-peer] ${line}`);

interface PeerRun {
  readonly nodeRed: RepPathResult;
  readonly neurolift: RepPathResult;
}

const cpu = (r: RepPathResult, name: string) => r.cpuUs[name];
const rss = (r: RepPathResult, name: string) => r.processes[name]?.peakRssMb;
const rows: Array<SummaryRow<PeerRun>> = [
  { key: 'nodeRedMsgPerS', label: 'Node-RED msg/s (1st publish → every rep point acknowledged by the TSDB)', get: (r) => r.nodeRed.msgPerS, digits: 0 },
  { key: 'nodeRedLoss', label: '  Node-RED loss (reps − distinct points in the TSDB)', get: (r) => r.nodeRed.loss, digits: 0 },
  { key: 'nodeRedPeakRssMb', label: '  Node-RED peak RSS MB', get: (r) => r.nodeRed.peakRssMb, digits: 0 },
  { key: 'nodeRedLinesPerWrite', label: '  Node-RED lines per TSDB write', get: (r) => (r.nodeRed.writes ? r.nodeRed.writes.lines / r.nodeRed.writes.requests : undefined), digits: 0 },
  { key: 'nodeRedCpuUs', label: '  CPU µs/msg Node-RED', get: (r) => cpu(r.nodeRed, 'node-red'), digits: 1 },
  { key: 'nodeRedCpuUsMosquitto', label: '  CPU µs/msg mosquitto', get: (r) => cpu(r.nodeRed, 'mosquitto'), digits: 1 },
  { key: 'nodeRedCpuUsVictoriaMetrics', label: '  CPU µs/msg victoria-metrics', get: (r) => cpu(r.nodeRed, 'victoria-metrics'), digits: 1 },
  { key: 'nodeRedCpuUsLoadgen', label: '  CPU µs/msg load generator + proxy', get: (r) => cpu(r.nodeRed, 'loadgen'), digits: 1 },
  { key: 'nodeRedBusyPct', label: '  machine busy %', get: (r) => r.nodeRed.busyPct, digits: 0 },
  { key: 'neuroliftMsgPerS', label: `Neurolift (${TOPOLOGY}) msg/s (same measure)`, get: (r) => r.neurolift.msgPerS, digits: 0 },
  { key: 'neuroliftLoss', label: '  Neurolift loss', get: (r) => r.neurolift.loss, digits: 0 },
  { key: 'neuroliftPeakRssMb', label: '  Neurolift peak RSS MB (sum of its processes)', get: (r) => r.neurolift.peakRssMb, digits: 0 },
  { key: 'neuroliftPeakRssMbPipeline', label: '    pipeline', get: (r) => rss(r.neurolift, 'pipeline'), digits: 0 },
  { key: 'neuroliftPeakRssMbIngest', label: '    ingest', get: (r) => rss(r.neurolift, 'ingest'), digits: 0 },
  { key: 'neuroliftPeakRssMbWorker', label: '    worker', get: (r) => rss(r.neurolift, 'worker'), digits: 0 },
  { key: 'neuroliftPeakRssMbAlerts', label: '    alerts', get: (r) => rss(r.neurolift, 'alerts'), digits: 0 },
  { key: 'neuroliftCpuUs', label: '  CPU µs/msg Neurolift (node)', get: (r) => cpu(r.neurolift, 'pipeline'), digits: 1 },
  { key: 'neuroliftCpuUsRedis', label: '  CPU µs/msg redis', get: (r) => cpu(r.neurolift, 'redis'), digits: 1 },
  { key: 'neuroliftCpuUsMosquitto', label: '  CPU µs/msg mosquitto', get: (r) => cpu(r.neurolift, 'mosquitto'), digits: 1 },
  { key: 'neuroliftCpuUsVictoriaMetrics', label: '  CPU µs/msg victoria-metrics', get: (r) => cpu(r.neurolift, 'victoria-metrics'), digits: 1 },
  { key: 'neuroliftCpuUsLoadgen', label: '  CPU µs/msg load generator', get: (r) => cpu(r.neurolift, 'loadgen'), digits: 1 },
  { key: 'neuroliftBusyPct', label: '  machine busy %', get: (r) => r.neurolift.busyPct, digits: 0 },
  { key: 'neuroliftEventLoopMaxMs', label: '  event-loop delay max ms (worst process)', get: (r) => Math.max(...Object.values(r.neurolift.processes).map((p) => p.eventLoopMaxMs ?? Number.NaN)), digits: 0 },
  { key: 'ratio', label: 'RATIO Neurolift / Node-RED (target ≥ 1.0)', get: (r) => (r.nodeRed.msgPerS > 0 ? r.neurolift.msgPerS / r.nodeRed.msgPerS : undefined), digits: 2 },
];

function problems(label: string, r: RepPathResult): string[] {
  const out: string[] = [];
  if (r.error) out.push(`${label}: ${r.error}`);
  if (r.loss !== 0) out.push(`${label}: LOSS ${r.loss}`);
  if (r.logLines.length > 0) out.push(`${label} printed ${r.logLines.length} warning/error line(s): ${r.logLines.slice(0, 5).map((l) => l.slice(0, 200)).join(' | ')}`);
  const serverSide = ['node-red', 'pipeline', 'mosquitto', 'redis', 'victoria-metrics'].reduce((sum, name) => sum + (r.cpuUs[name] ?? 0), 0);
  const other = r.cpuUs.other ?? 0;
  if (other > 0.15 * serverSide) out.push(`${label}: NOISY — other processes used ${other.toFixed(1)} µs/msg (${((100 * other) / serverSide).toFixed(0)} % of the server side)`);
  return out;
}

ensureNodeRed(log);
const workload = gymRhythm({ messages: MESSAGES, stations: STATIONS, endLastSets: false });
console.log(`bench-peer: ${workload.description}; each station on its own connection, QoS 1, ≤ ${STATION_WINDOW} unacknowledged; ${RUNS} run(s); ${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`peer: ${Object.entries(peerVersions()).map(([n, v]) => `${n} ${v}`).join(', ')} (mqtt in QoS 1, persistent session → json → function → influxdb batch, InfluxDB v2 API); Neurolift: ${TOPOLOGY}, default settings, per-station rate limit lifted${Object.keys(EXTRA_ENV).length ? `, ${JSON.stringify(EXTRA_ENV)}` : ''}`);
console.log('both: fresh Mosquitto / VictoriaMetrics (and Redis for Neurolift) per phase; stored = acknowledged by the TSDB (Neurolift: its points-written counter; Node-RED: a counting proxy), confirmed by the TSDB');

const runs: PeerRun[] = [];
for (let run = 1; run <= RUNS; run++) {
  // Alternate which system goes first, so a drift of the host's load does not favour one of them.
  const measure = async (system: 'node-red' | 'neurolift'): Promise<RepPathResult> => {
    const label = system === 'node-red' ? 'Node-RED' : `Neurolift (${TOPOLOGY})`;
    log(`run ${run}/${RUNS}: ${label}…`);
    const result = system === 'node-red' ? await runRepPath(run, 'node-red', workload) : await runRepPath(run, TOPOLOGY, workload, EXTRA_ENV);
    log(`run ${run}/${RUNS}: ${label} ${fmt(result.msgPerS, 0)} msg/s, loss ${result.loss}, peak RSS ${fmt(result.peakRssMb, 0)} MB`);
    return result;
  };
  let nodeRed: RepPathResult;
  let neurolift: RepPathResult;
  if (run % 2 === 1) {
    nodeRed = await measure('node-red');
    neurolift = await measure('neurolift');
  } else {
    neurolift = await measure('neurolift');
    nodeRed = await measure('node-red');
  }
  runs.push({ nodeRed, neurolift });
  for (const line of [...problems(`run ${run} Node-RED`, nodeRed), ...problems(`run ${run} Neurolift`, neurolift)]) console.log(`! ${line}`);
}
console.log(`\n=== rep path, ${workload.reps.toLocaleString('en-US')} reps: Neurolift (${TOPOLOGY}) and Node-RED in the same run${RUNS > 1 ? ', per run and MEDIAN' : ''} ===\n${summaryTable(rows, runs)}`);
const medians = summaryMedians(rows, runs);
if (args.json) console.log(`JSON ${JSON.stringify({ settings: { messages: MESSAGES, stations: STATIONS, runs: RUNS, topology: TOPOLOGY, window: STATION_WINDOW, peer: peerVersions() }, medians, runs })}`);
const failed = runs.some((r) => r.nodeRed.error !== undefined || r.neurolift.error !== undefined || r.neurolift.loss !== 0);
if (failed) console.log('\nFAILED: an error, or Neurolift lost rep points (see above)');
process.exit(failed ? 1 : 0);

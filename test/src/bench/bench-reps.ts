// Throughput benchmark of the rep path: N QoS 1 rep messages through the pipeline (one child process per
// service, as the compose stack runs it, or the all-in-one process) into VictoriaMetrics, against a bare
// MQTT.js subscriber on the same broker as the baseline.
//
//   npm run bench                                   # build, then the defaults (args.ts)
//   node test/dist/bench/bench-reps.js --messages 20000 --runs 1 --json
//
// Each repetition runs the baseline and then the pipeline, each on freshly started servers. Exits 1
// when any message is lost (the pipeline's truth is the number of distinct rep points in the TSDB).
import os from 'node:os';
import { parseBenchArgs, type BenchOptions } from './args.js';
import { MOSQUITTO_BENCH_CONFIG } from './bench-servers.js';
import { describeProblems, fmt, medians, table, type RunResult } from './report.js';
import { runBaseline, type BaselineResult } from './run-baseline.js';
import { runPipeline } from './run-pipeline.js';

const log = (message: string) => console.error(`[bench] ${message}`);

async function main(options: BenchOptions): Promise<number> {
  const { messages: N, runs: RUNS } = options;
  const settings = {
    messages: N,
    stations: options.stations,
    runs: RUNS,
    publishers: options.publishers,
    inFlightPerPublisher: options.inFlight,
    repsPerSet: options.repsPerSet,
    pipelineEnv: options.pipelineEnv,
    topology: options.topology,
    cores: os.availableParallelism(),
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
    node: process.version,
  };
  const extraEnv = Object.keys(options.pipelineEnv).length ? ` except ${JSON.stringify(options.pipelineEnv)}` : '';
  console.log(`bench-reps: ${N.toLocaleString('en-US')} rep messages (QoS 1) from ${options.stations} stations (sets of ${options.repsPerSet} reps), ` +
    `${options.publishers} publisher threads × ≤${options.inFlight} in flight, ${RUNS} run(s); ${settings.cores} cores, load average ${settings.loadAverage.join(' ')}`);
  console.log(`servers: fresh Mosquitto 2.0 / Redis 7 (AOF everysec) / VictoriaMetrics 1.79 per phase; Mosquitto with ` +
    `"${MOSQUITTO_BENCH_CONFIG.replace('\n', '; ')}" (the test default saves its db on every change, ~10× slower)`);
  const shape = options.topology === 'services' ? 'one process each for ingest, the stimulus worker and alerts' : 'the all-in-one process (ingest, worker, alerts, api on one event loop)';
  console.log(`pipeline: ${shape}, LOG_LEVEL=warn, settings default${extraEnv}`);
  if (options.nodeArgs.length > 0) console.log(`DIAGNOSTIC RUN: the pipeline runs with node ${options.nodeArgs.join(' ')}; its numbers are not comparable`);

  const results: RunResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    let baseline: BaselineResult | undefined;
    if (options.baseline) {
      log(`run ${run}/${RUNS}: baseline…`);
      baseline = await runBaseline(run, options);
      log(`run ${run}/${RUNS}: baseline ${fmt(baseline.msgPerS, 0)} msg/s`);
    }
    log(`run ${run}/${RUNS}: pipeline…`);
    const pipeline = await runPipeline(run, options);
    log(`run ${run}/${RUNS}: pipeline ${fmt(pipeline.msgPerS, 0)} msg/s, loss ${pipeline.loss}`);
    const result: RunResult = { run, ...(baseline ? { baseline } : {}), pipeline };
    results.push(result);
    console.log(`\n--- run ${run} ---\n${table(N, [result], false)}`);
    for (const problem of describeProblems(result)) console.log(`! ${problem}`);
    if (pipeline.shutdownLogLines.length > 0) {
      console.log(`(pipeline log during its SIGTERM shutdown: ${pipeline.shutdownLogLines.map((l) => l.slice(0, 200)).join(' | ')})`);
    }
  }

  console.log(`\n=== ${RUNS} run(s), ${N.toLocaleString('en-US')} messages each: per run and MEDIAN ===\n${table(N, results, true)}`);
  if (options.json) console.log(`JSON ${JSON.stringify({ settings, medians: medians(N, results), runs: results })}`);
  const lossy = results.filter((r) => r.pipeline.loss !== 0 || (r.baseline?.loss ?? 0) !== 0 || r.pipeline.error !== undefined);
  if (lossy.length > 0) {
    console.log(`\nFAILED: loss or errors in run(s) ${lossy.map((r) => r.run).join(', ')}`);
    return 1;
  }
  return 0;
}

main(parseBenchArgs()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

// Raw `samples` at 100 Hz from many stations at once, in real time, through the pipeline (one process per
// service, or --topology all-in-one) on fresh servers: does segmentation keep up?
//
//   npm run build && node test/dist/bench/bench-samples.js [--stations 2000] [--block-ms 1000] [--seconds 60] [--runs 3]
//     [--topology services|all-in-one]
//
// Each station plays a synthetic set (5–8 reps with pauses, ±2 mm noise, 100 Hz) as blocks of
// `block-ms`, back to back, then ends the set and starts the next, stamped with the real clock. Measured:
// blocks and samples published per second; the samples queue's backlog (waiting + active jobs) during
// the run; the time from the last block to an empty backlog; reps stored against the segmenter's own
// reps of the published blocks (loss 0 expected); pipeline RSS and CPU.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { QUEUES } from '@neurolift/contracts';
import { generateSyntheticTrace, mulberry32, segmentBlocks, type SamplesBlock, type SyntheticTrace } from '@neurolift/stimulus';
import { Queue } from 'bullmq';
import mqtt from 'mqtt';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import { exportSeries } from '../harness/servers.js';
import { startBenchServers } from './bench-servers.js';
import { parsePipelineEnv } from './args.js';
import { parseTopology, startPipelineParts, stopChild, type PipelinePart } from './pipeline-process.js';
import { processCpuSeconds, sampleRss } from './proc-stats.js';

const { values: args } = parseArgs({
  options: {
    stations: { type: 'string', default: '2000' },
    'block-ms': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    runs: { type: 'string', default: '3' },
    topology: { type: 'string', default: 'services' },
    /** Extra pipeline settings, KEY=VALUE, repeatable. */
    'pipeline-env': { type: 'string', multiple: true, default: [] },
    /** Also print the medians as one line of JSON (for bench-all). */
    json: { type: 'boolean', default: false },
  },
});
const STATIONS = Number(args.stations);
const BLOCK_MS = Number(args['block-ms']);
const SECONDS = Number(args.seconds);
const RUNS = Number(args.runs);
const TOPOLOGY = parseTopology(args.topology);
const EXTRA_ENV = parsePipelineEnv(args['pipeline-env']);
const HZ = 100;
const GYM = 'bench-samples';
const PER_BLOCK = (HZ * BLOCK_MS) / 1000;

/** A few distinct sets, shared by the stations (each station starts at its own offset). */
const TRACES: SyntheticTrace[] = Array.from({ length: 8 }, (_, i) => generateSyntheticTrace(mulberry32(1000 + i), { hz: HZ, t0: 0, reps: 5 + (i % 4) }));

interface Station {
  readonly id: string;
  trace: SyntheticTrace;
  set: number;
  offset: number;
  /** When the current set's first sample was taken, epoch ms: block t0s follow the sample count, not the loop's jitter. */
  setStart: number;
  /** Blocks of the current set published so far (for the expected reps). */
  blocks: SamplesBlock[];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function runOnce(run: number) {
  const servers = await startBenchServers();
  const queue = new Queue(QUEUES.samples, { connection: { url: servers.env.REDIS_URL }, prefix: '{nl}' });
  let parts: PipelinePart[] = [];
  try {
    const env = pipelineEnv(servers.env, { MQTT_CLIENT_ID: `bench-samples-${run}`, LOG_LEVEL: 'error', SET_IDLE_TIMEOUT_MS: '60000', ...EXTRA_ENV });
    parts = await startPipelineParts(TOPOLOGY, env, [], freePort);
    const pids = parts.map((part) => part.run.child.pid ?? 0);
    const cpuNow = () => pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
    const device = await mqtt.connectAsync(servers.env.MQTT_URL, { clientId: `samples-load-${run}`, protocolVersion: 5 });
    const stations: Station[] = Array.from({ length: STATIONS }, (_, s) => ({ id: `st-${s}`, trace: TRACES[s % TRACES.length] as SyntheticTrace, set: 0, offset: (s * 37) % 500, setStart: Date.now() - ((s * 37) % 500) * (1000 / HZ), blocks: [] }));
    let expectedReps = 0;
    let blocks = 0;
    let backlogMax = 0;
    const rss = pids.map((pid) => sampleRss(pid));
    const cpu0 = cpuNow();
    const started = Date.now();
    const publish = (topic: string, body: object) => {
      device.publish(topic, JSON.stringify({ v: 1, ...body }), { qos: 1 });
    };
    for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
      const now = Date.now();
      for (const station of stations) {
        const start = station.offset;
        const position = station.trace.position.slice(start, start + PER_BLOCK);
        const setId = `set-${station.set}`;
        const block: SamplesBlock = { t0: Math.round(station.setStart + (start * 1000) / HZ), hz: HZ, loadKg: station.trace.loadKg, position };
        publish(`gym/v1/${GYM}/${station.id}/samples`, { athleteId: `ath-${station.id}`, setId, exercise: 'back_squat', ...block });
        station.blocks.push(block);
        blocks++;
        station.offset += PER_BLOCK;
        if (station.offset >= station.trace.position.length) {
          publish(`gym/v1/${GYM}/${station.id}/set`, { event: 'end', ts: now, setId, athleteId: `ath-${station.id}`, exercise: 'back_squat' });
          // The pipeline sees only this set's blocks; a station that started mid-trace skips that first set's count.
          if (station.blocks[0]?.t0 === station.setStart || station.set > 0) expectedReps += segmentBlocks(station.blocks).length;
          station.blocks = [];
          station.set++;
          station.offset = 0;
          station.setStart = now;
        }
      }
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      backlogMax = Math.max(backlogMax, (counts['waiting'] ?? 0) + (counts['active'] ?? 0));
      await sleep(Math.max(0, started + (tick + 1) * BLOCK_MS - Date.now()));
    }
    const publishedFor = (Date.now() - started) / 1000;
    // Open sets at the end: their blocks are not counted (they close by idle timeout later).
    const lastBlockAt = Date.now();
    let drainedAt = lastBlockAt;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active');
      if ((counts['waiting'] ?? 0) + (counts['active'] ?? 0) === 0) break;
      drainedAt = Date.now();
      await sleep(200);
    }
    const cpuSeconds = cpuNow() - cpu0;
    // The sum of each process's peak: an upper bound of the pipeline's peak.
    const peakRss = rss.reduce((sum, sampler) => sum + sampler.stop(), 0);
    await sleep(3000);
    const series = await exportSeries(servers.env.INFLUX_URL, `rep_mean_velocity{gym="${GYM}"}`, { endMs: Date.now() + 60_000 });
    const storedReps = series.reduce((sum, s) => sum + s.values.length, 0);
    await device.endAsync();
    return {
      blocksPerS: blocks / publishedFor,
      samplesPerS: (blocks * PER_BLOCK) / publishedFor,
      backlogMax,
      drainS: (drainedAt - lastBlockAt) / 1000,
      expectedReps,
      storedReps,
      peakRssMb: peakRss / 1e6,
      cpuPct: (100 * cpuSeconds) / ((Date.now() - started) / 1000),
    };
  } finally {
    await queue.close();
    await Promise.all(parts.map((part) => stopChild(part.run)));
    await servers.stop();
  }
}

console.log(`bench-samples: ${STATIONS} stations × ${HZ} Hz in blocks of ${BLOCK_MS} ms, ${SECONDS} s, ${RUNS} run(s), pipeline ${TOPOLOGY}${Object.keys(EXTRA_ENV).length ? `, pipeline env ${JSON.stringify(EXTRA_ENV)}` : ''}`);
const results = [];
for (let run = 1; run <= RUNS; run++) {
  const r = await runOnce(run);
  results.push(r);
  console.log(
    `run ${run}: ${r.blocksPerS.toFixed(0)} blocks/s (${(r.samplesPerS / 1000).toFixed(0)}k samples/s); backlog max ${r.backlogMax} jobs, drained ${r.drainS.toFixed(1)} s after the last block; ` +
      `reps of closed sets ${r.expectedReps}, rep points stored ${r.storedReps} (incl. open sets' reps); pipeline peak RSS ${r.peakRssMb.toFixed(0)} MB, CPU ${r.cpuPct.toFixed(0)} % of one core (all its processes)`,
  );
}
console.log(`MEDIAN: ${median(results.map((r) => r.blocksPerS)).toFixed(0)} blocks/s, backlog max ${median(results.map((r) => r.backlogMax))}, drain ${median(results.map((r) => r.drainS)).toFixed(1)} s, RSS ${median(results.map((r) => r.peakRssMb)).toFixed(0)} MB`);
if (args.json) {
  const medians = {
    stations: STATIONS,
    blockMs: BLOCK_MS,
    blocksPerS: median(results.map((r) => r.blocksPerS)),
    backlogMax: median(results.map((r) => r.backlogMax)),
    drainS: median(results.map((r) => r.drainS)),
    peakRssMb: median(results.map((r) => r.peakRssMb)),
  };
  console.log(`JSON ${JSON.stringify({ medians, runs: results })}`);
}
process.exit(results.some((r) => r.storedReps < r.expectedReps) ? 1 : 0);

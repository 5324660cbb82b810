// Raw sensor blocks at 100 Hz from many stations at once, in real time, through the pipeline (one process per
// service, or --topology all-in-one) on fresh servers: does segmentation keep up?
//
//   npm run build && node test/dist/bench/bench-samples.js [--channel samples|imu] [--stations 2000] [--hz 100]
//     [--block-ms 1000] [--seconds 60] [--warmup 10] [--runs 3] [--connections 1] [--pacing burst|spread]
//     [--drain-timeout 60] [--topology services|all-in-one] [--pipeline-env KEY=VALUE ...] [--cpu-prof DIR] [--json]
//
// `samples` (protocol v1, the default): each station plays a synthetic set (5–8 reps with pauses, ±2 mm
// noise) as blocks of `block-ms`, back to back, ends the set and starts the next. All stations publish
// each round of blocks at once (--pacing burst); a station's first set starts a few blocks in and is not
// counted. `imu` (v1.1 bar wearables): 12 sets of 30–60 s from the synthetic IMU generator (paused,
// touch-and-go, grinding; accel and gyro, ~4.5 KB a 1 s block), played back to back by every station
// from its first sample, each station at its own phase within the block period (--pacing spread), with
// the station's own ids and the real clock. Stations share --connections MQTT connections (QoS 1).
//
// Measured, per run: offered blocks and samples/s (published) and sustained (segmented by the worker) over
// the steady window (after --warmup s, to the last block); the backlog of blocks not yet segmented
// (published − segmented; and the part in Redis inboxes, ingest-stored − segmented) and the samples
// queue's depth every second, and its growth (least-squares slope over the steady window); the time from
// the last block to every block segmented and the queue empty (drain); end-to-end lag of each rep = the
// TSDB's first acknowledgement of its point (a proxy in front of the TSDB) − the publish of the block
// that completes it (or of the set's end message, for the reps the segmenter completes at close),
// from the segmenter's own replay of the same blocks; reps found vs expected (missing must be 0); dead
// letters (ingest's and the worker's, from Redis); CPU of every process (% of one core, steady window)
// and peak RSS. Medians of the runs. Exits 1 on a missing rep, a dead letter or a run that does not drain.
import { mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_REDIS_PREFIX, QUEUES, redisKeys } from '@neurolift/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv } from '../harness/pipeline.js';
import { startBenchServers } from './bench-servers.js';
import { parsePipelineEnv } from './args.js';
import { repKey, startRepAckProxy } from './imu-rep-proxy.js';
import { parseChannel, prepareImuTraces, prepareSamplesTraces, type PreparedTrace } from './imu-workload.js';
import { parseTopology, startPipelineParts, stopChild, type PipelinePart } from './pipeline-process.js';
import { metric, type Sample } from './probes.js';
import { cpuDelta, cpuSnapshot, type CpuSnapshot } from './proc-stats.js';
import { watchProcesses, type ProcessFigures } from './process-watch.js';
import { fmt, printRun, printSummary, quantile, slope, type SamplesReportContext, type SamplesRunResult } from './bench-samples-report.js';

const { values: args } = parseArgs({
  options: {
    channel: { type: 'string', default: 'samples' },
    stations: { type: 'string', default: '2000' },
    hz: { type: 'string', default: '100' },
    'block-ms': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    /** Seconds at the start left out of the rates, CPU and lag percentiles (fresh processes, first sets). */
    warmup: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    /** MQTT connections the stations share (station i publishes on connection i mod N). */
    connections: { type: 'string', default: '1' },
    /** burst: every station publishes its block at the start of each period; spread: station i at i/N of it. Default: burst for samples, spread for imu. */
    pacing: { type: 'string' },
    /** Longest wait, s, for the backlog to drain after the last block. */
    'drain-timeout': { type: 'string', default: '60' },
    topology: { type: 'string', default: 'services' },
    /** Extra pipeline settings, KEY=VALUE, repeatable. */
    'pipeline-env': { type: 'string', multiple: true, default: [] },
    /** V8 CPU profiles of every pipeline process into DIR (node test/dist/bench/profile-summary.js DIR). */
    'cpu-prof': { type: 'string' },
    /** Also print the medians as one line of JSON (for bench-all). */
    json: { type: 'boolean', default: false },
  },
});
const CHANNEL = parseChannel(args.channel);
const STATIONS = Number(args.stations);
const HZ = Number(args.hz);
const BLOCK_MS = Number(args['block-ms']);
const SECONDS = Number(args.seconds);
const WARMUP_S = Math.min(Number(args.warmup), SECONDS / 2);
const RUNS = Number(args.runs);
const CONNECTIONS = Math.max(1, Math.min(STATIONS, Number(args.connections)));
const PACING = args.pacing ?? (CHANNEL === 'imu' ? 'spread' : 'burst');
const DRAIN_TIMEOUT_S = Number(args['drain-timeout']);
const TOPOLOGY = parseTopology(args.topology);
const EXTRA_ENV = parsePipelineEnv(args['pipeline-env']);
const PROFILE_DIR = args['cpu-prof'];
const GYM = 'bench-samples';
const PER_BLOCK = (HZ * BLOCK_MS) / 1000;
if (!Number.isInteger(PER_BLOCK) || PER_BLOCK < 1) throw new Error(`--hz × --block-ms / 1000 must be a whole number of samples (got ${PER_BLOCK})`);
if (PACING !== 'burst' && PACING !== 'spread') throw new Error(`--pacing must be burst or spread (got "${PACING}")`);
if (PROFILE_DIR !== undefined) mkdirSync(PROFILE_DIR, { recursive: true });
const NODE_ARGS = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];

/** The sets the stations play (each station starts on its own one and goes round them). */
const TRACES: PreparedTrace[] = CHANNEL === 'imu' ? prepareImuTraces(HZ, PER_BLOCK) : prepareSamplesTraces(HZ, PER_BLOCK);

interface Station {
  readonly id: string;
  traceNo: number;
  trace: PreparedTrace;
  set: number;
  /** The next block of the current set. */
  block: number;
  /** Epoch ms of the current set's first sample; NaN until its first block is published. */
  setStart: number;
  /** Sets played from their first sample are accounted (reps expected, lag); a set joined mid-way is not. */
  counted: boolean;
}

/** The first block a station plays: samples keep their staggered start (a few blocks into the first set); imu stations start at a set's start. */
const firstBlock = (s: number) => (CHANNEL === 'samples' ? Math.floor(((s * 37) % 500) / PER_BLOCK) : 0);

interface Tick {
  /** s since the first block. */
  readonly t: number;
  readonly published: number;
  readonly ingestStored: number;
  readonly segmented: number;
  readonly queueDepth: number;
  readonly cpu: CpuSnapshot;
}

const loadAvg1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function runOnce(run: number): Promise<SamplesRunResult> {
  const servers = await startBenchServers();
  const proxy = await startRepAckProxy(servers.env.INFLUX_URL, GYM);
  const queue = new Queue(QUEUES.samples, { connection: { url: servers.env.REDIS_URL }, prefix: DEFAULT_REDIS_PREFIX });
  let parts: PipelinePart[] = [];
  const clients: mqtt.MqttClient[] = [];
  try {
    const env = pipelineEnv(servers.env, { INFLUX_URL: proxy.url, MQTT_CLIENT_ID: `bench-samples-${run}`, LOG_LEVEL: 'error', SET_IDLE_TIMEOUT_MS: '60000', ...EXTRA_ENV });
    parts = await startPipelineParts(TOPOLOGY, env, NODE_ARGS, freePort);
    const serverPids = { mosquitto: servers.mosquitto.pid, redis: servers.redis.pid, 'victoria-metrics': servers.victoriaMetrics.pid };
    const watch = await watchProcesses(
      [
        ...parts.map((part) => ({ name: part.name, pid: part.run.child.pid, metricsUrl: part.url })),
        ...Object.entries(serverPids).map(([name, pid]) => ({ name, pid })),
        { name: 'loadgen', pid: process.pid },
      ],
      500,
    );
    const pids = { ...Object.fromEntries(parts.map((part) => [part.name, part.run.child.pid])), ...serverPids, loadgen: process.pid };
    for (let c = 0; c < CONNECTIONS; c++) clients.push(await mqtt.connectAsync(servers.env.MQTT_URL, { clientId: `samples-load-${run}-${c}`, protocolVersion: 5, reconnectPeriod: 0 }));
    const stations: Station[] = Array.from({ length: STATIONS }, (_, s) => {
      const traceNo = s % TRACES.length;
      const block = firstBlock(s);
      return { id: `st-${s}`, traceNo, trace: TRACES[traceNo] as PreparedTrace, set: 0, block, setStart: NaN, counted: block === 0 };
    });

    /** Expected reps of counted sets → the publish their lag is timed from. */
    const expected = new Map<string, { at: number; finish: boolean }>();
    let blocks = 0;
    let samples = 0;
    let payloadBytes = 0;
    let inFlight = 0;
    let inFlightMax = 0;
    let closedSets = 0;
    let truthReps = 0;
    let publishError: string | undefined;
    const onAck = (error?: Error) => {
      inFlight--;
      if (error) publishError ??= error.message;
    };
    const publish = (s: number, topic: string, payload: string) => {
      inFlight++;
      inFlightMax = Math.max(inFlightMax, inFlight);
      (clients[s % CONNECTIONS] as mqtt.MqttClient).publish(topic, payload, { qos: 1 }, onAck);
    };
    const publishBlock = (s: number, due: number) => {
      const station = stations[s] as Station;
      const { trace, id } = station;
      const setId = `set-${station.set}`;
      // Whole ms: t0 is an integer of epoch ms (the spread phases are fractions of a ms apart).
      if (Number.isNaN(station.setStart)) station.setStart = Math.round(due) - BLOCK_MS - station.block * BLOCK_MS;
      const t0 = station.setStart + station.block * BLOCK_MS;
      const payload = `{"v":1,"t0":${t0},"athleteId":"ath-${id}","setId":"${setId}","exercise":"back_squat",${trace.blockJson[station.block] as string}}`;
      publish(s, `gym/v1/${GYM}/${id}/${CHANNEL}`, payload);
      const at = Date.now();
      blocks++;
      samples += trace.blockSamples[station.block] as number;
      payloadBytes += payload.length;
      if (station.counted) for (const repIndex of trace.repsAtBlock[station.block] ?? []) expected.set(repKey(id, setId, repIndex), { at, finish: false });
      station.block++;
      if (station.block < trace.blockJson.length) return;
      publish(s, `gym/v1/${GYM}/${id}/set`, JSON.stringify({ v: 1, event: 'end', ts: Date.now(), setId, athleteId: `ath-${id}`, exercise: 'back_squat' }));
      if (station.counted) {
        const endAt = Date.now();
        for (const repIndex of trace.repsAtFinish) expected.set(repKey(id, setId, repIndex), { at: endAt, finish: true });
        closedSets++;
        truthReps += trace.truthReps;
      }
      station.set++;
      station.block = 0;
      station.traceNo = (station.traceNo + 1) % TRACES.length;
      station.trace = TRACES[station.traceNo] as PreparedTrace;
      station.setStart = NaN;
      station.counted = true;
    };

    // Every second: what was published, stored by ingest, segmented by the worker, the queue, CPU.
    const keys = redisKeys(DEFAULT_REDIS_PREFIX);
    const ticks: Tick[] = [];
    const latest = (): Sample[] => watch.latest();
    const ingestStored = (m: readonly Sample[]) => metric(m, 'neurolift_ingest_messages_stored_total', { channel: CHANNEL });
    const segmented = (m: readonly Sample[]) => metric(m, 'neurolift_worker_sample_blocks_total', { channel: CHANNEL });
    const queueDepth = async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    let started = 0;
    const sample = async () => {
      const depth = await queueDepth();
      const m = latest();
      ticks.push({ t: (Date.now() - started) / 1000, published: blocks, ingestStored: ingestStored(m), segmented: segmented(m), queueDepth: depth, cpu: cpuSnapshot(pids) });
    };

    const loadAtStart = loadAvg1();
    started = Date.now();
    const end = started + SECONDS * 1000;
    const rounds = Math.floor((SECONDS * 1000) / BLOCK_MS);
    /** When block g (station g mod N, its round g div N) is due. */
    const dueOf = (g: number) => started + Math.floor(g / STATIONS) * BLOCK_MS + (PACING === 'spread' ? ((g % STATIONS) * BLOCK_MS) / STATIONS : 0);
    let sampling = Promise.resolve();
    // Sampled mid-period, away from the rounds of a burst.
    let nextSample = started + BLOCK_MS / 2;
    let g = 0;
    while (g < rounds * STATIONS) {
      const now = Date.now();
      for (; g < rounds * STATIONS && dueOf(g) <= now; g++) publishBlock(g % STATIONS, dueOf(g));
      if (now >= nextSample) {
        nextSample += 1000;
        sampling = sampling.then(sample);
      }
      const next = Math.min(g < rounds * STATIONS ? dueOf(g) : end, nextSample);
      await sleep(Math.max(1, next - Date.now()));
    }
    const lastBlockAt = Date.now();
    const loadAtEnd = loadAvg1();
    const steadyTo = (lastBlockAt - started) / 1000;
    await sampling;
    await sample();

    // Drain: every published block segmented and the queue empty.
    let drainedAt = NaN;
    for (;;) {
      const depth = await queueDepth();
      const m = latest();
      if (depth === 0 && segmented(m) >= blocks) {
        drainedAt = Date.now();
        break;
      }
      if (Date.now() - lastBlockAt > DRAIN_TIMEOUT_S * 1000) break;
      if (Date.now() >= nextSample) {
        nextSample += 1000;
        await sample();
      }
      await sleep(200);
    }
    // The drain's 200 ms poll reads the 500 ms scrapes: take the segmented count at its scrape time.
    await sleep(2000); // the last rep points (written in the job that segments their block)
    const figures: Record<string, ProcessFigures> = await watch.stop();
    const redis = new Redis(servers.env.REDIS_URL);
    const letterCounts = await redis.hgetall(keys.deadLetterCounts);
    const deadLetterReasons = Object.fromEntries(Object.entries(letterCounts).map(([reason, n]) => [reason, Number(n)]));
    const deadLetters = Object.values(deadLetterReasons).reduce((sum, n) => sum + n, 0);
    const newest = deadLetters > 0 ? await redis.lindex(keys.deadLetters, 0) : null;
    redis.disconnect();
    const deadLetterExample = newest === null ? undefined : (({ payload: _payload, ...rest }: Record<string, unknown>) => JSON.stringify(rest).slice(0, 400))(JSON.parse(newest) as Record<string, unknown>);

    // Steady window: from the warm-up to the last block.
    const inWindow = ticks.filter((tick) => tick.t >= WARMUP_S && tick.t <= steadyTo + 0.5);
    const first = inWindow[0] as Tick;
    const last = inWindow[inWindow.length - 1] as Tick;
    const windowS = last.t - first.t;
    const offeredBlocksPerS = (last.published - first.published) / windowS;
    const sustainedBlocksPerS = (last.segmented - first.segmented) / windowS;
    const samplesPerBlock = samples / blocks;
    const { seconds: cpuSeconds, wallSeconds } = cpuDelta(first.cpu, last.cpu);
    const cpuPct = Object.fromEntries(Object.entries(cpuSeconds).map(([name, s]) => [name, (100 * s) / wallSeconds]));
    const cpuUsPerBlock = Object.fromEntries(Object.entries(cpuSeconds).map(([name, s]) => [name, (1e6 * s) / Math.max(1, last.published - first.published)]));
    const handled = { ingest: last.ingestStored - first.ingestStored, worker: last.segmented - first.segmented };
    const cpuUsPerHandledBlock = Object.fromEntries(Object.entries(handled).map(([name, n]) => [name, (1e6 * (cpuSeconds[name] ?? NaN)) / Math.max(1, n)]));
    if (parts.length > 1) {
      cpuPct['pipeline'] = parts.reduce((sum, part) => sum + (cpuPct[part.name] ?? 0), 0);
      cpuUsPerBlock['pipeline'] = parts.reduce((sum, part) => sum + (cpuUsPerBlock[part.name] ?? 0), 0);
    }
    const backlog = (tick: Tick) => tick.published - tick.segmented;

    // Reps: expected (the replay) against the TSDB's first acknowledgements.
    const { firstAck } = await proxy.collect();
    const lags: number[] = [];
    const blockLags: number[] = [];
    const finishLags: number[] = [];
    const lastLags: number[] = [];
    let warmupLagMax = 0;
    let found = 0;
    const steadyFrom = started + WARMUP_S * 1000;
    for (const [key, { at, finish }] of expected) {
      const acked = firstAck.get(key);
      if (acked === undefined) continue;
      found++;
      const lag = acked - at;
      if (at < steadyFrom) {
        warmupLagMax = Math.max(warmupLagMax, lag);
        continue;
      }
      lags.push(lag);
      (finish ? finishLags : blockLags).push(lag);
      if (at >= lastBlockAt - 10_000) lastLags.push(lag);
    }
    const countedSetKeys = new Set([...expected.keys()].map((key) => key.slice(0, key.lastIndexOf('|'))));
    let extra = 0;
    for (const key of firstAck.keys()) if (!expected.has(key) && countedSetKeys.has(key.slice(0, key.lastIndexOf('|')))) extra++;

    return {
      offeredBlocksPerS,
      offeredSamplesPerS: offeredBlocksPerS * samplesPerBlock,
      sustainedBlocksPerS,
      sustainedSamplesPerS: sustainedBlocksPerS * samplesPerBlock,
      blocksPerS: blocks / ((lastBlockAt - started) / 1000),
      samplesPerS: samples / ((lastBlockAt - started) / 1000),
      meanPayloadBytes: payloadBytes / blocks,
      backlogMax: Math.max(...ticks.map(backlog)),
      backlogEnd: backlog(last),
      backlogSlope: slope(inWindow.map((tick) => [tick.t, backlog(tick)] as const)),
      inboxBacklogMax: Math.max(...ticks.map((tick) => tick.ingestStored - tick.segmented)),
      brokerBacklogMax: Math.max(...ticks.map((tick) => tick.published - tick.ingestStored)),
      queueDepthMax: Math.max(...ticks.map((tick) => tick.queueDepth)),
      drainS: Number.isNaN(drainedAt) ? NaN : (drainedAt - lastBlockAt) / 1000,
      drained: !Number.isNaN(drainedAt),
      lagP50: quantile(lags, 0.5),
      lagP99: quantile(lags, 0.99),
      lagMax: lags.length === 0 ? NaN : Math.max(...lags),
      lagBlockP99: quantile(blockLags, 0.99),
      lagFinishP99: quantile(finishLags, 0.99),
      lagLastP50: quantile(lastLags, 0.5),
      warmupLagMax,
      expectedReps: expected.size,
      foundReps: found,
      missingReps: expected.size - found,
      extraReps: extra,
      truthReps,
      closedSets,
      deadLetters,
      deadLetterReasons,
      ...(deadLetterExample === undefined ? {} : { deadLetterExample }),
      publisherInFlightMax: inFlightMax,
      cpuPct,
      cpuUsPerBlock,
      cpuUsPerHandledBlock,
      loadAvg: [loadAtStart, loadAtEnd],
      peakRssMb: Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, f.peakRssMb])),
      eventLoopMaxMs: Object.fromEntries(Object.entries(figures).flatMap(([name, f]) => (f.eventLoopMaxAfterWarmUpMs === undefined ? [] : [[name, f.eventLoopMaxAfterWarmUpMs]]))),
      timeline: ticks.map((tick) => ({ t: Math.round(tick.t * 10) / 10, backlog: backlog(tick), inbox: tick.ingestStored - tick.segmented, queue: tick.queueDepth })),
      ...(publishError === undefined ? {} : { publishError }),
    };
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    await queue.close();
    await Promise.all(parts.map((part) => stopChild(part.run)));
    await proxy.close();
    await servers.stop();
  }
}

const PIPELINE = TOPOLOGY === 'services' ? ['ingest', 'worker', 'alerts'] : ['pipeline'];
const PROCESSES = [...PIPELINE, ...(TOPOLOGY === 'services' ? ['pipeline'] : []), 'mosquitto', 'redis', 'victoria-metrics', 'loadgen'];

const REPORT: SamplesReportContext = {
  channel: CHANNEL,
  stations: STATIONS,
  hz: HZ,
  blockMs: BLOCK_MS,
  runs: RUNS,
  drainTimeoutS: DRAIN_TIMEOUT_S,
  pipeline: PIPELINE,
  processes: PROCESSES,
};

console.log(
  `bench-samples: channel ${CHANNEL}, ${STATIONS} stations × ${HZ} Hz in blocks of ${BLOCK_MS} ms (${PACING}), ${SECONDS} s (steady after ${WARMUP_S} s), ${RUNS} run(s), ` +
    `${CONNECTIONS} MQTT connection(s), pipeline ${TOPOLOGY}${Object.keys(EXTRA_ENV).length ? `, pipeline env ${JSON.stringify(EXTRA_ENV)}` : ''}; ` +
    `offered ${fmt((STATIONS * 1000) / BLOCK_MS)} blocks/s = ${fmt(STATIONS * HZ)} samples/s`,
);
console.log(`sets: ${TRACES.map((trace) => trace.label).join('; ')}`);
const results: SamplesRunResult[] = [];
for (let run = 1; run <= RUNS; run++) {
  const r = await runOnce(run);
  results.push(r);
  printRun(run, r, REPORT);
}
printSummary(results, REPORT, args.json === true);
process.exit(results.some((r) => r.missingReps > 0 || r.deadLetters > 0 || !r.drained) ? 1 : 0);

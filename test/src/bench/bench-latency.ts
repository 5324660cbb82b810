// Latency benchmark at a steady load: publish → rep point stored in the TSDB, and rep → in-set alert
// on MQTT, through the pipeline (one process per service, or --topology all-in-one) on fresh servers.
//
//   npm run build && node test/dist/bench/bench-latency.js [--rate 2000] [--seconds 20] [--warmup 3] [--runs 3]
//     [--reps-per-set 10] [--topology services|all-in-one]
//
// Background: `rate` rep messages/s from 100 stations (sets of reps-per-set reps, closed by the next
// set), paced every 10 ms. Probes: twice a second a grinding set on its own station whose fifth rep
// loses 44 % velocity (a red high_fatigue alert); its latency is that rep's publish → the alert's
// arrival at a subscriber. Stored latency: a sample of reps' publish → the TSDB's acknowledgement of
// the write holding their point (a recording proxy in front of the TSDB). Medians of the runs' p50/p99.
// The same load runs for `warmup` seconds first (fresh processes compile their code, the TSDB creates
// every station's series): those seconds are reported on their own line, not in the percentiles.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { freePort } from '../../../infra/local-services.mjs';
import { pipelineEnv, repPayload } from '../harness/pipeline.js';
import { startRecordingProxy } from '../harness/recording-proxy.js';
import { startBenchServers } from './bench-servers.js';
import { parseTopology, startPipelineParts, stopChild, type PipelinePart } from './pipeline-process.js';
import { parsePipelineEnv } from './args.js';
import { REP_PERIOD_MS, SET_PERIOD_MS, SETS_PER_SESSION } from './workload.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    'reps-per-set': { type: 'string', default: '10' },
    topology: { type: 'string', default: 'services' },
    /** Extra pipeline settings, KEY=VALUE, repeatable. */
    'pipeline-env': { type: 'string', multiple: true, default: [] },
    /** Also print the medians as one line of JSON (for bench-all). */
    json: { type: 'boolean', default: false },
  },
});
const EXTRA_ENV = parsePipelineEnv(args['pipeline-env']);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP_S = Number(args.warmup);
const RUNS = Number(args.runs);
const REPS_PER_SET = Number(args['reps-per-set']);
const TOPOLOGY = parseTopology(args.topology);
const STATIONS = 100;
const GYM = 'bench-lat';

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
};
const median = (values: readonly number[]) => quantile(values, 0.5);

interface RunResult {
  readonly storedP50: number;
  readonly storedP99: number;
  readonly storedSamples: number;
  readonly storedMissing: number;
  readonly alertP50: number;
  readonly alertP99: number;
  readonly alertSamples: number;
  readonly alertMissing: number;
  readonly published: number;
  /** The warm-up's own figures (its first seconds, not in the percentiles above). */
  readonly warmup: { readonly storedP99: number; readonly storedMax: number; readonly alertMax: number; readonly missing: number };
}

async function runOnce(run: number): Promise<RunResult> {
  const servers = await startBenchServers();
  const proxy = await startRecordingProxy(servers.env.INFLUX_URL);
  let parts: PipelinePart[] = [];
  try {
    const env = pipelineEnv(servers.env, { INFLUX_URL: proxy.url, MQTT_CLIENT_ID: `bench-lat-${run}`, LOG_LEVEL: 'error', ...EXTRA_ENV });
    parts = await startPipelineParts(TOPOLOGY, env, [], freePort);
    const alertsAt = new Map<string, number>();
    const coach = await mqtt.connectAsync(servers.env.MQTT_URL, { clientId: `coach-${run}`, protocolVersion: 5 });
    coach.on('message', (_topic, payload) => {
      const alert = JSON.parse(payload.toString()) as { rule: string; setId?: string };
      if (alert.rule === 'high_fatigue' && alert.setId && !alertsAt.has(alert.setId)) alertsAt.set(alert.setId, Date.now());
    });
    await coach.subscribeAsync(`gym/v1/${GYM}/alerts`, { qos: 1 });
    const device = await mqtt.connectAsync(servers.env.MQTT_URL, { clientId: `load-${run}`, protocolVersion: 5 });

    // The throughput workload's rhythm (workload.ts): a set every 3 min, a new athlete after 20 sets;
    // the last set ends about an hour ago.
    const setsPerStation = Math.ceil((RATE * (SECONDS + WARMUP_S)) / STATIONS / REPS_PER_SET) + 1;
    const t0 = Date.now() - setsPerStation * SET_PERIOD_MS - 3_600_000;
    const sampled = new Map<string, number>(); // `${station}|${ts}` → publish time
    const probes = new Map<string, number>(); // setId → publish time of the grinding rep
    const warmSampled = new Map<string, number>(); // the same, during the warm-up
    const warmProbes = new Map<string, number>();
    let published = 0;
    let inFlight = 0;
    const publish = (topic: string, payload: string) => {
      inFlight++;
      published++;
      device.publish(topic, payload, { qos: 1 }, () => inFlight--);
    };
    const started = Date.now();
    let sent = 0;
    let probe = 0;
    const warm = () => Date.now() - started < WARMUP_S * 1000;
    while (Date.now() - started < (WARMUP_S + SECONDS) * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      for (; sent < due && inFlight < 5000; sent++) {
        const s = sent % STATIONS;
        const i = Math.floor(sent / STATIONS);
        const set = Math.floor(i / REPS_PER_SET);
        const repIndex = (i % REPS_PER_SET) + 1;
        const station = `st-${s}`;
        const ts = t0 + set * SET_PERIOD_MS + (repIndex - 1) * REP_PERIOD_MS + s;
        const athleteId = `ath-${s}-${Math.floor(set / SETS_PER_SESSION)}`;
        const payload = repPayload({ ts, athleteId, setId: `set-${set}`, repIndex, meanVelocity: 0.8 - repIndex * 0.01 });
        if (sent % 50 === 0) (warm() ? warmSampled : sampled).set(`${station}|${ts}`, Date.now());
        publish(`gym/v1/${GYM}/${station}/rep`, payload);
      }
      if ((Date.now() - started) / 500 >= probe + 1) {
        probe++;
        const setId = `probe-${probe}`;
        const station = `probe-${probe % 20}`;
        const base = Date.now() - 60_000;
        [0.8, 0.78, 0.75, 0.72].forEach((v, i) => publish(`gym/v1/${GYM}/${station}/rep`, repPayload({ ts: base + i * 3000, athleteId: `pa-${probe}`, setId, repIndex: i + 1, meanVelocity: v })));
        (warm() ? warmProbes : probes).set(setId, Date.now());
        publish(`gym/v1/${GYM}/${station}/rep`, repPayload({ ts: base + 12_000, athleteId: `pa-${probe}`, setId, repIndex: 5, meanVelocity: 0.45 }));
      }
      await sleep(10);
    }
    // Let the last messages through.
    await sleep(5000);
    const storedAt = new Map<string, number>();
    for (const point of proxy.points()) {
      if (point.measurement !== 'rep') continue;
      const key = `${point.tags['station']}|${point.ts}`;
      if (!storedAt.has(key)) storedAt.set(key, point.ackedAt);
    }
    const latencies = (sent: ReadonlyMap<string, number>, arrived: ReadonlyMap<string, number>) =>
      [...sent].flatMap(([key, at]) => (arrived.has(key) ? [(arrived.get(key) as number) - at] : []));
    const stored = latencies(sampled, storedAt);
    const alerts = latencies(probes, alertsAt);
    const warmStored = latencies(warmSampled, storedAt);
    const warmAlerts = latencies(warmProbes, alertsAt);
    await device.endAsync();
    await coach.endAsync();
    return {
      storedP50: quantile(stored, 0.5),
      storedP99: quantile(stored, 0.99),
      storedSamples: stored.length,
      storedMissing: sampled.size - stored.length,
      alertP50: quantile(alerts, 0.5),
      alertP99: quantile(alerts, 0.99),
      alertSamples: alerts.length,
      alertMissing: probes.size - alerts.length,
      published,
      warmup: { storedP99: quantile(warmStored, 0.99), storedMax: Math.max(...warmStored), alertMax: Math.max(...warmAlerts), missing: warmSampled.size - warmStored.length + warmProbes.size - warmAlerts.length },
    };
  } finally {
    await Promise.all(parts.map((part) => stopChild(part.run)));
    await proxy.close();
    await servers.stop();
  }
}

const results: RunResult[] = [];
console.log(`bench-latency: ${RATE} rep msg/s from ${STATIONS} stations (sets of ${REPS_PER_SET}) for ${SECONDS} s after ${WARMUP_S} s of warm-up, 2 grinding probe sets/s, ${RUNS} run(s), pipeline ${TOPOLOGY}${Object.keys(EXTRA_ENV).length ? `, pipeline env ${JSON.stringify(EXTRA_ENV)}` : ''}`);
for (let run = 1; run <= RUNS; run++) {
  const result = await runOnce(run);
  results.push(result);
  console.log(
    `run ${run}: published ${result.published}; publish→stored p50 ${result.storedP50} ms p99 ${result.storedP99} ms (${result.storedSamples} samples, ${result.storedMissing} missing); ` +
      `rep→alert p50 ${result.alertP50} ms p99 ${result.alertP99} ms (${result.alertSamples} probes, ${result.alertMissing} missing)`,
  );
  console.log(`  warm-up (first ${WARMUP_S} s, not above): publish→stored p99 ${result.warmup.storedP99} ms, max ${result.warmup.storedMax} ms; rep→alert max ${result.warmup.alertMax} ms; ${result.warmup.missing} missing`);
}
const m = (pick: (r: RunResult) => number) => median(results.map(pick));
console.log(`MEDIAN of ${RUNS}: publish→stored p50 ${m((r) => r.storedP50)} ms, p99 ${m((r) => r.storedP99)} ms; rep→in-set alert p50 ${m((r) => r.alertP50)} ms, p99 ${m((r) => r.alertP99)} ms`);
if (args.json) {
  const medians = {
    rate: RATE,
    warmupS: WARMUP_S,
    storedP50: m((r) => r.storedP50),
    storedP99: m((r) => r.storedP99),
    alertP50: m((r) => r.alertP50),
    alertP99: m((r) => r.alertP99),
    warmupStoredP99: m((r) => r.warmup.storedP99),
    warmupAlertMax: m((r) => r.warmup.alertMax),
  };
  console.log(`JSON ${JSON.stringify({ medians, runs: results })}`);
}
process.exit(results.some((r) => r.alertMissing > 0 || r.storedMissing > 0 || r.warmup.missing > 0) ? 1 : 0);

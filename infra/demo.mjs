#!/usr/bin/env node
// The demo: real Mosquitto, Redis and VictoriaMetrics on free ports, the all-in-one pipeline and a
// simulated gym, with a live summary in the terminal. Run it with `npm run demo` (which builds first).
// Coach alerts are printed as they arrive on MQTT, and the live coach console is served by the api.
// Options: --stations N (4), --sets N (3 per station), --speed X (10: the gym runs 10× faster than
// real time), --exit (stop when the simulation is done instead of waiting for Ctrl-C), --no-wearables
// (no heart-rate straps and bar IMUs: device protocol v1 only). With wearables (the default) the sets
// play in real time, since an IMU's samples are physical, and --speed shortens the rests only.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { freePort, startLocalServices } from './local-services.mjs';

const { values: args } = parseArgs({
  options: {
    stations: { type: 'string', default: '4' },
    sets: { type: 'string', default: '3' },
    speed: { type: 'string', default: '10' },
    exit: { type: 'boolean', default: false },
    'no-wearables': { type: 'boolean', default: false },
  },
});
const wearables = !args['no-wearables'];

const root = new URL('../', import.meta.url);
const API_TOKEN = 'demo-token-change-me-0123456789';
// Sets without `set` events close after this idle time; real-time sets (wearables) pause up to ~6 s between reps.
const IDLE_MS = wearables ? 10_000 : 5000;

function run(script, env, name) {
  const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null && !stopping) {
      console.error(`\n${name} exited with code ${code}; its last output:\n${lines.slice(-15).join('\n')}`);
    }
  });
  return { child, lines, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Reads a few counters from the pipeline's Prometheus endpoint. */
async function summary(apiUrl) {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const sum = (name, filter = '') =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name) && line.includes(filter))
      .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
  return {
    received: sum('neurolift_ingest_messages_received_total'),
    stored: sum('neurolift_ingest_messages_stored_total'),
    deadLetters: sum('neurolift_ingest_dead_letters_total'),
    setsClosed: sum('neurolift_ingest_sets_closed_total'),
    repPoints: sum('neurolift_worker_points_written_total', 'measurement="rep"'),
    setPoints: sum('neurolift_worker_points_written_total', 'measurement="set"'),
    alerts: sum('neurolift_alerts_total', 'outcome="delivered"'),
    imuBlocks: sum('neurolift_ingest_messages_stored_total', 'channel="imu"'),
    hrBlocks: sum('neurolift_ingest_messages_stored_total', 'channel="hr"'),
    segmentedReps: sum('neurolift_worker_segmented_reps_total'),
    heartRatePoints: sum('neurolift_worker_points_written_total', 'measurement="heart_rate"'),
  };
}

/** Points of a series selector in the TSDB (VictoriaMetrics), stamped in the last `window` up to a minute ahead. */
async function tsdbCount(influxUrl, selector, window = '6h') {
  await fetch(`${influxUrl}/internal/force_flush`).then((r) => r.arrayBuffer());
  const query = `sum(count_over_time(${selector}[${window}]))`;
  const url = `${influxUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${(Date.now() + 60_000) / 1000}`;
  const body = await fetch(url).then((r) => r.json());
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

/** What the wearables gave (device protocol v1.1), from the TSDB: the truth, not a counter. */
async function wearableSummary(influxUrl) {
  const [imuReps, setsWithHrPeak, setsWithRecovery, heartRatePoints, sets] = await Promise.all([
    // The bar IMUs' stations are `imu-<rack>`: their rep points are the reps segmented from imu (source imu).
    tsdbCount(influxUrl, 'rep_mean_velocity{station=~"imu-.*"}'),
    tsdbCount(influxUrl, 'set_hr_peak'),
    tsdbCount(influxUrl, 'set_hr_recovery_60s'),
    tsdbCount(influxUrl, 'heart_rate_bpm'),
    tsdbCount(influxUrl, 'set_reps'),
  ]);
  return { imuReps, setsWithHrPeak, setsWithRecovery, heartRatePoints, sets };
}

let stopping = false;
console.log('Starting Mosquitto, Redis and VictoriaMetrics on free ports …');
const services = await startLocalServices();
const apiPort = await freePort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const env = { ...services.env, API_PORT: String(apiPort), API_TOKEN, SET_IDLE_TIMEOUT_MS: String(IDLE_MS), LOG_LEVEL: 'warn', MQTT_CLIENT_ID: 'neurolift-demo', TSDB_DELETE_API: 'victoriametrics' };
const pipeline = run('services/pipeline/dist/main.js', env, 'pipeline');
let simulator;
let alertsClient;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping …');
  await alertsClient?.endAsync().catch(() => undefined);
  simulator?.child.kill('SIGTERM');
  pipeline.child.kill('SIGTERM');
  await Promise.all([pipeline.exited, simulator?.exited]);
  await services.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  for (let i = 0; ; i++) {
    if (i > 150) throw new Error(`the pipeline did not become ready:\n${pipeline.lines.join('\n')}`);
    const ready = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(
    `Pipeline ready (api ${apiUrl}). Starting a simulated gym: ${args.stations} stations × ${args.sets} sets at ${args.speed}× speed` +
      (wearables ? ' (rests only: with wearables the sets play in real time), a heart-rate strap per athlete and a bar IMU at every second rack.' : '.'),
  );
  console.log(`Live coach console: ${apiUrl}/console?gym=demo-gym&token=${API_TOKEN}\n`);
  // What a coach's app sees: alerts on gym/v1/{gymId}/alerts (QoS 1).
  const coach = await mqtt.connectAsync(services.env.MQTT_URL, { clientId: 'demo-coach', protocolVersion: 5 });
  coach.on('message', (_topic, payload) => {
    const alert = JSON.parse(payload.toString());
    const mark = { info: 'i', amber: '!', red: '!!' }[alert.severity] ?? '?';
    process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[K' : ''}[alert ${mark} ${alert.rule}] ${alert.message}\n`);
  });
  await coach.subscribeAsync('gym/v1/+/alerts', { qos: 1 });
  alertsClient = coach;
  simulator = run(
    'services/device-sim/dist/main.js',
    { MQTT_URL: services.env.MQTT_URL, SIM_STATIONS: args.stations, SIM_SETS_PER_STATION: args.sets, SIM_SPEED: args.speed, SIM_WEARABLES: String(wearables), LOG_LEVEL: 'warn' },
    'simulator',
  );
  let simDone = false;
  void simulator.exited.then(() => (simDone = true));
  let quietSince = 0;
  let last = '';
  // Not a terminal (a log, CI): a changed line at most every 5 s instead of one per message.
  let printed = '';
  let printedAt = 0;
  for (;;) {
    const s = await summary(apiUrl);
    const wearing = wearables ? ` | wearables: imu blocks ${s.imuBlocks} (reps segmented ${s.segmentedReps}), hr blocks ${s.hrBlocks} (heart_rate points ${s.heartRatePoints})` : '';
    const line = `messages ${s.received} (stored ${s.stored}, dead letters ${s.deadLetters}) | sets closed ${s.setsClosed} | points written: rep ${s.repPoints}, set ${s.setPoints} | alerts ${s.alerts}${wearing}`;
    if (process.stdout.isTTY) {
      if (line !== last) process.stdout.write(`\r${line}   `);
    } else if (line !== printed && (Date.now() - printedAt >= 5000 || simDone)) {
      process.stdout.write(`${line}\n`);
      printed = line;
      printedAt = Date.now();
    }
    // Done when the simulator finished and every set has closed (idle timeout) and been written.
    if (simDone && line === last) quietSince ||= Date.now();
    else quietSince = 0;
    last = line;
    if (quietSince && Date.now() - quietSince > IDLE_MS + 2000) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const example = `${services.env.INFLUX_URL}/api/v1/query?query=last_over_time(set_velocity_loss_pct[1h])`;
  console.log(`\n\nThe simulated gym is done. The data is in the TSDB (VictoriaMetrics, InfluxDB write API) at ${services.env.INFLUX_URL}`);
  console.log(`  latest set per station:      curl -sg '${example}'`);
  console.log(`  raw rep points:              curl -sg '${services.env.INFLUX_URL}/api/v1/export?match[]=rep_mean_velocity'`);
  console.log(`  dead letters:                curl -s -H 'Authorization: Bearer ${API_TOKEN}' ${apiUrl}/v1/dead-letters`);
  console.log(`  pipeline metrics:            curl -s ${apiUrl}/metrics`);
  const sets = await fetch(example).then((r) => r.json());
  for (const result of sets.data?.result ?? []) {
    const m = result.metric;
    console.log(`  latest set on ${m.station} (${m.athlete}, ${m.exercise}): velocity loss ${Number(result.value[1]).toFixed(1)} %`);
  }
  if (wearables) {
    const w = await wearableSummary(services.env.INFLUX_URL);
    const s = await summary(apiUrl);
    console.log(`  wearables (device protocol v1.1): ${s.imuBlocks} imu blocks, ${s.hrBlocks} hr blocks stored`);
    console.log(`    reps segmented from imu (source imu, the bar IMUs' stations): ${w.imuReps}`);
    console.log(`    heart_rate points: ${w.heartRatePoints}; sets with hr_peak: ${w.setsWithHrPeak} of ${w.sets} (with hr_recovery_60s: ${w.setsWithRecovery})`);
  }
  const letters = await fetch(`${apiUrl}/v1/dead-letters?limit=20`, { headers: { authorization: `Bearer ${API_TOKEN}` } }).then((r) => r.json());
  console.log(`  dead letters in the store: ${letters.total ?? '?'}${letters.total ? ` (${JSON.stringify(letters.byReason)})` : ''}`);
  const nsi = await fetch(`${services.env.INFLUX_URL}/api/v1/query?query=${encodeURIComponent('last_over_time(neurotrophic_stimulus_nsi[6h])')}`).then((r) => r.json());
  const aerobic = await fetch(`${services.env.INFLUX_URL}/api/v1/query?query=${encodeURIComponent('last_over_time(neurotrophic_stimulus_aerobic_dose[6h])')}`).then((r) => r.json());
  const aerobicOf = new Map((aerobic.data?.result ?? []).map((result) => [result.metric.athlete, Number(result.value[1])]));
  for (const result of nsi.data?.result ?? []) {
    const dose = aerobicOf.get(result.metric.athlete);
    const aerobicText = wearables && dose !== undefined ? ` (aerobic dose ${dose.toFixed(2)})` : '';
    console.log(`  ${result.metric.athlete}: neurotrophic stimulus index (model) ${Number(result.value[1]).toFixed(0)} / 100${aerobicText} — a dose heuristic, not a BDNF level (docs/model.md)`);
  }
  if (args.exit) await stop(0);
  console.log('\nPress Ctrl-C to stop the servers (their data is deleted).');
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : error}`);
  await stop(1);
}

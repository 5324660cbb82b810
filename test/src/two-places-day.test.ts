// An athlete who trains at two places on one day (decision 0018), on real servers: squats at gym A in the
// morning, again at gym B in the afternoon, published over MQTT. The athlete's series follow the athlete:
// one exposure point for the day in one series, every session point in one series (each naming its gym in
// a field), one acute series; the set points keep their gym tag. The same writes replayed into InfluxDB 1.x
// give one series per measurement there too. And the upgrade (docs/operations.md, "Upgrading to model
// nsi-1.1"): the old gym-tagged series next to the new ones, removed by the documented delete queries
// (VictoriaMetrics, InfluxDB 1.x) without touching the new ones.
import { MEASUREMENTS } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import { dayOf, endOfDay } from '@neurolift/stimulus';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, influxPost, influxQuery, writeLines } from './harness/influxdb1-client.js';
import { connectDevice, pipelineEnv, repPayload, startTestPipeline } from './harness/pipeline.js';
import { startRecordingProxy, type RecordedPoint, type RecordingProxy } from './harness/recording-proxy.js';
import { exportSeries, startServers, waitFor, type LocalServices, type Series } from './harness/servers.js';

const ATHLETE = 'ath-travel';
const GYM_A = 'gym-a';
const GYM_B = 'gym-b';
const DB = 'telemetry';
const DAY_MS = 86_400_000;
/** Yesterday (UTC): 08:00 at gym A, 15:00 at gym B — two sessions (7 h apart), one day. */
const DAY = dayOf(Date.now()) - 1;
const MORNING = DAY * DAY_MS + 8 * 3600_000;
const AFTERNOON = DAY * DAY_MS + 15 * 3600_000;
const FAR_FUTURE = Date.now() + 2 * DAY_MS;
const ATHLETE_MEASUREMENTS = [MEASUREMENTS.stimulus, MEASUREMENTS.exposure, MEASUREMENTS.acute] as const;
/** One field of each, to find its series in VictoriaMetrics (`<measurement>_<field>`). */
const VM_FIELD: Readonly<Record<(typeof ATHLETE_MEASUREMENTS)[number], string>> = {
  neurotrophic_stimulus: 'nsi',
  neurotrophic_exposure: 'daily_load',
  neurotrophic_acute: 'level',
};

interface PlannedSet {
  readonly gym: string;
  readonly station: string;
  readonly setId: string;
  readonly start: number;
}

const SESSION_A: readonly PlannedSet[] = [0, 1, 2].map((i) => ({ gym: GYM_A, station: 'rack-a', setId: `a-${i + 1}`, start: MORNING + i * 4 * 60_000 }));
const SESSION_B: readonly PlannedSet[] = [0, 1].map((i) => ({ gym: GYM_B, station: 'rack-b', setId: `b-${i + 1}`, start: AFTERNOON + i * 4 * 60_000 }));

let servers: LocalServices<'mosquitto' | 'redis' | 'victoria-metrics' | 'influxdb'>;
let pipeline: Pipeline;
let device: MqttClient;
let tsdb: RecordingProxy;

beforeAll(async () => {
  servers = await startServers({ services: ['mosquitto', 'redis', 'victoria-metrics', 'influxdb'] });
  tsdb = await startRecordingProxy(servers.env.INFLUX_URL);
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, WORKER_CONCURRENCY: '1', MQTT_CLIENT_ID: 'two-places-test' }));
  device = await connectDevice(servers.env.MQTT_URL);
  await createDatabase(servers.env.INFLUXDB1_URL, DB);
});

afterAll(async () => {
  await device?.endAsync();
  await pipeline?.close();
  await tsdb?.close();
  await servers?.stop();
});

/** Five back squat reps at 100 kg, 4 s apart, then the set's end. */
async function publishSet(set: PlannedSet): Promise<void> {
  const reps = [0.62, 0.6, 0.57, 0.53, 0.48].map((meanVelocity, i) => ({ repIndex: i + 1, ts: set.start + i * 4000, meanVelocity, loadKg: 100, athleteId: ATHLETE, setId: set.setId }));
  for (const rep of reps) await device.publishAsync(`gym/v1/${set.gym}/${set.station}/rep`, repPayload(rep), { qos: 1 });
  const end = { v: 1, event: 'end', ts: set.start + 16_000, setId: set.setId, athleteId: ATHLETE, exercise: 'back_squat' };
  await device.publishAsync(`gym/v1/${set.gym}/${set.station}/set`, JSON.stringify(end), { qos: 1 });
}

/** The athlete's points of `measurement` as written (every write, oldest first). */
const written = (measurement: string): RecordedPoint[] => tsdb.points().filter((p) => p.measurement === measurement && p.tags.athlete === ATHLETE);

/** Session points of the athlete, the last write per time (what InfluxDB holds). */
function sessionPoints(): RecordedPoint[] {
  const byTs = new Map<number, RecordedPoint>();
  for (const point of written(MEASUREMENTS.stimulus)) byTs.set(point.ts, point);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

const waitSessionPoints = (count: number) =>
  waitFor(async () => (sessionPoints().length >= count ? sessionPoints() : undefined), { what: `${count} session points of ${ATHLETE}`, timeoutMs: 30_000 });

async function athleteSeries(measurement: string, field: string): Promise<Series[]> {
  return exportSeries(servers.env.INFLUX_URL, `${measurement}_${field}{athlete="${ATHLETE}"}`, { endMs: FAR_FUTURE });
}

describe('a day at two places', () => {
  it('the athlete trains at gym A in the morning and at gym B in the afternoon', async () => {
    // In the order they happen: the afternoon's sets come once the morning's are folded.
    for (const set of SESSION_A) await publishSet(set);
    await waitSessionPoints(SESSION_A.length);
    for (const set of SESSION_B) await publishSet(set);
    const points = await waitSessionPoints(SESSION_A.length + SESSION_B.length);
    expect(points.map((p) => p.ts)).toEqual([...SESSION_A, ...SESSION_B].map((set) => set.start + 16_000));
    // The exposure of the day after the afternoon's last set, and its acute curve, come in the same write.
    await waitFor(async () => ((await athleteSeries(MEASUREMENTS.acute, 'level'))[0]?.timestamps.includes(AFTERNOON + 4 * 60_000 + 16_000) ? true : undefined), {
      what: 'the acute point of the last set',
      timeoutMs: 20_000,
    });
  });

  it('gives one exposure point for the day, in one series without a gym, holding both sessions', async () => {
    const series = await athleteSeries(MEASUREMENTS.exposure, 'daily_load');
    expect(series.map((s) => s.metric)).toEqual([{ __name__: 'neurotrophic_exposure_daily_load', athlete: ATHLETE }]);
    expect(series[0]?.timestamps).toEqual([endOfDay(DAY)]);
    // Every write of the day's point went to the one series; the last holds both sessions' NSI.
    const exposure = written(MEASUREMENTS.exposure);
    expect(exposure.length).toBeGreaterThanOrEqual(2);
    for (const point of exposure) {
      expect(point.tags).toEqual({ athlete: ATHLETE });
      expect(point.ts).toBe(endOfDay(DAY));
      expect(point.fields).not.toHaveProperty('gym');
    }
    const sessions = sessionPoints();
    const morningNsi = Number(sessions[SESSION_A.length - 1]?.fields.nsi);
    const afternoonNsi = Number(sessions.at(-1)?.fields.nsi);
    expect(morningNsi).toBeGreaterThan(0);
    expect(afternoonNsi).toBeGreaterThan(0);
    expect(Number(exposure.at(-1)?.fields.daily_load)).toBeCloseTo(Math.min(150, morningNsi + afternoonNsi), 9);
  });

  it('writes every session point to one athlete series, each naming the gym of its set', async () => {
    const series = await athleteSeries(MEASUREMENTS.stimulus, 'nsi');
    expect(series.map((s) => s.metric)).toEqual([{ __name__: 'neurotrophic_stimulus_nsi', athlete: ATHLETE }]);
    expect(series[0]?.timestamps).toHaveLength(SESSION_A.length + SESSION_B.length);
    const sessions = sessionPoints();
    expect(sessions.map((p) => p.tags)).toEqual(sessions.map(() => ({ athlete: ATHLETE })));
    expect(sessions.map((p) => p.fields.gym)).toEqual([...SESSION_A, ...SESSION_B].map((set) => `"${set.gym}"`));
    // Two sessions (7 h apart): the morning's ends at its third set, the afternoon's starts afresh.
    expect(sessions.map((p) => p.fields.sets)).toEqual(['1i', '2i', '3i', '1i', '2i']);
    expect(new Set(sessions.map((p) => p.fields.session_id)).size).toBe(2);
  });

  it('draws the acute window in one series without a gym', async () => {
    const series = await athleteSeries(MEASUREMENTS.acute, 'level');
    expect(series.map((s) => s.metric)).toEqual([{ __name__: 'neurotrophic_acute_level', athlete: ATHLETE }]);
    const ends = [...SESSION_A, ...SESSION_B].map((set) => set.start + 16_000);
    for (const end of ends) expect(series[0]?.timestamps).toContain(end);
    for (const point of written(MEASUREMENTS.acute)) expect({ tags: point.tags, fields: Object.keys(point.fields) }).toEqual({ tags: { athlete: ATHLETE }, fields: ['level'] });
  });

  it('keeps the gym tag on the set points: one series per place', async () => {
    const series = await athleteSeries(MEASUREMENTS.set, 'reps');
    expect(series.map((s) => [s.metric.gym, s.metric.station, s.timestamps.length])).toEqual([
      [GYM_A, 'rack-a', SESSION_A.length],
      [GYM_B, 'rack-b', SESSION_B.length],
    ]);
  });

  it('gives one series per athlete measurement in InfluxDB 1.x too, the gym a field of the session points', async () => {
    const url = servers.env.INFLUXDB1_URL;
    await writeLines(url, DB, tsdb.points().map((point) => lineOf(point)));
    for (const measurement of ATHLETE_MEASUREMENTS) expect(await seriesKeys(url, measurement), measurement).toEqual([`${measurement},athlete=${ATHLETE}`]);
    const [exposure] = await influxQuery(url, DB, `SELECT "daily_load" FROM "neurotrophic_exposure" WHERE "athlete" = '${ATHLETE}'`);
    expect(exposure?.values.map((row) => row[0])).toEqual([endOfDay(DAY)]);
    const [sessions] = await influxQuery(url, DB, `SELECT "gym", "sets" FROM "neurotrophic_stimulus" WHERE "athlete" = '${ATHLETE}'`);
    expect(sessions?.values.map((row) => [row[1], row[2]])).toEqual([
      [GYM_A, 1],
      [GYM_A, 2],
      [GYM_A, 3],
      [GYM_B, 1],
      [GYM_B, 2],
    ]);
    const fieldKeys = await influxQuery(url, DB, `SHOW FIELD KEYS FROM "neurotrophic_stimulus"`);
    expect(fieldKeys[0]?.values).toContainEqual(['gym', 'string']);
    const tagKeys = await influxQuery(url, DB, `SHOW TAG KEYS FROM "neurotrophic_stimulus"`);
    expect(tagKeys.flatMap((s) => s.values.map((row) => row[0]))).toEqual(['athlete']);
  });
});

/** The series keys of a measurement in InfluxDB 1.x (SHOW SERIES answers without a series name). */
async function seriesKeys(url: string, measurement: string): Promise<string[]> {
  const res = await fetch(`${url}/query?${new URLSearchParams({ db: DB, q: `SHOW SERIES FROM "${measurement}"` }).toString()}`);
  const body = (await res.json()) as { results?: Array<{ series?: Array<{ values?: string[][] }> }> };
  return (body.results?.[0]?.series ?? []).flatMap((s) => (s.values ?? []).map((row) => String(row[0]))).sort();
}

/** A recorded point as a line again (tags and fields as they were written, quotes and all). */
function lineOf(point: RecordedPoint, extraTags: Readonly<Record<string, string>> = {}): string {
  const tags = Object.entries({ ...point.tags, ...extraTags })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `,${key}=${value}`)
    .join('');
  const fields = Object.entries(point.fields)
    .filter(([key]) => !(key in extraTags))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return `${point.measurement}${tags} ${fields} ${point.ts}`;
}

/** What the worker wrote before model nsi-1.1: the same points, tagged by gym (the session's set's gym, else gym A). */
function legacyLines(): string[] {
  return ATHLETE_MEASUREMENTS.flatMap((measurement) =>
    written(measurement).map((point) => lineOf(point, { gym: (point.fields.gym ?? `"${GYM_A}"`).replace(/"/g, '') })),
  );
}

describe('upgrading: the old gym-tagged series', () => {
  it('VictoriaMetrics: the documented delete_series removes them and keeps the athlete series', async () => {
    const write = await fetch(`${servers.env.INFLUX_URL}/api/v2/write?org=neurolift&bucket=${DB}&precision=ms`, { method: 'POST', body: legacyLines().join('\n') });
    expect(write.status).toBe(204);
    for (const measurement of ATHLETE_MEASUREMENTS) {
      const series = await athleteSeries(measurement, VM_FIELD[measurement]);
      // The session points of each place under their gym; the exposure and acute points (no gym field) under gym A.
      expect(series.map((s) => s.metric.gym ?? '').sort(), measurement).toEqual(measurement === MEASUREMENTS.stimulus ? ['', GYM_A, GYM_B] : ['', GYM_A]);
    }

    // docs/operations.md, "Upgrading to model nsi-1.1": the query, as given there.
    const match = '{__name__=~"neurotrophic_(stimulus|exposure|acute)_.+",gym!=""}';
    const res = await fetch(`${servers.env.INFLUX_URL}/api/v1/admin/tsdb/delete_series?${new URLSearchParams({ 'match[]': match }).toString()}`, { method: 'POST' });
    expect(res.status).toBe(204);

    for (const measurement of ATHLETE_MEASUREMENTS) {
      const series = await athleteSeries(measurement, VM_FIELD[measurement]);
      expect(series.map((s) => s.metric), measurement).toEqual([{ __name__: `${measurement}_${VM_FIELD[measurement]}`, athlete: ATHLETE }]);
    }
    // The set points' gym tag is left alone.
    expect(await athleteSeries(MEASUREMENTS.set, 'reps')).toHaveLength(2);
  });

  it('InfluxDB 1.x: the documented DROP SERIES removes them and keeps the athlete series', async () => {
    const url = servers.env.INFLUXDB1_URL;
    await writeLines(url, DB, legacyLines());
    expect(await seriesKeys(url, MEASUREMENTS.exposure)).toEqual([`neurotrophic_exposure,athlete=${ATHLETE}`, `neurotrophic_exposure,athlete=${ATHLETE},gym=${GYM_A}`]);

    // docs/operations.md, "Upgrading to model nsi-1.1": the statements, as given there. Only the overlap
    // first: the gym-tagged points from a time on (here the afternoon) go, the earlier ones stay.
    await influxPost(url, DB, `DELETE FROM /^neurotrophic_(stimulus|exposure|acute)$/ WHERE "gym"::tag =~ /./ AND time >= '${new Date(AFTERNOON).toISOString()}'`);
    const legacyNsi = await influxQuery(url, DB, `SELECT count("nsi") AS "n" FROM "neurotrophic_stimulus" WHERE "gym"::tag =~ /./ GROUP BY "gym"`);
    expect(legacyNsi.map((s) => [s.tags.gym, s.values[0]?.[1]])).toEqual([[GYM_A, SESSION_A.length]]);
    expect(await influxQuery(url, DB, `SELECT count("daily_load") FROM "neurotrophic_exposure" WHERE "gym"::tag =~ /./`)).toEqual([]);
    const [current] = await influxQuery(url, DB, `SELECT count("nsi") AS "n" FROM "neurotrophic_stimulus" WHERE "athlete" = '${ATHLETE}' AND "gym"::field =~ /./`);
    expect(current?.values[0]?.[1]).toBe(SESSION_A.length + SESSION_B.length);
    // Then every gym-tagged series.
    await influxPost(url, DB, 'DROP SERIES FROM "neurotrophic_stimulus", "neurotrophic_exposure", "neurotrophic_acute" WHERE "gym"::tag =~ /./');

    for (const measurement of ATHLETE_MEASUREMENTS) expect(await seriesKeys(url, measurement), measurement).toEqual([`${measurement},athlete=${ATHLETE}`]);
    const [sessions] = await influxQuery(url, DB, `SELECT "gym", "nsi" FROM "neurotrophic_stimulus" WHERE "athlete" = '${ATHLETE}'`);
    expect(sessions?.values).toHaveLength(SESSION_A.length + SESSION_B.length);
    expect(await seriesKeys(url, MEASUREMENTS.set)).toHaveLength(2);
  });
});

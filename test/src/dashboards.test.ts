// The Grafana dashboards (infra/grafana) against a real InfluxQL engine, InfluxDB 1.x: a simulated gym is
// written as line protocol by the project's own point builders, then every InfluxQL query of every panel,
// annotation and variable runs with Grafana's macros replaced, and must return rows that fill every column
// it selects and name every tag it groups by. InfluxQL answers a wrong measurement, field or tag with empty
// rows or null columns rather than an error, so this is what catches a renamed field before a coach does.
// Also checked without a server: the files' shape, the provisioned data sources, the model's label on NSI
// panels, that the athlete's series are never filtered or grouped by gym (decision 0018), and that the
// Prometheus panels use only metrics the services define. An athlete who trains at two gyms on one day
// checks the NSI panels on the engine: whichever gym is picked, they show the athlete's whole day.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEASUREMENTS } from '@neurolift/contracts';
import { MODEL_VERSION, athleteSetKey, dayOf, endOfDay, planAthleteUpdate, type AthleteSet } from '@neurolift/stimulus';
import { athleteLines } from '@neurolift/stimulus-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboards, queriesOf, type DashboardQuery, type Panel } from './harness/grafana-dashboards.js';
import { createDatabase, influxQuery, writeLines, type InfluxSeries } from './harness/influxdb1-client.js';
import { groupByTags, interpolate, measurementsOf, regexValue, selectColumns, whereKeys } from './harness/influxql.js';
import { startServers, type LocalServices } from './harness/servers.js';
import { simulateGym } from './harness/simulated-gym.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GRAFANA_DIR = path.join(REPO_ROOT, 'infra/grafana');
const INFLUX_UID = 'neurolift-influxdb';
const PROMETHEUS_UID = 'neurolift-prometheus';
const DB = 'telemetry';
/** What Grafana would put for $__interval over the simulated month. */
const INTERVAL = '1h';
const NSI_LABEL = 'Neurotrophic stimulus index (model)';
const NSI_MEASUREMENTS: ReadonlySet<string> = new Set([MEASUREMENTS.stimulus, MEASUREMENTS.exposure, MEASUREMENTS.acute]);

const dashboards = loadDashboards(path.join(GRAFANA_DIR, 'dashboards'));
const gym = simulateGym();

/** The two ways Grafana fills the variables: one value picked each, or "All" (every value, as a regex group). */
const SCENARIOS = [
  { name: 'one value', variables: { gym: regexValue([gym.pick.gym]), athlete: regexValue([gym.pick.athlete]), exercise: regexValue([gym.pick.exercise]) } },
  { name: 'All', variables: { gym: regexValue(gym.values.gym), athlete: regexValue(gym.values.athlete), exercise: regexValue(gym.values.exercise) } },
];

/**
 * An athlete who trains at two gyms on one day (decision 0018): two squat sets at gym-north in the morning,
 * two at gym-south in the afternoon (and one set 28 days before); the model's outputs from the pure planner,
 * as the worker writes them.
 */
const TRAVELLER = 'a-travel';
const TRAVEL_DB = 'travel';
const TRAVEL_DAY_MS = Date.UTC(2025, 3, 7);
const TRAVEL_GYMS = ['gym-north', 'gym-south'] as const;
/** Minutes from the day's start, at gym-north 28 days before too (so the exposure ratio exists on the day). */
const travelSets: AthleteSet[] = [
  [TRAVEL_GYMS[0], -28 * 24 * 60 + 9 * 60],
  [TRAVEL_GYMS[0], 9 * 60],
  [TRAVEL_GYMS[0], 9 * 60 + 4],
  [TRAVEL_GYMS[1], 16 * 60],
  [TRAVEL_GYMS[1], 16 * 60 + 4],
].map(([gymId, minute], i) => {
  const start = TRAVEL_DAY_MS + (minute as number) * 60_000;
  const reps = [0.62, 0.58, 0.53, 0.47].map((meanVelocity, r) => ({ repIndex: r + 1, ts: start + r * 4_000, loadKg: 100, meanVelocity }));
  return { key: athleteSetKey('rack-1', `t${i + 1}`), gymId: gymId as string, stationId: 'rack-1', setId: `t${i + 1}`, exercise: 'back_squat', reps };
});
const travelLines = athleteLines(
  TRAVELLER,
  planAthleteUpdate({ sets: travelSets, storedDailyLoads: new Map(), profile: { bodyMassKg: 80 }, changedKey: (travelSets[0] as AthleteSet).key }),
  MODEL_VERSION,
);

const isInflux = (query: DashboardQuery): boolean => query.datasourceUid === INFLUX_UID;
const influxQueries = (panel: Panel): DashboardQuery[] => panel.queries.filter(isInflux);
const isNsiPanel = (panel: Panel): boolean => influxQueries(panel).some((q) => measurementsOf(q.text).some((m) => NSI_MEASUREMENTS.has(m)));

/** The uids the provisioning files give their data sources. */
function provisionedUids(): string[] {
  const dir = path.join(GRAFANA_DIR, 'provisioning/datasources');
  return readdirSync(dir).flatMap((file) => [...readFileSync(path.join(dir, file), 'utf8').matchAll(/^\s*uid:\s*(\S+)\s*$/gm)].map((m) => m[1] as string));
}

/** The metric names the services register (services/<name>/src/*metrics*.ts). */
function definedMetrics(): Set<string> {
  const services = path.join(REPO_ROOT, 'services');
  const names = new Set<string>();
  for (const service of readdirSync(services)) {
    const src = path.join(services, service, 'src');
    const files = readdirSync(src).filter((file) => /metrics.*\.ts$/.test(file) && !file.endsWith('.test.ts'));
    for (const file of files) {
      for (const match of readFileSync(path.join(src, file), 'utf8').matchAll(/name: '(neurolift_\w+)'/g)) names.add(match[1] as string);
    }
  }
  return names;
}

describe('dashboard files', () => {
  it('are the four dashboards, with unique uids and panel ids', () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual(['Neurolift — Athlete', 'Neurolift — Gym floor', 'Neurolift — Pipeline health', 'Neurolift — Set quality']);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, dashboard.title).toBe(ids.length);
      expect(ids.every(Number.isInteger), dashboard.title).toBe(true);
    }
  });

  it('query only the provisioned data sources, InfluxQL in raw mode', () => {
    expect(provisionedUids().sort()).toEqual([INFLUX_UID, PROMETHEUS_UID]);
    for (const query of dashboards.flatMap(queriesOf)) {
      expect([INFLUX_UID, PROMETHEUS_UID], query.where).toContain(query.datasourceUid);
      // Without rawQuery Grafana rebuilds the query from its visual editor and ignores the text tested here.
      if (isInflux(query)) expect(query.rawQuery, query.where).toBe(true);
    }
  });

  it('read only the measurements the services write, and alias only tags they group by', () => {
    const written: string[] = Object.values(MEASUREMENTS);
    for (const query of dashboards.flatMap(queriesOf).filter(isInflux)) {
      expect(measurementsOf(query.text).length, query.where).toBeGreaterThan(0);
      for (const measurement of measurementsOf(query.text)) expect(written, query.where).toContain(measurement);
      for (const [, tag] of (query.alias ?? '').matchAll(/\$tag_(\w+)/g)) expect(groupByTags(query.text), query.where).toContain(tag);
    }
  });

  it('label every NSI panel as the model, pointing to docs/model.md', () => {
    const nsiPanels = dashboards.flatMap((d) => d.panels).filter(isNsiPanel);
    expect(nsiPanels.length).toBeGreaterThanOrEqual(5); // session value, acute window, exposure, ratio, …
    for (const panel of nsiPanels) {
      expect(panel.title.startsWith(NSI_LABEL), panel.title).toBe(true);
      expect(panel.description, panel.title).toContain('docs/model.md');
      expect(panel.description, panel.title).toContain('heuristic dose index');
      expect(panel.description, panel.title).toContain('not a BDNF measurement');
    }
  });

  it("show the athlete's series (session NSI, exposure, acute) whatever the gym: no gym filter or grouping", () => {
    const athleteQueries = dashboards.flatMap(queriesOf).filter((q) => isInflux(q) && measurementsOf(q.text).some((m) => NSI_MEASUREMENTS.has(m)));
    expect(athleteQueries.length).toBeGreaterThanOrEqual(7);
    for (const query of athleteQueries) {
      expect(whereKeys(query.text), query.where).toContain('athlete');
      expect(whereKeys(query.text), query.where).not.toContain('gym');
      expect(groupByTags(query.text), query.where).not.toContain('gym');
    }
  });

  it('never use BDNF as a title, unit, axis label or legend (docs/model.md, "Labelling")', () => {
    for (const dashboard of dashboards) {
      const labels = [dashboard.title, ...dashboard.panels.flatMap((p) => [p.title, ...p.labels, ...p.queries.map((q) => q.alias ?? '')])];
      expect(labels.filter((label) => /BDNF|brain/i.test(label)), dashboard.title).toEqual([]);
    }
  });

  it('build the Prometheus panels on metrics the services define', () => {
    const defined = definedMetrics();
    const queries = dashboards.flatMap(queriesOf).filter((q) => q.datasourceUid === PROMETHEUS_UID);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      const used = [...query.text.matchAll(/\bneurolift_\w+/g)].map(([name]) => name);
      expect(used.length, query.where).toBeGreaterThan(0);
      // A histogram is queried through its _bucket, _sum and _count series.
      for (const name of used) expect(defined, `${query.where}: ${name}`).toContain(name.replace(/_(bucket|sum|count)$/, ''));
    }
  });
});

describe('dashboard queries on InfluxDB 1.x', () => {
  let servers: LocalServices<'influxdb'>;

  beforeAll(async () => {
    servers = await startServers({ services: ['influxdb'] });
    await createDatabase(servers.env.INFLUXDB1_URL, DB);
    await writeLines(servers.env.INFLUXDB1_URL, DB, gym.lines);
    await createDatabase(servers.env.INFLUXDB1_URL, TRAVEL_DB);
    await writeLines(servers.env.INFLUXDB1_URL, TRAVEL_DB, travelLines);
  });

  afterAll(async () => {
    await servers?.stop();
  });

  /** Does some row of some series have a value in `column`? */
  function filled(series: readonly InfluxSeries[], column: string): boolean {
    return series.some((s) => {
      const index = s.columns.indexOf(column);
      return index >= 0 && s.values.some((row) => row[index] !== null && row[index] !== undefined);
    });
  }

  async function expectRows(query: DashboardQuery, variables: Readonly<Record<string, string>>): Promise<InfluxSeries[]> {
    const text = interpolate(query.text, { fromMs: gym.fromMs, toMs: gym.toMs, interval: INTERVAL, variables });
    const series = await influxQuery(servers.env.INFLUXDB1_URL, DB, text);
    expect(series.length, `no rows: ${text}`).toBeGreaterThan(0);
    const columns = selectColumns(text);
    expect(new Set(columns).size, `duplicate column names: ${text}`).toBe(columns.length);
    for (const column of columns) expect(filled(series, column), `column ${column} has no value: ${text}`).toBe(true);
    // An unknown GROUP BY tag still gives rows, with an empty tag value.
    for (const tag of groupByTags(text)) expect(series.filter((s) => !s.tags[tag]).map((s) => s.tags), `GROUP BY "${tag}": ${text}`).toEqual([]);
    for (const column of query.readsColumns) expect(columns, `${query.where} reads ${column}`).toContain(column);
    return series;
  }

  describe('an athlete at two gyms on one day', () => {
    const nsiQueries = dashboards.flatMap((d) => d.panels.flatMap(influxQueries)).filter((q) => measurementsOf(q.text).some((m) => NSI_MEASUREMENTS.has(m)));
    const travelDay = (query: DashboardQuery, gymPicked: string): Promise<InfluxSeries[]> => {
      const variables = { gym: regexValue([gymPicked]), athlete: regexValue([TRAVELLER]), exercise: regexValue(['back_squat']) };
      const text = interpolate(query.text, { fromMs: TRAVEL_DAY_MS, toMs: TRAVEL_DAY_MS + 2 * 86_400_000, interval: INTERVAL, variables });
      return influxQuery(servers.env.INFLUXDB1_URL, TRAVEL_DB, text);
    };

    for (const query of nsiQueries) {
      it(`${query.where}: the whole day, one series, whichever gym is picked`, async () => {
        const [north, south] = await Promise.all(TRAVEL_GYMS.map((picked) => travelDay(query, picked)));
        expect(north?.length, query.where).toBe(1);
        expect(south, query.where).toEqual(north);
      });
    }

    it('the exposure panel has one point for the day; the session panels both places', async () => {
      const exposure = nsiQueries.find((q) => selectColumns(q.text).includes('daily_load')) as DashboardQuery;
      const [day] = await travelDay(exposure, TRAVEL_GYMS[0]);
      expect(day?.values.map((row) => row[0])).toEqual([endOfDay(dayOf(TRAVEL_DAY_MS))]);

      const nsi = nsiQueries.find((q) => /^SELECT "nsi" FROM "neurotrophic_stimulus"/.test(q.text)) as DashboardQuery;
      const [sessions] = await travelDay(nsi, TRAVEL_GYMS[1]);
      expect(sessions?.values).toHaveLength(4);

      const table = nsiQueries.find((q) => selectColumns(q.text).includes('gym')) as DashboardQuery;
      const rows = (await travelDay(table, TRAVEL_GYMS[0]))[0];
      const gymColumn = rows?.columns.indexOf('gym') ?? -1;
      expect(rows?.values.map((row) => row[gymColumn])).toEqual([TRAVEL_GYMS[1], TRAVEL_GYMS[1], TRAVEL_GYMS[0], TRAVEL_GYMS[0]]);
    });
  });

  for (const dashboard of dashboards) {
    const panelQueries = [...dashboard.panels.flatMap(influxQueries), ...dashboard.annotations.filter(isInflux)];
    if (panelQueries.length + dashboard.variables.length === 0) continue;
    // Test names without the dashboard's title, which the describe block already gives.
    const name = (query: DashboardQuery, scenario: string): string => `${query.where.replace(`${dashboard.title} / `, '')} (${scenario})`;
    describe(dashboard.title, () => {
      for (const scenario of SCENARIOS) {
        for (const query of panelQueries) {
          it(name(query, scenario.name), async () => {
            await expectRows(query, scenario.variables);
          });
        }
        for (const variable of dashboard.variables.filter(isInflux)) {
          it(name(variable, scenario.name), async () => {
            const series = await expectRows(variable, scenario.variables);
            const values = series.flatMap((s) => s.values.map((row) => row[1]));
            const picked: Readonly<Record<string, string>> = gym.pick;
            expect(values, variable.where).toContain(picked[variable.name]);
          });
        }
      }
    });
  }
});

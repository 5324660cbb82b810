// The Grafana dashboards (infra/grafana) against a real InfluxQL engine, InfluxDB 1.x: a simulated gym is
// written as line protocol by the project's own point builders, then every InfluxQL query of every panel,
// annotation and variable runs with Grafana's macros replaced, and must return rows that fill every column
// it selects and name every tag it groups by. InfluxQL answers a wrong measurement, field or tag with empty
// rows or null columns rather than an error, so this is what catches a renamed field before a coach does.
// Also checked without a server: the files' shape, the provisioned data sources, the model's label on NSI
// panels, and that the Prometheus panels use only metrics the services define.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEASUREMENTS } from '@neurolift/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboards, queriesOf, type DashboardQuery, type Panel } from './harness/grafana-dashboards.js';
import { createDatabase, influxQuery, writeLines, type InfluxSeries } from './harness/influxdb1-client.js';
import { groupByTags, interpolate, measurementsOf, regexValue, selectColumns } from './harness/influxql.js';
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

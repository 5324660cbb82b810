// Reads the provisioned Grafana dashboards (infra/grafana/dashboards/*.json) into what the dashboards'
// test checks: every panel with its queries, every annotation and every templated variable. A missing
// piece (a panel without a data source, a target without a query) throws, naming the file and panel.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** One query of a dashboard, whichever part of it (panel, annotation, variable) runs it. */
export interface DashboardQuery {
  /** "<dashboard title> / <panel, annotation or variable> / <refId>", for messages. */
  readonly where: string;
  readonly datasourceUid: string;
  /** InfluxQL (`query`, raw mode) or PromQL (`expr`). */
  readonly text: string;
  /** InfluxQL only: false when Grafana would build the query from its visual editor and ignore `text`. */
  readonly rawQuery: boolean;
  /** Legend alias (InfluxQL `$tag_x` refers to a GROUP BY tag). */
  readonly alias: string | undefined;
  /** Columns the dashboard reads by name: an annotation's text and tag columns. */
  readonly readsColumns: readonly string[];
}

export interface Panel {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly type: string;
  /** The unit and axis label of its fields' defaults, where set. */
  readonly labels: readonly string[];
  readonly queries: readonly DashboardQuery[];
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly annotations: readonly DashboardQuery[];
  readonly variables: ReadonlyArray<DashboardQuery & { readonly name: string }>;
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(value: unknown, where: string): Json {
  if (!isJson(value)) throw new Error(`${where}: expected an object`);
  return value;
}
function list(value: unknown, where: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected an array`);
  return value.map((item, i) => object(item, `${where}[${i}]`));
}
function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: expected a non-empty string`);
  return value;
}
const optionalText = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function datasourceUid(value: unknown, where: string): string {
  return text(object(value, `${where} datasource`).uid, `${where} datasource.uid`);
}

/** A panel target: InfluxQL in `query`, PromQL in `expr`; the target's data source overrides the panel's. */
function targetQuery(target: Json, panelDatasource: unknown, where: string): DashboardQuery {
  const at = `${where} / ${text(target.refId, `${where} refId`)}`;
  const uid = datasourceUid(target.datasource ?? panelDatasource, at);
  const query = optionalText(target.query) ?? text(target.expr, `${at} query or expr`);
  return { where: at, datasourceUid: uid, text: query, rawQuery: target.rawQuery === true, alias: optionalText(target.alias), readsColumns: [] };
}

/** Panels, including those nested in collapsed rows. */
function panelsOf(dashboard: Json, where: string): Panel[] {
  return list(dashboard.panels ?? [], `${where} panels`).flatMap((panel): Panel[] => {
    if (panel.type === 'row') return panelsOf(panel, where);
    const title = text(panel.title, `${where} panel ${String(panel.id)} title`);
    const at = `${where} / ${title}`;
    const defaults = isJson(panel.fieldConfig) && isJson(panel.fieldConfig.defaults) ? panel.fieldConfig.defaults : {};
    const custom = isJson(defaults.custom) ? defaults.custom : {};
    return [{
      id: typeof panel.id === 'number' ? panel.id : Number.NaN,
      title,
      description: optionalText(panel.description) ?? '',
      type: text(panel.type, `${at} type`),
      labels: [defaults.unit, custom.axisLabel].filter((label): label is string => typeof label === 'string'),
      queries: list(panel.targets, `${at} targets`).map((target) => targetQuery(target, panel.datasource, at)),
    }];
  });
}

/** Data-source annotations; Grafana's built-in "Annotations & Alerts" has no query. */
function annotationsOf(dashboard: Json, where: string): DashboardQuery[] {
  const annotations = isJson(dashboard.annotations) ? list(dashboard.annotations.list ?? [], `${where} annotations`) : [];
  return annotations.filter((a) => a.builtIn !== 1).map((annotation) => {
    const at = `${where} / annotation ${text(annotation.name, `${where} annotation name`)}`;
    const target = object(annotation.target, `${at} target`);
    const tags = optionalText(target.tagsColumn)?.split(',').map((tag) => tag.trim()) ?? [];
    return {
      where: at,
      datasourceUid: datasourceUid(annotation.datasource, at),
      text: text(target.query, `${at} query`),
      rawQuery: target.rawQuery === true,
      alias: undefined,
      readsColumns: [text(target.textColumn, `${at} textColumn`), ...tags],
    };
  });
}

/** Query variables; their query is a string, or `{ query }` as newer Grafana versions save it. */
function variablesOf(dashboard: Json, where: string): Array<DashboardQuery & { name: string }> {
  const variables = isJson(dashboard.templating) ? list(dashboard.templating.list ?? [], `${where} templating`) : [];
  return variables.filter((v) => v.type === 'query').map((variable) => {
    const name = text(variable.name, `${where} variable name`);
    const at = `${where} / variable ${name}`;
    const query = text(isJson(variable.query) ? variable.query.query : variable.query, `${at} query`);
    // Grafana shows `definition` and runs `query`: the two must not drift apart.
    if (variable.definition !== undefined && variable.definition !== query) throw new Error(`${at}: definition differs from query`);
    return { name, where: at, datasourceUid: datasourceUid(variable.datasource, at), text: query, rawQuery: true, alias: undefined, readsColumns: [] };
  });
}

/** Every `*.json` in `dir`, parsed; throws on invalid JSON or a dashboard missing a required piece. */
export function loadDashboards(dir: string): Dashboard[] {
  return readdirSync(dir).filter((file) => file.endsWith('.json')).sort().map((file) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const json = object(parsed, file);
    const title = text(json.title, `${file} title`);
    return {
      file,
      uid: text(json.uid, `${file} uid`),
      title,
      panels: panelsOf(json, title),
      annotations: annotationsOf(json, title),
      variables: variablesOf(json, title),
    };
  });
}

/** Every query of a dashboard: panels', annotations', variables'. */
export function queriesOf(dashboard: Dashboard): DashboardQuery[] {
  return [...dashboard.panels.flatMap((panel) => panel.queries), ...dashboard.annotations, ...dashboard.variables];
}

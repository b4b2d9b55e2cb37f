/**
 * The provisioned dashboards and the queries Grafana would send for them, for the dashboard tests
 * and the end-to-end test: variables are loaded in dashboard order from a real exporter (through
 * the plugin's own variable query), a selection is applied, and every query is interpolated as
 * Grafana does (grafana-interpolation.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readChannelNames } from '../grafana-plugin/src/datasource/api.ts';
import { buildVariableRequest, interpolatePattern, toUrl } from '../grafana-plugin/src/datasource/query.ts';
import type { LacunaQuery, LacunaVariableQuery } from '../grafana-plugin/src/datasource/types.ts';
import { ALL, interpolate, variableOptions, type TemplateVariable } from './grafana-interpolation.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Target extends Partial<LacunaQuery> {
  refId: string;
  datasource: { type: string; uid: string };
  expr?: string;
  instant?: boolean;
}
export interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
  options: Record<string, unknown>;
}
export interface Variable {
  name: string;
  type: string;
  query: unknown;
  regex?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  hide?: number;
  current?: { text?: string | string[]; value?: string | string[] };
  datasource?: { type: string; uid: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const dashboards: { file: string; dashboard: Dashboard }[] = readdirSync(HERE)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(HERE, file), 'utf8')) as Dashboard }));

/** Whether a variable is shown to the user (Grafana's hide: 0 label and value, 1 value only, 2 hidden). */
export const isShown = (variable: Variable) => (variable.hide ?? 0) !== 2;

/**
 * What the user has chosen: `default` leaves every variable at the dashboard's saved value (All);
 * `one` and `several` pick the first one or two options of every shown variable, in order, so a
 * station is chosen among the stations of the chosen networks.
 */
export type Selection = 'default' | 'one' | 'several';
export const SELECTIONS: readonly Selection[] = ['default', 'one', 'several'];

function savedValue(variable: Variable): string[] | typeof ALL {
  const value = variable.current?.value;
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.includes(ALL) ? ALL : values;
}

/** The names a Lacuna variable query returns from the exporter at `base`. */
export async function lacunaNames(base: string, query: LacunaVariableQuery, pattern: string): Promise<string[]> {
  const url = toUrl(base, buildVariableRequest(query, pattern));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return readChannelNames(await response.json());
}

/** The dashboard's query variables with options loaded from the exporter at `base` and `selection` applied. */
export async function loadVariables(dashboard: Dashboard, base: string, selection: Selection): Promise<Map<string, TemplateVariable>> {
  const variables = new Map<string, TemplateVariable>();
  for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const query = variable.query as LacunaVariableQuery;
    // The plugin's metricFindQuery: the pattern through templateSrv.replace with its format function.
    const pattern = interpolatePattern(query.pattern, (text, format) => interpolate(text, variables, format));
    const options = variableOptions(await lacunaNames(base, query, pattern), variable.regex);
    const chosen = selection === 'default' || !isShown(variable) ? savedValue(variable) : options.slice(0, selection === 'one' ? 1 : 2);
    variables.set(variable.name, {
      name: variable.name,
      type: variable.type,
      multi: variable.multi ?? false,
      includeAll: variable.includeAll ?? false,
      allValue: variable.allValue,
      options,
      current: chosen,
    });
  }
  return variables;
}

export interface PromQuery {
  panel: string;
  expr: string;
  instant: boolean;
}
export interface LacunaPanelQuery {
  panel: string;
  target: Target;
  /** The channel pattern as the datasource sends it (variables replaced, alternatives expanded). */
  channel: string;
}

/** Every query of the dashboard with the variables replaced, per datasource type. */
export function interpolatedQueries(dashboard: Dashboard, variables: ReadonlyMap<string, TemplateVariable>): { promql: PromQuery[]; lacuna: LacunaPanelQuery[]; titles: string[] } {
  const promql: PromQuery[] = [];
  const lacuna: LacunaPanelQuery[] = [];
  for (const panel of dashboard.panels) {
    const name = `${dashboard.uid} / ${panel.title}`;
    for (const target of panel.targets) {
      // Grafana's Prometheus datasource passes a format function of its own, which is not modelled:
      // the dashboards give every variable in PromQL an explicit format (dashboards.test.ts checks).
      if (target.expr !== undefined) promql.push({ panel: name, expr: interpolate(target.expr, variables), instant: target.instant === true });
      else lacuna.push({ panel: name, target, channel: interpolatePattern(target.channel, (text, format) => interpolate(text, variables, format)) });
    }
  }
  return { promql, lacuna, titles: dashboard.panels.map((panel) => interpolate(panel.title, variables)) };
}

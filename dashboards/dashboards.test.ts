import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildApiRequest, buildVariableRequest, interpolatePattern, toUrl } from '../grafana-plugin/src/datasource/query.ts';
import { QUERY_TYPES, type LacunaQuery, type LacunaVariableQuery } from '../grafana-plugin/src/datasource/types.ts';
import { exporterFixture, type ExporterFixture } from '@lacuna/exporter/testing';

/**
 * The provisioned dashboards: unique uids, known panel plugins, datasources chosen by variables,
 * every variable defined, every Lacuna query accepted by a real exporter on a scanned store, and
 * every PromQL expression valid for promtool.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

interface Target extends Partial<LacunaQuery> {
  refId: string;
  datasource: { type: string; uid: string };
  expr?: string;
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
  options: Record<string, unknown>;
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  regex?: string;
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboards = readdirSync(HERE)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(HERE, file), 'utf8')) as Dashboard }));

const pluginIds = ['src/plugin.json', 'src/datasource/plugin.json', 'src/panels/timeline/plugin.json', 'src/panels/completion/plugin.json'].map(
  (file) => (JSON.parse(readFileSync(join(ROOT, 'grafana-plugin', file), 'utf8')) as { id: string; type: string }),
);
const OUR_PANELS = pluginIds.filter((plugin) => plugin.type === 'panel').map((plugin) => plugin.id);
const OUR_DATASOURCE = pluginIds.find((plugin) => plugin.type === 'datasource')!.id;
/** Panels that ship with Grafana 12 and that these dashboards use. */
const GRAFANA_PANELS = ['stat', 'bargauge', 'table', 'timeseries', 'geomap', 'text', 'gauge', 'state-timeline'];
const BUILT_IN_VARIABLES = /^(__from|__to|__interval|__interval_ms|__range|__rate_interval|__dashboard|__all|__row\.\w+)$/;

/** Variable names a text refers to: $name, ${name}, ${name:format}. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$(?:\{([\w.]+)(?::\w+)?\}|(\w+))/g)].map((match) => match[1] ?? match[2]);
}

describe('provisioned dashboards', () => {
  it('are the four the stack promises, with unique uids and titles', () => {
    expect(dashboards.map(({ dashboard }) => dashboard.uid).sort()).toEqual(['lacuna-collector', 'lacuna-latency', 'lacuna-network-overview', 'lacuna-station-drilldown']);
    expect(new Set(dashboards.map(({ dashboard }) => dashboard.title)).size).toBe(dashboards.length);
    for (const { dashboard } of dashboards) expect(new Set(dashboard.panels.map((panel) => panel.id)).size, dashboard.uid).toBe(dashboard.panels.length);
  });

  it('use only panel plugins that exist: ours, or Grafana\'s own', () => {
    const used = dashboards.flatMap(({ dashboard }) => dashboard.panels.map((panel) => panel.type));
    for (const type of used) expect([...OUR_PANELS, ...GRAFANA_PANELS], type).toContain(type);
    expect(used).toEqual(expect.arrayContaining(OUR_PANELS));
  });

  it('choose every panel\'s datasource by a datasource variable of the right plugin type', () => {
    for (const { dashboard } of dashboards) {
      const sources = new Map(dashboard.templating.list.filter((variable) => variable.type === 'datasource').map((variable) => [variable.name, variable.query]));
      for (const panel of dashboard.panels) {
        for (const reference of [panel.datasource, ...panel.targets.map((target) => target.datasource)]) {
          const [name] = variablesIn(reference.uid);
          expect(sources.get(name), `${dashboard.uid} / ${panel.title}`).toBe(reference.type);
        }
      }
    }
  });

  it('define every variable that their queries, titles and links use', () => {
    for (const { dashboard } of dashboards) {
      const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
      const texts = [
        JSON.stringify(dashboard.panels.map((panel) => [panel.title, panel.targets, panel.options])),
        JSON.stringify(dashboard.templating.list.map((variable) => [variable.query, variable.datasource])),
      ];
      for (const name of texts.flatMap(variablesIn)) {
        if (!BUILT_IN_VARIABLES.test(name)) expect(defined.has(name), `${dashboard.uid}: $${name}`).toBe(true);
      }
    }
  });

  it('give every Lacuna query a query type the datasource knows', () => {
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets.filter((t) => t.datasource.type === OUR_DATASOURCE)) {
          expect(QUERY_TYPES, `${dashboard.uid} / ${panel.title}`).toContain(target.queryType);
        }
      }
    }
  });
});

describe('dashboard queries against a real exporter', () => {
  let fixture: ExporterFixture;
  let base: string;
  let networks: string[];
  beforeAll(async () => {
    fixture = await exporterFixture();
    base = (await fixture.serve()).url;
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  /** Grafana's variable replacement, with "All" (the dashboards' default) for every variable. */
  const replaceAll = (text: string, format: (value: string | string[]) => string) => text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, () => format(['*']));

  it('answers every template variable query with values', async () => {
    for (const { dashboard } of dashboards) {
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        const query = variable.query as LacunaVariableQuery;
        const request = buildVariableRequest(query, interpolatePattern(query.pattern, replaceAll));
        const response = await fetch(toUrl(base, request));
        expect(response.status, `${dashboard.uid} $${variable.name}: ${toUrl(base, request)}`).toBe(200);
        const body = JSON.stringify(await response.json());
        if (variable.name === 'network') {
          networks = fixture.manifest.channels.map((channel) => channel.split('.')[0]);
          for (const network of networks) expect(body).toContain(network);
        }
      }
    }
  });

  /** A variable's values as Grafana shows them: the API's names through the variable's regex. */
  async function variableValues(variable: Variable, replace: typeof replaceAll): Promise<string[]> {
    const query = variable.query as LacunaVariableQuery;
    const response = await fetch(toUrl(base, buildVariableRequest(query, interpolatePattern(query.pattern, replace))));
    const names = JSON.stringify(await response.json()).match(/"[A-Za-z0-9_.-]+"/g)!.map((quoted) => quoted.slice(1, -1));
    const pattern = variable.regex ? new RegExp(variable.regex.slice(1, variable.regex.lastIndexOf('/'))) : null;
    return names.flatMap((name) => {
      if (!pattern) return [name];
      const match = pattern.exec(name);
      return match ? [match[1] ?? match[0]] : [];
    });
  }

  it('drills down into one station: its variable values select exactly its channels', async () => {
    const { dashboard } = dashboards.find(({ dashboard }) => dashboard.uid === 'lacuna-station-drilldown')!;
    const [network, station] = fixture.manifest.deadChannel.channel.split('.');
    const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
    expect(await variableValues(variables.get('station')!, (text, format) => text.replace(/\$\{network\}/g, format([network])))).toContain(station);
    const values: Record<string, string> = { network, station };
    const replace = (text: string, format: (value: string | string[]) => string) => text.replace(/\$\{(\w+)(?::\w+)?\}/g, (_all, name: string) => format([values[name]]));
    const timeline = dashboard.panels.find((panel) => panel.type === 'lacuna-timeline-panel')!;
    const to = fixture.manifest.end / 1000;
    const request = buildApiRequest(timeline.targets[0] as LacunaQuery, { range: { fromMs: to - 86_400_000, toMs: to }, maxDataPoints: 500, intervalMs: 60_000, channel: interpolatePattern(timeline.targets[0].channel, replace) });
    const body = JSON.stringify(await (await fetch(toUrl(base, request))).json());
    const expected = fixture.manifest.channels.filter((channel) => channel.startsWith(`${network}.${station}.`));
    for (const channel of expected) expect(body).toContain(channel);
    const others = fixture.manifest.channels.filter((channel) => !channel.startsWith(`${network}.${station}.`));
    for (const channel of others) expect(body).not.toContain(`"${channel}"`);
  });

  it('accepts every panel query of every dashboard over the dashboard\'s default range', async () => {
    const to = fixture.manifest.end / 1000;
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets.filter((t) => t.datasource.type === OUR_DATASOURCE)) {
          const request = buildApiRequest(target as LacunaQuery, {
            range: { fromMs: to - 7 * 86_400_000, toMs: to },
            maxDataPoints: 1200,
            intervalMs: 600_000,
            channel: interpolatePattern(target.channel, replaceAll),
          });
          const response = await fetch(toUrl(base, request));
          expect(response.status, `${dashboard.uid} / ${panel.title}: ${toUrl(base, request)} ${response.status === 200 ? '' : await response.text()}`).toBe(200);
        }
      }
    }
  });
});

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.warn('PromQL checks of the dashboards skipped: promtool (Debian package prometheus) is not installed');

describe.skipIf(!hasPromtool)('dashboard PromQL', () => {
  it('is valid PromQL once the variables are replaced', () => {
    const temp = mkdtempSync(join(tmpdir(), 'lacuna-promql-'));
    try {
      const rules = dashboards.flatMap(({ dashboard }) =>
        dashboard.panels.flatMap((panel) =>
          panel.targets
            .filter((target) => target.expr !== undefined)
            .map((target, index) => ({ record: `dashboard:${dashboard.uid.replace(/-/g, '_')}:panel${panel.id}_${index}`, expr: target.expr!.replace(/\$\{\w+:regex\}/g, 'XA|YB') })),
        ),
      );
      expect(rules.length).toBeGreaterThan(10);
      writeFileSync(join(temp, 'dashboards.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', join(temp, 'dashboards.yml')], { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

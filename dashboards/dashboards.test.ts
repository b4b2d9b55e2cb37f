import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { matchesChannel, parseChannelKey, parseChannelPatterns } from '@lacuna/core';
import { buildApiRequest, toUrl } from '../grafana-plugin/src/datasource/query.ts';
import { QUERY_TYPES, type LacunaQuery } from '../grafana-plugin/src/datasource/types.ts';
import { exporterFixture, type ExporterFixture } from '@lacuna/exporter/testing';
import { dashboards, interpolatedQueries, isShown, lacunaNames, loadVariables, SELECTIONS, type Dashboard } from './dashboard-queries.ts';
import { ALL, FORMATS, references, type TemplateVariable } from './grafana-interpolation.ts';

/**
 * The provisioned dashboards: unique uids, known panel plugins, datasources chosen by variables,
 * every variable defined; then, as Grafana interpolates them (grafana-interpolation.ts) under the
 * default "All", one and several selected values: every Lacuna query accepted by a real exporter,
 * every PromQL expression valid for promtool, and every panel showing the same channels.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const pluginIds = ['src/plugin.json', 'src/datasource/plugin.json', 'src/panels/timeline/plugin.json', 'src/panels/completion/plugin.json'].map(
  (file) => JSON.parse(readFileSync(join(ROOT, 'grafana-plugin', file), 'utf8')) as { id: string; type: string },
);
const OUR_PANELS = pluginIds.filter((plugin) => plugin.type === 'panel').map((plugin) => plugin.id);
const OUR_DATASOURCE = pluginIds.find((plugin) => plugin.type === 'datasource')!.id;
/** Panels that ship with Grafana 12 and that these dashboards use. */
const GRAFANA_PANELS = ['stat', 'bargauge', 'table', 'timeseries', 'geomap', 'text', 'gauge', 'state-timeline'];
const BUILT_IN_VARIABLES = /^(__from|__to|__interval|__interval_ms|__range|__rate_interval|__dashboard|__all|__row)$/;

const variablesIn = (text: string) => references(text).map((reference) => reference.name);
const promqlTexts = (dashboard: Dashboard) => dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => (target.expr === undefined ? [] : [target.expr])));

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

  it('define every variable that their queries, titles and links use, before the variables that use it', () => {
    for (const { dashboard } of dashboards) {
      const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
      const texts = [
        JSON.stringify(dashboard.panels.map((panel) => [panel.title, panel.targets, panel.options])),
        JSON.stringify(dashboard.templating.list.map((variable) => [variable.query, variable.datasource])),
      ];
      for (const name of texts.flatMap(variablesIn)) {
        if (!BUILT_IN_VARIABLES.test(name)) expect(defined.has(name), `${dashboard.uid}: $${name}`).toBe(true);
      }
      // Variables load in order here (and a chained variable reads the values of earlier ones).
      const seen = new Set<string>();
      for (const variable of dashboard.templating.list) {
        for (const name of variablesIn(JSON.stringify(variable.query ?? ''))) expect(seen.has(name), `${dashboard.uid}: $${variable.name} uses $${name} defined after it`).toBe(true);
        seen.add(variable.name);
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

  it('open on "All" for every variable the user sees, with only formats Grafana knows', () => {
    for (const { dashboard } of dashboards) {
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        expect(variable.multi && variable.includeAll, `${dashboard.uid} $${variable.name}`).toBe(true);
        expect(variable.current?.value, `${dashboard.uid} $${variable.name}`).toBe(ALL);
      }
      const formats = references(JSON.stringify(dashboard)).flatMap((reference) => (reference.format ? [reference.format] : []));
      for (const format of formats) expect(FORMATS, dashboard.uid).toContain(format);
    }
  });

  it('put into PromQL only variables without a custom all value, each through the regex format', () => {
    // Grafana passes a custom all value unescaped: `*` in `=~"*"` is a PromQL parse error.
    for (const { dashboard } of dashboards) {
      const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
      for (const expr of promqlTexts(dashboard)) {
        for (const { name, format } of references(expr)) {
          expect(format, `${dashboard.uid}: ${expr}`).toBe('regex');
          expect(variables.get(name)?.allValue, `${dashboard.uid}: $${name} in ${expr}`).toBeUndefined();
        }
      }
    }
  });
});

describe('dashboard queries as Grafana interpolates them, against a real exporter', () => {
  let fixture: ExporterFixture;
  let base: string;
  let channels: string[];
  beforeAll(async () => {
    fixture = await exporterFixture();
    base = (await fixture.serve()).url;
    channels = await lacunaNames(base, { level: 'channel' }, '');
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  /** The channels a PromQL expression's network and station matchers select (anchored, as Prometheus anchors them). */
  function promqlChannels(expr: string): string[] {
    const matchers = [...expr.matchAll(/(network|station)=~"([^"]*)"/g)].map(([, label, regex]) => ({ label: label as 'network' | 'station', regex: new RegExp(`^(?:${regex})$`) }));
    return channels.filter((channel) => {
      const id = parseChannelKey(channel);
      return matchers.every(({ label, regex }) => regex.test(id[label]));
    });
  }

  const lacunaChannels = (pattern: string) => {
    const patterns = parseChannelPatterns(pattern === '' ? '*' : pattern);
    return channels.filter((channel) => matchesChannel(patterns, parseChannelKey(channel)));
  };

  for (const selection of SELECTIONS) {
    it(`under the ${selection === 'default' ? 'default "All"' : `${selection} selected value(s)`}: every query is accepted, and every panel shows the same channels`, async () => {
      const to = fixture.manifest.end / 1000;
      for (const { dashboard } of dashboards) {
        const variables = await loadVariables(dashboard, base, selection);
        for (const variable of variables.values()) expect(variable.options.length, `${dashboard.uid} $${variable.name}`).toBeGreaterThan(0);
        if (selection !== 'default') expectHiddenVariablesFollow(dashboard, variables);
        const { promql, lacuna, titles } = interpolatedQueries(dashboard, variables);
        for (const title of titles) expect(title, dashboard.uid).not.toMatch(/\$/);
        checkPromql(promql.map(({ expr }, index) => ({ record: `dashboard:${selection}:${index}`, expr })));

        const shown = new Set<string>();
        for (const { panel, target, channel } of lacuna) {
          const request = buildApiRequest({ ...target, channel } as LacunaQuery, { range: { fromMs: to - 7 * 86_400_000, toMs: to }, maxDataPoints: 1200, intervalMs: 600_000, channel });
          const response = await fetch(toUrl(base, request));
          expect(response.status, `${panel}: ${toUrl(base, request)} ${response.status === 200 ? '' : await response.text()}`).toBe(200);
          shown.add(lacunaChannels(channel).join(' '));
        }
        for (const { panel, expr } of promql) {
          if (/(network|station)=~/.test(expr)) shown.add(promqlChannels(expr).join(' '));
          expect(expr, panel).not.toMatch(/\$/);
        }
        // Every panel of a dashboard narrows to the same channels, and a selection narrows.
        expect([...shown].length, `${dashboard.uid}: ${[...shown].join(' | ')}`).toBeLessThanOrEqual(1);
        const [selected = ''] = [...shown];
        if (shown.size > 0 && selection === 'default') expect(selected.split(' ').sort(), dashboard.uid).toEqual([...channels].sort());
        if (shown.size > 0 && selection === 'one') expect(new Set(selected.split(' ').map((channel) => channel.split('.')[0])).size, dashboard.uid).toBe(1);
        if (shown.size > 0) expect(selected, dashboard.uid).not.toBe('');
      }
    });
  }

  /** A hidden variable listing what the shown ones select must hold exactly their selected values. */
  function expectHiddenVariablesFollow(dashboard: Dashboard, variables: Map<string, TemplateVariable>) {
    for (const variable of dashboard.templating.list.filter((v) => !isShown(v))) {
      const shownName = variable.name.replace(/^selected_(\w+)s$/, '$1');
      const shown = variables.get(shownName)!;
      expect(shown, `${dashboard.uid}: $${variable.name} follows $${shownName}`).toBeDefined();
      expect([...variables.get(variable.name)!.options].sort(), `${dashboard.uid}: $${variable.name}`).toEqual([...(shown.current as string[])].sort());
    }
  }

  it('drills down into one station: the drilldown\'s timeline lists exactly its channels', async () => {
    const { dashboard } = dashboards.find(({ dashboard }) => dashboard.uid === 'lacuna-station-drilldown')!;
    const variables = await loadVariables(dashboard, base, 'one');
    const [network] = variables.get('network')!.current as string[];
    const [station] = variables.get('station')!.current as string[];
    const timeline = interpolatedQueries(dashboard, variables).lacuna.find(({ target }) => target.queryType === 'timeline')!;
    const to = fixture.manifest.end / 1000;
    const request = buildApiRequest(timeline.target as LacunaQuery, { range: { fromMs: to - 86_400_000, toMs: to }, maxDataPoints: 500, intervalMs: 60_000, channel: timeline.channel });
    const body = JSON.stringify(await (await fetch(toUrl(base, request))).json());
    const expected = channels.filter((channel) => channel.startsWith(`${network}.${station}.`));
    expect(expected.length).toBeGreaterThan(0);
    for (const channel of expected) expect(body).toContain(channel);
    for (const channel of channels.filter((c) => !expected.includes(c))) expect(body).not.toContain(`"${channel}"`);
  });
});

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.warn('PromQL checks of the dashboards skipped: promtool (Debian package prometheus) is not installed');

/** Every expression must parse: promtool checks them as recording rules. */
function checkPromql(rules: { record: string; expr: string }[]) {
  if (!hasPromtool || rules.length === 0) return;
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-promql-'));
  try {
    writeFileSync(join(temp, 'dashboards.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
    const result = spawnSync('promtool', ['check', 'rules', join(temp, 'dashboards.yml')], { encoding: 'utf8' });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

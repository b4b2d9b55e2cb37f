import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import schema from '../schema/plugin.schema.json';

const SRC = path.resolve(import.meta.dirname);

function pluginJson(relative: string) {
  return JSON.parse(readFileSync(path.join(SRC, relative, 'plugin.json'), 'utf8'));
}

const validate = new Ajv({ allErrors: true }).compile(schema);

describe('plugin.json files', () => {
  const plugins = [
    { folder: '.', id: 'lacuna-availability-app', type: 'app' },
    { folder: 'datasource', id: 'lacuna-availability-datasource', type: 'datasource' },
    { folder: 'panels/timeline', id: 'lacuna-timeline-panel', type: 'panel' },
    { folder: 'panels/completion', id: 'lacuna-completion-panel', type: 'panel' },
  ];

  it.each(plugins)('$folder is a valid $type plugin with id $id', ({ folder, id, type }) => {
    const json = pluginJson(folder);
    const valid = validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(json.id).toBe(id);
    expect(json.type).toBe(type);
  });

  it.each(plugins)('$folder asks for the Grafana it is built against (Grafana then refuses an older one instead of failing at run time)', ({ folder }) => {
    const built = JSON.parse(readFileSync(path.join(SRC, '..', 'package.json'), 'utf8')).dependencies['@grafana/data'] as string;
    expect(built).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(pluginJson(folder).dependencies.grafanaDependency).toBe(`>=${built.slice(1)}`);
  });

  it('the schema rejects what Grafana would refuse (bad id, missing logos)', () => {
    const json = pluginJson('panels/timeline');
    expect(validate({ ...json, id: 'Lacuna Timeline' })).toBe(false);
    expect(validate({ ...json, info: { ...json.info, logos: undefined } })).toBe(false);
  });

  it('the datasource reaches the API through a proxy route that adds the bearer token', () => {
    const json = pluginJson('datasource');
    const route = json.routes.find((r: { path: string }) => r.path === 'lacuna');
    expect(route.url).toBe('{{ .JsonData.url }}');
    expect(route.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }]);
    expect(json.annotations).toBe(true);
    expect(json.backend).toBe(false);
  });

  it('the app lists its nested datasource and panels', () => {
    const app = pluginJson('.');
    const nested = ['datasource', 'panels/timeline', 'panels/completion'].map((folder) => pluginJson(folder));
    expect(app.includes.map((i: { type: string; name: string }) => `${i.type}:${i.name}`).sort()).toEqual(nested.map((p) => `${p.type}:${p.name}`).sort());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exporterFixture, type ExporterFixture } from './testing/fixture.ts';
import { ENDPOINTS, LACUNA_VERSION } from './landing.ts';

describe('exporter app', () => {
  let fixture: ExporterFixture;
  beforeAll(async () => {
    fixture = await exporterFixture();
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  it('answers /healthz and, with the store migrated, /readyz', async () => {
    const { url } = await fixture.serve();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('greets a browser at / with every endpoint, the store, its health and the version; every link answers', async () => {
    const { url } = await fixture.serve();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`<h1>Lacuna ${LACUNA_VERSION}</h1>`);
    expect(html).toContain(fixture.store.location.target);
    expect(html).toMatch(/<strong class="ready">ready<\/strong>/);
    for (const endpoint of ENDPOINTS) expect(html).toContain(endpoint.path);
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
    expect(links.length).toBe(ENDPOINTS.filter((endpoint) => endpoint.link).length);
    for (const link of links) expect((await fetch(`${url}${link}`)).status, link).toBe(200);
  });

  it('lists the same endpoints as JSON at /api/v1', async () => {
    const { url } = await fixture.serve();
    const index = (await (await fetch(`${url}/api/v1`)).json()) as { apiVersion: number; version: string; store: { ready: boolean }; endpoints: { path: string }[] };
    expect(index.apiVersion).toBe(1);
    expect(index.version).toBe(LACUNA_VERSION);
    expect(index.store.ready).toBe(true);
    expect(index.endpoints.map((endpoint) => endpoint.path)).toEqual(ENDPOINTS.map((endpoint) => endpoint.path));
  });

  it('says not ready when the store is gone', async () => {
    const broken = { ...fixture.store, ready: async () => false } as unknown as typeof fixture.store;
    const { url } = await fixture.serve({ store: broken });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
  });

  it('requires the bearer token on /api and /fdsnws when one is set, never on health', async () => {
    const { url } = await fixture.serve({ token: 's3cret' });
    expect((await fetch(`${url}/api/v1/anything`)).status).toBe(401);
    expect((await fetch(`${url}/fdsnws/availability/1/version`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/anything`, { headers: { authorization: 'Bearer s3cret' } })).status).not.toBe(401);
  });

  it('answers unknown paths with a JSON 404 and no server details', async () => {
    const { url } = await fixture.serve();
    const response = await fetch(`${url}/no/such/path`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(await response.json()).toEqual({ error: 'not found' });
  });
});

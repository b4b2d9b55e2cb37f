import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exporterFixture, type ExporterFixture } from './testing/fixture.ts';
import { ENDPOINTS, LACUNA_VERSION } from './landing.ts';
import { DEFAULT_LIMITS } from './app.ts';
import { switchableStore } from '@lacuna/collector/testing';
import { MetricsRefresher } from './metrics/index.ts';

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
    const { store: gone, setMode } = switchableStore(fixture.store);
    setMode('down');
    const { url } = await fixture.serve({ store: gone });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'store unreachable: connect ECONNREFUSED 127.0.0.1:8123' });
  });

  it('says not ready, and lacuna_store_up 0, when the store answers reads but refuses writes (issue 11 case 11)', async () => {
    // A test double for a read-only server (a read-only user or replica): inserts fail as ClickHouse
    // fails them, reads answer. (The embedded engine keeps a readonly setting for the whole session,
    // so the real setting would make the shared store read-only for every later test.)
    const readOnlyError = () => Object.assign(new Error('default: Cannot execute query in readonly mode. (READONLY)'), { type: 'READONLY', code: '164' });
    const client = new Proxy(fixture.store.client, {
      get(target, name) {
        if (name === 'insert') return () => Promise.reject(readOnlyError());
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const readOnly = Object.create(fixture.store, { client: { value: client }, lastProbe: { value: null, writable: true } }) as typeof fixture.store;
    const metrics = new MetricsRefresher(readOnly);
    expect(await metrics.refreshNow()).toMatchObject({ ok: true });
    const exporter = await fixture.serve({ store: readOnly, metrics });
    const ready = await fetch(`${exporter.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe('store refuses writes: default: Cannot execute query in readonly mode. (READONLY)');
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(text).toMatch(/^lacuna_store_up 0$/m);
    // Reads still answer.
    expect((await fetch(`${exporter.url}/api/v1/channels?pattern=*`)).status).toBe(200);
  });

  it('answers a request the store does not answer within the deadline with a clear 503, JSON or FDSN (issue 11 case 6)', async () => {
    // A test double for a store that takes forever: its queries answer only when the test ends.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const client = new Proxy(fixture.store.client, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (name === 'query') return async (...args: unknown[]) => released.then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const stuck = Object.create(fixture.store, { client: { value: client } }) as typeof fixture.store;
    const { url } = await fixture.serve({ store: stuck, limits: { ...DEFAULT_LIMITS, requestDeadlineMs: 200 } });
    try {
      const api = await fetch(`${url}/api/v1/stats?channel=XA&from=-1d`);
      expect(api.status).toBe(503);
      expect(((await api.json()) as { error: string }).error).toMatch(/^the request took longer than 0.2 s and was given up; ask for fewer channels or a shorter time range/);
      const fdsn = await fetch(`${url}/fdsnws/availability/1/query?net=XA`);
      expect(fdsn.status).toBe(503);
      expect((await fdsn.text()).split('\n').slice(0, 3)).toEqual(['Error 503: Service Unavailable', '', expect.stringMatching(/^the request took longer than 0.2 s/)]);
    } finally {
      release();
    }
  });

  it('requires the bearer token on /api and /fdsnws when one is set, never on health', async () => {
    const { url } = await fixture.serve({ token: 's3cret' });
    expect((await fetch(`${url}/api/v1/anything`)).status).toBe(401);
    expect((await fetch(`${url}/fdsnws/availability/1/version`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/anything`, { headers: { authorization: 'Bearer s3cret' } })).status).not.toBe(401);
    // The scheme in any case (RFC 9110), the token exactly.
    expect((await fetch(`${url}/api/v1/anything`, { headers: { authorization: 'bearer s3cret' } })).status).not.toBe(401);
    for (const authorization of ['bearer S3CRET', 'Basic s3cret', 'Bearer', 's3cret', 'Bearer s3cret2']) {
      expect([authorization, (await fetch(`${url}/api/v1/anything`, { headers: { authorization } })).status]).toEqual([authorization, 401]);
    }
  });

  it('answers unknown paths with a JSON 404 naming the path and where the endpoints are listed, and no server details', async () => {
    const { url } = await fixture.serve();
    const response = await fetch(`${url}/no/such/path?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(await response.json()).toEqual({ error: 'no such endpoint: GET /no/such/path; the endpoints are listed at /api/v1 (and at / in a browser)' });
    expect(await (await fetch(`${url}/available`)).json()).toEqual({ error: 'no such endpoint: GET /available; the endpoints are listed at /api/v1 (and at / in a browser)' });
  });
});

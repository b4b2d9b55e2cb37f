import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exporterFixture, type ExporterFixture } from './testing/fixture.ts';

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

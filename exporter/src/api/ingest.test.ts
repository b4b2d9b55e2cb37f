import { mkdtempSync, rmSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { parseExpectedStreamsCsv } from '@lacuna/collector';
import { LiveWriter } from '@lacuna/collector';
import { DEFAULT_LIMITS, startExporter, type RunningExporter } from '../app.ts';
import { channelStatuses, parseWindows } from '../status.ts';

const TOKEN = 'secret-token';
const NOW = parseTime('2024-07-01T12:00:00Z');
const ALL = { start: parseTime('2000-01-01'), end: parseTime('2100-01-01') };
/** An ooi-status expected-streams file. */
const EXPECTED = 'name,method,expected_rate,warn_interval,fail_interval\nctdbp_cdef_dcl_instrument,telemetered,1,300,1800\n';

describe.each(testBackends())('POST /api/v1/ingest on $name', (backend) => {
  let store: Store;
  let writer: LiveWriter;
  let exporter: RunningExporter;
  let open: RunningExporter;
  const spool = mkdtempSync(join(tmpdir(), 'lacuna-spool-'));

  beforeAll(async () => {
    store = await backend.open();
    const rules = [
      ...parseExpectedStreamsCsv(EXPECTED, 'streamed_expected.csv'),
      ...parseExpectedStreamsCsv('stream,expected_rate,warn_interval,fail_interval\nTEL-HK/temp,0.1,60,600\n', 'telescope.csv'),
    ];
    writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, rules, log: () => {} });
    exporter = await startExporter({ store, limits: DEFAULT_LIMITS, token: TOKEN, ingest: writer, now: () => NOW }, { host: '127.0.0.1', port: 0 });
    open = await startExporter({ store, limits: DEFAULT_LIMITS, ingest: writer }, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await exporter.close();
    await open.close();
    await writer.close();
    await backend.dispose(store);
    rmSync(spool, { recursive: true, force: true });
  });

  const post = (body: string, contentType = 'application/json', token = TOKEN, url = exporter.url) =>
    fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, body });

  const stored = async (pattern: string) => (await store.segments({ patterns: parseChannelPatterns(pattern), window: ALL })).map((s) => [s.start, s.end, s.samples, s.sampleRate]);

  it('refuses ingest with a clear 403 when no API token is configured, and a wrong token with 401', async () => {
    const refused = await post('[]', 'application/json', 'anything', open.url);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/push ingest is refused: no API token is configured; set LACUNA_API_TOKEN/);
    expect((await post('[]', 'application/json', 'wrong')).status).toBe(401);
  });

  it('stores pushed segments of a non-seismic stream under its channel, and says what it accepted', async () => {
    const stream = 'CE01ISSM-MFD37-03-CTDBPC000/telemetered/ctdbp_cdef_dcl_instrument';
    const response = await post(
      JSON.stringify([
        { stream, start: '2024-07-01T10:00:00Z', end: '2024-07-01T10:09:59Z', samples: 600 },
        { stream, start: '2024-07-01T10:10:00Z', end: '2024-07-01T10:19:59Z', samples: 600 },
        { stream, start: '2024-07-01T10:30:00Z', end: '2024-07-01T10:39:59Z', samples: 600 },
      ]),
    );
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ accepted: 3, rejected: [], outcome: 'stored' });
    // Two contiguous pushes join; a 10-minute gap before the third.
    expect(await stored('CE01ISSM.MFD37.03-CTDBPC000.telemetered-ctdbp_cdef_dcl_instrument')).toEqual([
      [parseTime('2024-07-01T10:00:00Z'), parseTime('2024-07-01T10:19:59Z'), 1200, 1],
      [parseTime('2024-07-01T10:30:00Z'), parseTime('2024-07-01T10:39:59Z'), 600, 1],
    ]);
  });

  it('stores the same batch once when it is posted twice', async () => {
    const batch = JSON.stringify({ items: [{ stream: 'DUP-A/x', start: '2024-07-01T09:00:00Z', end: '2024-07-01T09:00:09Z', samples: 10 }] });
    expect(await (await post(batch)).json()).toMatchObject({ accepted: 1, outcome: 'stored' });
    expect(await (await post(batch)).json()).toMatchObject({ accepted: 1, outcome: 'duplicate' });
    expect(await stored('DUP.A..x')).toEqual([[parseTime('2024-07-01T09:00:00Z'), parseTime('2024-07-01T09:00:09Z'), 10, 1]]);
  });

  it('stores a batch once when a retry sends its items in another order', async () => {
    const items = [
      { stream: 'DUP-B/x', start: '2024-07-01T09:00:00Z', end: '2024-07-01T09:00:09Z', samples: 10 },
      { stream: 'DUP-B/x', start: '2024-07-01T09:00:20Z', end: '2024-07-01T09:00:29Z', samples: 10 },
      { stream: 'DUP-C/x', start: '2024-07-01T09:00:00Z', end: '2024-07-01T09:00:09Z', samples: 10 },
    ];
    const first = (await (await post(JSON.stringify(items))).json()) as { batch: string; outcome: string };
    const retry = (await (await post(JSON.stringify([items[2], items[0], items[1]]))).json()) as { batch: string; outcome: string };
    expect(first.outcome).toBe('stored');
    expect(retry).toEqual(expect.objectContaining({ batch: first.batch, outcome: 'duplicate' }));
    expect(await stored('DUP.B..x')).toEqual([
      [parseTime('2024-07-01T09:00:00Z'), parseTime('2024-07-01T09:00:09Z'), 10, 1],
      [parseTime('2024-07-01T09:00:20Z'), parseTime('2024-07-01T09:00:29Z'), 10, 1],
    ]);
  });

  it('takes NDJSON, and lists each rejected item with its index and the reason, storing the rest', async () => {
    const lines = [
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-01T08:00:00Z', end: '2024-07-01T08:00:09Z', samples: 10 }),
      '{"stream": "ND-A/x", "start": ',
      JSON.stringify({ stream: 'ND A/x', start: '2024-07-01T08:00:00Z', end: '2024-07-01T08:00:09Z', samples: 10 }),
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-01T08:00:09Z', end: '2024-07-01T08:00:00Z', samples: 10 }),
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-01T08:00:00Z', end: '2024-07-01T08:00:00Z', samples: 1 }),
      JSON.stringify({ stream: 'ND-A/x', start: 'yesterday', end: '2024-07-01T08:00:00Z' }),
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-01T08:00:00Z', end: '2024-07-01T08:00:09Z', samples: 10, colour: 'red' }),
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-01T08:00:00Z', end: '2024-07-01T08:00:09Z', samples: 10.5 }),
      JSON.stringify({ stream: 'ND-A/x', start: '2024-07-02T08:00:00Z', end: '2024-07-02T08:00:09Z', samples: 10 }),
    ];
    const response = await post(lines.join('\n'), 'application/x-ndjson');
    const body = (await response.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(response.status).toBe(200);
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const reasons = body.rejected.map((r) => r.reason);
    expect(reasons[0]).toMatch(/^not JSON/);
    expect(reasons[1]).toMatch(/^bad stream id "ND A\/x": network "ND A"/);
    expect(reasons[2]).toBe('end 2024-07-01T08:00:00Z is before start 2024-07-01T08:00:09Z');
    expect(reasons[3]).toBe('a one-sample segment needs its rate: give rate (Hz), or an expected_rate for the stream');
    expect(reasons[4]).toMatch(/^not a time: "yesterday"/);
    expect(reasons[5]).toBe('unknown field colour');
    expect(reasons[6]).toMatch(/^samples: /);
    expect(reasons[7]).toMatch(/^end 2024-07-02T08:00:09Z is \d+ s in the future$/);
    expect(await stored('ND.A..x')).toEqual([[parseTime('2024-07-01T08:00:00Z'), parseTime('2024-07-01T08:00:09Z'), 10, 1]]);
  });

  it('refuses items whose times or rate the store cannot hold with a 400 naming each, and the API stays up (issue 11 case 3)', async () => {
    const items = [
      { stream: 'X/y', start: '1700-01-01T00:00:00Z', end: '1700-01-01T00:00:09Z', samples: 10 },
      { stream: 'X/y', start: '1700-01-01T00:00:00Z', end: '2024-07-01T00:00:00Z' },
      { stream: 'X/y', start: '2024-07-01T00:00:00Z', end: '2024-07-01T00:00:00Z', samples: 1, rate: 1e-30 },
      { stream: 'X/y', start: '2024-07-01T00:00:00Z', end: '2024-07-01T00:00:00.000001Z', samples: 1000 },
    ];
    const response = await post(JSON.stringify(items));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { rejected: { index: number; reason: string }[] };
    expect(body.rejected).toEqual([
      { index: 0, reason: expect.stringMatching(/^start 1700-01-01T00:00:00.000000Z is outside the storable range 1900-01-01/) },
      { index: 1, reason: expect.stringMatching(/^start 1700-01-01T00:00:00.000000Z is outside the storable range/) },
      { index: 2, reason: expect.stringMatching(/^sample rate 1.00e-30 Hz is below one sample a year/) },
      { index: 3, reason: expect.stringMatching(/^sample rate 9.99e\+8 Hz is above one sample a microsecond/) },
    ]);
    expect(await stored('X.y')).toEqual([]);
    for (const path of ['timeline', 'stats', 'completion']) {
      const answer = await fetch(`${exporter.url}/api/v1/${path}?channel=*&from=2024-06-01T00:00:00Z&to=2024-07-01T12:00:00Z`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(`${path} ${answer.status}`).toBe(`${path} 200`);
    }
  });

  it('answers 400 when no item is accepted, and names a body that is not JSON', async () => {
    const none = await post(JSON.stringify([{ stream: '', start: 'x', end: 'y' }]));
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: 'none of the 1 items was accepted', accepted: 0, rejected: [{ index: 0 }] });
    const broken = await post('{"items": [');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/^the body is not valid JSON/);
    const text = await post('stream=x', 'text/csv');
    expect(text.status).toBe(415);
    const empty = await post('');
    expect([empty.status, await empty.json()]).toEqual([400, { error: 'the body is empty: send an item, a list of them, or {"items": [...]}' }]);
    const got = await fetch(`${exporter.url}/api/v1/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([got.status, got.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('refuses a body declared larger than it takes at once, without waiting for it (it waited for ever)', async () => {
    let sending: ClientRequest | undefined;
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': String(10 ** 12), authorization: `Bearer ${TOKEN}` };
      sending = request(`${exporter.url}/api/v1/ingest`, { method: 'POST', headers }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
      sending.on('error', reject);
      sending.write('{"stream": "XX.BIG..LHZ"'); // and never the rest
    });
    sending?.destroy();
    expect(answer).toEqual({ status: 413, body: JSON.stringify({ error: 'the body is larger than 10485760 bytes: send smaller batches' }) });
  });

  it('gives pushed streams the ooi-status states from their warn and fail intervals, and heartbeats count as news', async () => {
    const items = [
      // Fresh data: OPERATIONAL (warn 60 s).
      { stream: 'TEL-HK/temp', start: '2024-07-01T11:58:00Z', end: '2024-07-01T11:59:50Z', samples: 12 },
      // Data 10 minutes old: DEGRADED (warn 300 s, fail 1800 s) …
      { stream: 'CE02SHSM-SBD11-06-METBKA000/telemetered/ctdbp_cdef_dcl_instrument', start: '2024-07-01T11:40:00Z', end: '2024-07-01T11:50:00Z', samples: 601 },
      // … and one an hour old, but a heartbeat says it is alive up to 11:59: OPERATIONAL.
      { stream: 'CE04OSSM-SBD11-06-METBKA000/telemetered/ctdbp_cdef_dcl_instrument', start: '2024-07-01T10:50:00Z', end: '2024-07-01T11:00:00Z', samples: 601 },
      { stream: 'CE04OSSM-SBD11-06-METBKA000/telemetered/ctdbp_cdef_dcl_instrument', start: '2024-07-01T11:00:00Z', end: '2024-07-01T11:59:00Z' },
      // An hour old: FAILED.
      { stream: 'CE09OSSM-SBD11-06-METBKA000/telemetered/ctdbp_cdef_dcl_instrument', start: '2024-07-01T10:50:00Z', end: '2024-07-01T11:00:00Z', samples: 601 },
      // No rule: NOT_TRACKED.
      { stream: 'OTHER-X/y', start: '2024-07-01T11:00:00Z', end: '2024-07-01T11:00:09Z', samples: 10 },
    ];
    expect(await (await post(JSON.stringify(items))).json()).toMatchObject({ accepted: 6, rejected: [] });
    const statuses = await channelStatuses(store, { patterns: parseChannelPatterns('TEL,CE02SHSM,CE04OSSM,CE09OSSM,OTHER'), windows: parseWindows('1h'), now: NOW });
    expect(statuses.map((s) => [s.id.network, s.state, s.latency?.total])).toEqual([
      ['CE02SHSM', 'DEGRADED', 600],
      ['CE04OSSM', 'OPERATIONAL', 60],
      ['CE09OSSM', 'FAILED', 3600],
      ['OTHER', 'NOT_TRACKED', 3591],
      ['TEL', 'OPERATIONAL', 10],
    ]);
    // Data latency of pushed data: from the newest sample to the request's receipt.
    expect(statuses.find((s) => s.id.network === 'TEL')?.latency?.data).toBe(10);
    expect((await store.epochs(parseChannelPatterns('TEL')))[0]).toMatchObject({ sampleRate: 0.1, warnS: 60, failS: 600 });
  });
});

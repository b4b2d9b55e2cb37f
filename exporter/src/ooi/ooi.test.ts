import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoManifest } from '@lacuna/collector';
import { exporterFixture, type ExporterFixture } from '../testing/fixture.ts';
import { deploymentsIn, deploymentsMeasure, ooiTime, rfc1123ToIso, streamOf, streamTriples } from './format.ts';

const END = Date.UTC(2024, 4, 10, 12, 0, 0) * 1000;
const HOUR = 3600e6;

/** `YYYY-MM-DD HH:MM:SS` written here from the Date API, independently of the code under test. */
function ooi(us: number): string {
  return new Date(Math.floor(us / 1e6) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

const CATEGORIES =
  '{"Present":{"color":"#5cb87b"},"Missing":{"color":"#d9534d"},"Not Expected":{"color":"#ffffff"},' +
  '"Sparse 1":{"color":"#7bcb7b"},"Sparse 2":{"color":"#90d890"},"Sparse 3":{"color":"#ace9ac"}}';

describe('ooi-status format pieces', () => {
  it('writes datetimes as YYYY-MM-DD HH:MM:SS, microseconds dropped', () => {
    expect(ooiTime(Date.UTC(2015, 5, 2, 4, 40, 0) * 1000 + 999_999)).toBe('2015-06-02 04:40:00');
  });

  it('merges neighbouring spans of one category and drops triples empty to the second', () => {
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    expect(
      streamTriples(
        [
          { start: t0, end: t0 + 10e6, state: 'present' },
          { start: t0 + 10e6, end: t0 + 10.5e6, state: 'missing' },
          { start: t0 + 10.5e6, end: t0 + 20e6, state: 'mixed', percent: 90, parts: { present: 9e6, missing: 0.5e6 } },
          { start: t0 + 20e6, end: t0 + 30e6, state: 'sparse2' },
        ],
        t0,
      ),
    ).toEqual([
      ['2024-01-01 00:00:00', 'Present', '2024-01-01 00:00:10'],
      ['2024-01-01 00:00:10', 'Present', '2024-01-01 00:00:20'],
      ['2024-01-01 00:00:20', 'Sparse 2', '2024-01-01 00:00:30'],
    ]);
    expect(streamTriples([], t0)).toEqual([['2024-01-01 00:00:00', 'Not Expected', '2024-01-01 00:00:00']]);
  });

  it('hides gaps narrower than the threshold, as ooi-status does', () => {
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    const spans = [
      { start: t0, end: t0 + 100e6, state: 'present' as const },
      { start: t0 + 100e6, end: t0 + 102e6, state: 'missing' as const },
      { start: t0 + 102e6, end: t0 + 200e6, state: 'present' as const },
    ];
    expect(streamTriples(spans, t0, 5e6)).toEqual([['2024-01-01 00:00:00', 'Present', '2024-01-01 00:03:20']]);
    expect(streamTriples(spans, t0, 1e6)).toHaveLength(3);
  });

  it('shows no time outside the deployments, and keeps a Missing end narrower than the threshold', () => {
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    const spans = [
      { start: t0, end: t0 + 50e6, state: 'not_expected' as const },
      { start: t0 + 50e6, end: t0 + 100e6, state: 'present' as const },
      { start: t0 + 100e6, end: t0 + 101e6, state: 'missing' as const },
      { start: t0 + 101e6, end: t0 + 200e6, state: 'present' as const },
      { start: t0 + 200e6, end: t0 + 202e6, state: 'pending' as const },
    ];
    expect(streamTriples(spans, t0, 5e6)).toEqual([
      ['2024-01-01 00:00:50', 'Present', '2024-01-01 00:03:20'],
      ['2024-01-01 00:03:20', 'Missing', '2024-01-01 00:03:22'],
    ]);
    expect(streamTriples([{ start: t0, end: t0 + 50e6, state: 'not_expected' }], t0)).toEqual([['2024-01-01 00:00:00', 'Not Expected', '2024-01-01 00:00:00']]);
  });

  it('names a stream "<method> <stream>" from its channel', () => {
    const id = (channel: string) => ({ network: 'CE01ISSM', station: 'MFD37', location: '03-CTDBPC000', channel });
    expect(streamOf(id('telemetered-ctdbp_cdef_dcl_instrument'))).toEqual({ method: 'telemetered', stream: 'ctdbp_cdef_dcl_instrument', measure: 'telemetered ctdbp_cdef_dcl_instrument' });
    expect(streamOf(id('streamed'))).toEqual({ method: 'streamed', stream: '', measure: 'streamed' });
  });

  it('merges the epochs of an instrument\'s streams into its deployments', () => {
    const e = (start: number, end: number | null) => ({ network: 'X', station: 'S', location: '', channel: 'C', start, end, sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: null, failS: null });
    expect(deploymentsIn([e(0, 10e6), e(5e6, 20e6), e(20e6, 30e6), e(40e6, null)], 0, 100e6)).toEqual([{ start: 0, end: 30e6 }, { start: 40e6, end: 100e6 }]);
  });

  it('numbers deployments from the epochs, colours alternating', () => {
    const e = (start: number, end: number | null) => ({ network: 'X', station: 'S', location: '', channel: 'C', start, end, sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: null, failS: null });
    const deployments = deploymentsIn([e(30e6, null), e(0, 10e6), e(15e6, 20e6)], 5e6, 100e6);
    expect(deployments).toEqual([{ start: 5e6, end: 10e6 }, { start: 15e6, end: 20e6 }, { start: 30e6, end: 100e6 }]);
    expect(Object.values(deploymentsMeasure(deployments).categories)).toEqual([{ color: '#0073cf' }, { color: '#cf5c00' }, { color: '#0073cf' }]);
  });

  it('reads RFC 1123 times as the ooi-status README writes them', () => {
    expect(rfc1123ToIso('Fri, 25 Jul 2014 21:05:00 GMT')).toBe('2014-07-25T21:05:00Z');
    expect(rfc1123ToIso('2014-07-25')).toBeNull();
  });
});

/** An instrument as ooi-status knows one: streams by delivery method, one of them "bad". */
const REFDES = 'CE01ISSM-MFD37-03-CTDBPC000';
const INSTRUMENT = { network: 'CE01ISSM', station: 'MFD37', location: '03-CTDBPC000' };
const STREAMS = ['telemetered-ctdbp_cdef_dcl_instrument', 'recovered_host-ctdbp_cdef_dcl_instrument_recovered', 'bad_telemetered-ctdbp_cdef_dcl_instrument'];

describe('GET /available/:refdes on a scanned demo archive and a planted instrument', () => {
  let fixture: ExporterFixture;
  let m: DemoManifest;
  let url: string;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { headers });
    return { status: response.status, text: await response.text() };
  };
  const measures = async (path: string) => (JSON.parse((await get(path)).text).availability as { measure: string }[]).map((measure) => measure.measure);
  /** The instrument's deployment, and its streams' data: 6 h each, the recovered one with an hour missing. */
  const deployed = END - 2 * 24 * HOUR;

  beforeAll(async () => {
    fixture = await exporterFixture({ end: END });
    m = fixture.manifest;
    const epoch = (channel: string) => ({ ...INSTRUMENT, channel, start: deployed, end: null, sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: null, failS: null });
    await fixture.store.replaceEpochs('/planted/instrument.csv', STREAMS.map(epoch));
    const piece = (channel: string, from: number, hours: number) => ({ ...INSTRUMENT, channel, quality: 'D', sampleRate: 1, start: from, end: from + hours * HOUR - 1e6, samples: hours * 3600, toleranceUs: 500_000 });
    await fixture.store.storeFileScans(
      STREAMS.map((channel, i) => ({
        state: { path: `/planted/${channel}`, size: 1, mtime: END, status: 'ok' as const, error: '', errorOffset: null, records: 1, format: 2 },
        segments: i === 1 ? [piece(channel, deployed, 2), piece(channel, deployed + 3 * HOUR, 3)] : [piece(channel, deployed, 6)],
      })),
      END,
    );
    ({ url } = await fixture.serve({ now: () => m.end }));
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  it('answers a reference designator with the Deployments, then one measure per stream named "<method> <stream>"', async () => {
    const start = encodeURIComponent(ooi(deployed));
    const stop = encodeURIComponent(ooi(deployed + 8 * HOUR));
    const { status, text } = await get(`/available/${REFDES}?start_time=${start}&stop_time=${stop}`);
    expect(status).toBe(200);
    expect(text).toBe(
      `{"availability":[` +
        `{"measure":"Deployments","categories":{"Deployment: 1":{"color":"#0073cf"}},"data":[["${ooi(deployed)}","Deployment: 1","${ooi(deployed + 8 * HOUR)}"]]},` +
        `{"measure":"recovered_host ctdbp_cdef_dcl_instrument_recovered","categories":${CATEGORIES},"data":[` +
        `["${ooi(deployed)}","Present","${ooi(deployed + 2 * HOUR)}"],["${ooi(deployed + 2 * HOUR)}","Missing","${ooi(deployed + 3 * HOUR)}"],` +
        `["${ooi(deployed + 3 * HOUR)}","Present","${ooi(deployed + 6 * HOUR)}"],["${ooi(deployed + 6 * HOUR)}","Missing","${ooi(deployed + 8 * HOUR)}"]]},` +
        `{"measure":"telemetered ctdbp_cdef_dcl_instrument","categories":${CATEGORIES},"data":[` +
        `["${ooi(deployed)}","Present","${ooi(deployed + 6 * HOUR)}"],["${ooi(deployed + 6 * HOUR)}","Missing","${ooi(deployed + 8 * HOUR)}"]]}]}`,
    );
  });

  it('selects streams by method and stream, exactly, and leaves out "bad" methods unless asked for', async () => {
    const both = ['Deployments', 'recovered_host ctdbp_cdef_dcl_instrument_recovered', 'telemetered ctdbp_cdef_dcl_instrument'];
    expect(await measures(`/available/${REFDES}`)).toEqual(both);
    expect(await measures(`/available/${REFDES}?method=telemetered`)).toEqual(['Deployments', 'telemetered ctdbp_cdef_dcl_instrument']);
    expect(await measures(`/available/${REFDES}?method=bad_telemetered`)).toEqual(['Deployments', 'bad_telemetered ctdbp_cdef_dcl_instrument']);
    expect(await measures(`/available/${REFDES}?method=tele`)).toEqual(['Deployments']);
    expect(await measures(`/available/${REFDES}?stream=ctdbp_cdef_dcl_instrument_recovered`)).toEqual(['Deployments', 'recovered_host ctdbp_cdef_dcl_instrument_recovered']);
    // A seismic station's location is an instrument too: its channels are its streams.
    expect(await measures('/available/XA-ALPHA-00')).toEqual(['Deployments', 'BHZ', 'LHE', 'LHN', 'LHZ']);
  });

  it('still answers one channel by its key, with the same layout', async () => {
    const { channel, epochEnd } = m.notExpectedAfter;
    const lower = m.start + HOUR;
    const { status, text } = await get(`/available/${channel}?start_time=${encodeURIComponent(ooi(lower))}&stop_time=${encodeURIComponent(ooi(m.end))}`);
    expect(status).toBe(200);
    expect(text).toBe(
      `{"availability":[` +
        `{"measure":"Deployments","categories":{"Deployment: 1":{"color":"#0073cf"}},"data":[["${ooi(lower)}","Deployment: 1","${ooi(epochEnd)}"]]},` +
        `{"measure":"LHZ","categories":${CATEGORIES},"data":[["${ooi(lower)}","Present","${ooi(epochEnd)}"]]}]}`,
    );
  });

  it('shows a planted whole-day gap as Missing between Present spans, and closes with [last, "Missing", upper] however long the window', async () => {
    const key = 'XA.CHARL.00.LHZ';
    const [gap] = m.gaps.filter((g) => g.channel === key);
    expect(gap.size).toBe('day');
    const info = m.channelInfo.find((candidate) => candidate.channel === key)!;
    const { status, text } = await get(`/available/${key}`);
    expect(status).toBe(200);
    const body = JSON.parse(text);
    expect(body.availability[0]).toEqual({ measure: 'Deployments', categories: { 'Deployment: 1': { color: '#0073cf' } }, data: [[ooi(m.start), 'Deployment: 1', ooi(m.end)]] });
    // The newest sample is seconds old: far less than the 0.1 % of four days under which gaps are hidden, and still shown.
    expect(m.end - info.lastSample).toBeLessThan((m.end - m.start) / 1000);
    expect(body.availability[1].data).toEqual([
      [ooi(m.start), 'Present', ooi(gap.start + 1e6)],
      [ooi(gap.start + 1e6), 'Missing', ooi(gap.end)],
      [ooi(gap.end), 'Present', ooi(info.lastSample + 1e6)],
      [ooi(info.lastSample + 1e6), 'Missing', ooi(m.end)],
    ]);
  });

  it('shows the dead channel Missing after its last data', async () => {
    const { channel, lastSample } = m.deadChannel;
    const body = JSON.parse((await get(`/available/${channel}?start_time=${encodeURIComponent('Mon, 06 May 2024 00:00:00 GMT')}`)).text);
    expect(body.availability[1].data).toEqual([
      [ooi(m.start), 'Present', ooi(lastSample + 1e6)],
      [ooi(lastSample + 1e6), 'Missing', ooi(m.end)],
    ]);
  });

  it('gives a stream the single zero-length Not Expected triple outside every deployment, and with nothing in range', async () => {
    const { channel, epochEnd } = m.notExpectedAfter;
    const after = ooi(epochEnd + HOUR);
    const retired = JSON.parse((await get(`/available/${channel}?start_time=${encodeURIComponent(after)}`)).text);
    expect(retired.availability).toEqual([{ measure: 'LHZ', categories: JSON.parse(CATEGORIES), data: [[after, 'Not Expected', after]] }]);
    const future = JSON.parse((await get(`/available/XA.ALPHA.00.LHZ?start_time=2030-01-01`)).text);
    // The API's other time forms hold here too: milliseconds since 1970 (Grafana's ${__from}).
    expect(JSON.parse((await get(`/available/XA.ALPHA.00.LHZ?start_time=${Date.UTC(2030, 0, 1)}`)).text)).toEqual(future);
    expect(future.availability).toEqual([{ measure: 'LHZ', categories: JSON.parse(CATEGORIES), data: [['2030-01-01 00:00:00', 'Not Expected', '2030-01-01 00:00:00']] }]);
  });

  it('rejects bad input with a 400 naming the parameter, and unknown instruments with a 404', async () => {
    const bad = await get('/available/XA.ALPHA.LHZ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/^parameter refdes: /);
    const badRefdes = await get(`/available/${encodeURIComponent('CE01ISSM-MF D37')}`);
    expect(badRefdes.status).toBe(400);
    expect(JSON.parse(badRefdes.text).error).toMatch(/^parameter refdes: bad reference designator "CE01ISSM-MF D37": station/);
    const time = await get('/available/XA.ALPHA.00.LHZ?start_time=yesterday%27%3B--');
    expect(time.status).toBe(400);
    expect(JSON.parse(time.text).error).toMatch(/^parameter start_time: /);
    const unknown = await get('/available/XA.ALPHA.00.LHZ?deployment=1');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).error).toContain('deployment');
    const reversed = await get('/available/XA.ALPHA.00.LHZ?start_time=2024-05-02&stop_time=2024-05-01');
    expect([reversed.status, JSON.parse(reversed.text).error]).toEqual([400, 'parameter stop_time: must be after start_time']);
    expect((await get('/available/QQ.NONE.00.XXX')).status).toBe(404);
    expect((await get('/available/QQ-NONE-00')).status).toBe(404);
  });

  it('requires the bearer token when one is set', async () => {
    const { url: guarded } = await fixture.serve({ token: 's3cret', now: () => m.end });
    expect((await fetch(`${guarded}/available/XA.ALPHA.00.LHZ`)).status).toBe(401);
    expect((await fetch(`${guarded}/available/XA.ALPHA.00.LHZ`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });
});

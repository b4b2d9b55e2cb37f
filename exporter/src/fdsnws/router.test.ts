/**
 * /fdsnws/availability/1 against a store filled by real scans of the demo archive (its manifest
 * says what was planted) and of ../shared/data/mseed (its README lists the known segments of
 * obspy_gaps.mseed), plus one planted channel whose quality and rate change.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { exporterFixture, hasSharedData, type ExporterFixture } from '../testing/fixture.ts';

const SECOND = 1_000_000;
const DAY = 86_400 * SECOND;

/** ISO 8601 with six fractional digits and Z, computed without the service's own formatting. */
function iso(us: number): string {
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
}

/** Whole seconds and Z, as `updated` prints. */
function isoSeconds(us: number): string {
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}Z`;
}

/** A json response of the service (FDSN availability JSON schema). */
interface AvailabilityJson {
  created: string;
  version: number;
  datasources: Record<string, unknown>[];
}

async function json(response: Response): Promise<AvailabilityJson> {
  return (await response.json()) as AvailabilityJson;
}

/** Rows of a text response, split on white space, without the header. */
function textRows(body: string): string[][] {
  return body
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/));
}

/** A channel planted beside the scans: 10 s of D at 100 Hz, 10 s of Q at 100 Hz, 10 s of Q at 200 Hz, each in its own file, back to back. */
const MIXED = { network: 'ZZ', station: 'MIX', location: '', channel: 'HHZ' };
const MIXED_START = Date.UTC(2020, 0, 1) * 1000;

describe('FDSN availability web service', () => {
  let fixture: ExporterFixture;
  let base: string;
  beforeAll(async () => {
    fixture = await exporterFixture();
    const plant = (path: string, quality: string, sampleRate: number, from: number) => ({
      state: { path, size: 1, mtime: MIXED_START + DAY, status: 'ok' as const, error: '', errorOffset: null, records: 1, format: 2 },
      segments: [
        {
          ...MIXED,
          quality,
          sampleRate,
          start: MIXED_START + from * SECOND,
          end: MIXED_START + (from + 10) * SECOND - SECOND / sampleRate,
          samples: 10 * sampleRate,
          toleranceUs: SECOND / sampleRate / 2,
        },
      ],
    });
    await fixture.store.storeFileScans(
      [plant('/planted/zz-d-100', 'D', 100, 0), plant('/planted/zz-q-100', 'Q', 100, 10), plant('/planted/zz-q-200', 'Q', 200, 20)],
      MIXED_START + DAY,
    );
    base = `${(await fixture.serve()).url}/fdsnws/availability/1`;
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  const get = (path: string) => fetch(`${base}/${path}`);
  const post = (path: string, body: string) => fetch(`${base}/${path}`, { method: 'POST', body });
  const info = (channel: string) => fixture.manifest.channelInfo.find((candidate) => candidate.channel === channel)!;

  describe('version and WADL', () => {
    it('answers version with a bare version string', async () => {
      const response = await get('version');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/^1\.0\.\d+$/);
    });

    it('describes query and extent with their parameters in well-formed WADL', async () => {
      const response = await get('application.wadl');
      expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
      const wadl = await response.text();
      expect(XMLValidator.validate(wadl)).toBe(true);
      const document = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['resource', 'method', 'param'].includes(name) }).parse(wadl);
      const parameters = (path: string): string[] => {
        const resource = document.application.resources.resource.find((candidate: { path: string }) => candidate.path === path);
        return resource.method.find((method: { name: string }) => method.name === 'GET').request.param.map((param: { name: string }) => param.name);
      };
      const common = ['starttime', 'endtime', 'network', 'station', 'location', 'channel', 'quality', 'merge', 'orderby', 'limit', 'includerestricted', 'format', 'nodata'];
      expect(parameters('query').sort()).toEqual([...common, 'mergegaps', 'show'].sort());
      expect(parameters('extent').sort()).toEqual([...common].sort());
    });
  });

  describe('query', () => {
    it.skipIf(!hasSharedData)('lists the known spans of obspy_gaps.mseed in the text layout, clipped to the window', async () => {
      // After 00:00:03 only obspy_gaps.mseed holds BW.BGLD..EHE data: its segments 2 to 4 (README).
      const response = await get('query?net=BW&sta=BGLD&loc=--&cha=EHE&quality=D&starttime=2008-01-01T00:00:03&endtime=2008-01-01T00:01:00');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      // Segment ends: next start − gap (gap = next start − previous last sample); the last one is clipped to endtime.
      expect(await response.text()).toBe(
        [
          '#Network Station Location Channel Quality SampleRate Earliest                    Latest',
          'BW       BGLD    --       EHE     D       200.0      2008-01-01T00:00:04.035000Z 2008-01-01T00:00:08.150000Z',
          'BW       BGLD    --       EHE     D       200.0      2008-01-01T00:00:10.215000Z 2008-01-01T00:00:14.330000Z',
          'BW       BGLD    --       EHE     D       200.0      2008-01-01T00:00:18.455000Z 2008-01-01T00:01:00.000000Z',
          '',
        ].join('\n'),
      );
    });

    it.skipIf(!hasSharedData)('merge=overlap unites the overlapping records of other files with the first segment: the 4 spans of obspy_gaps', async () => {
      const window = 'net=BW&sta=BGLD&cha=EHE&start=2007-12-31&end=2008-01-02';
      const united = textRows(await (await get(`query?${window}&merge=overlap`)).text());
      expect(united.map((row) => row[6])).toEqual([
        '2007-12-31T23:59:59.915000Z',
        '2008-01-01T00:00:04.035000Z',
        '2008-01-01T00:00:10.215000Z',
        '2008-01-01T00:00:18.455000Z',
      ]);
      const apart = textRows(await (await get(`query?${window}`)).text());
      expect(apart.length).toBeGreaterThan(4);
      expect(apart.slice(-3).map((row) => row[6])).toEqual(['2008-01-01T00:00:04.035000Z', '2008-01-01T00:00:10.215000Z', '2008-01-01T00:00:18.455000Z']);
    });

    it("keeps the demo's planted overlap as two spans unless merge=overlap", async () => {
      const overlap = fixture.manifest.overlaps[0];
      const channel = info(overlap.channel);
      const [network, station, location, code] = overlap.channel.split('.');
      const query = `query?net=${network}&sta=${station}&loc=${location}&cha=${code}&format=request`;
      expect(await (await get(query)).text()).toBe(
        `${network} ${station} ${location} ${code} ${iso(channel.firstSample)} ${iso(overlap.start)}\n` +
          `${network} ${station} ${location} ${code} ${iso(overlap.end)} ${iso(channel.lastSample)}\n`,
      );
      expect(await (await get(`${query}&merge=overlap`)).text()).toBe(`${network} ${station} ${location} ${code} ${iso(channel.firstSample)} ${iso(channel.lastSample)}\n`);
    });

    it('keeps qualities and sample rates apart unless merged, dropping merged columns', async () => {
      const at = (seconds: number): string => iso(MIXED_START + seconds * SECOND);
      const rows = async (merge: string) => {
        const text = await (await get(`query?net=ZZ&sta=MIX${merge}`)).text();
        return { header: text.split('\n')[0].split(/\s+/), rows: textRows(text).map((row) => row.slice(4)) };
      };
      expect(await rows('')).toEqual({
        header: ['#Network', 'Station', 'Location', 'Channel', 'Quality', 'SampleRate', 'Earliest', 'Latest'],
        rows: [
          ['D', '100.0', at(0), at(9.99)],
          ['Q', '100.0', at(10), at(19.99)],
          ['Q', '200.0', at(20), at(29.995)],
        ],
      });
      expect((await rows('&merge=quality')).rows).toEqual([
        ['100.0', at(0), at(19.99)],
        ['200.0', at(20), at(29.995)],
      ]);
      expect((await rows('&merge=samplerate')).rows).toEqual([
        ['D', at(0), at(9.99)],
        ['Q', at(10), at(29.995)],
      ]);
      expect(await rows('&merge=quality,samplerate')).toEqual({
        header: ['#Network', 'Station', 'Location', 'Channel', 'Earliest', 'Latest'],
        rows: [[at(0), at(29.995)]],
      });
    });

    it('closes a planted gap with mergegaps of at least its missing time', async () => {
      const gap = fixture.manifest.gaps.find((candidate) => candidate.channel === 'XA.ALPHA.00.LHZ')!;
      const channel = info(gap.channel);
      // 1 Hz: the samples between the last one before and the first one after are missing.
      const missingSeconds = (gap.end - gap.start) / SECOND - 1;
      const spans = async (mergegaps: number) =>
        textRows(await (await get(`query?net=XA&sta=ALPHA&loc=00&cha=LHZ&mergegaps=${mergegaps}`)).text()).map((row) => [row[6], row[7]]);
      expect(await spans(missingSeconds - 0.5)).toEqual([
        [iso(channel.firstSample), iso(gap.start)],
        [iso(gap.end), iso(channel.lastSample)],
      ]);
      expect(await spans(missingSeconds)).toEqual([[iso(channel.firstSample), iso(channel.lastSample)]]);
    });

    it('answers geocsv with the GeoCSV header and |-separated rows, the empty location empty', async () => {
      const dead = fixture.manifest.deadChannel;
      const [network, station, , code] = dead.channel.split('.');
      const body = await (await get(`query?net=${network}&sta=${station}&cha=${code}&format=geocsv`)).text();
      expect(body).toBe(
        [
          '#dataset: GeoCSV 2.0',
          '#delimiter: |',
          '#field_unit: unitless|unitless|unitless|unitless|unitless|hertz|ISO_8601|ISO_8601',
          '#field_type: string|string|string|string|string|float|datetime|datetime',
          'Network|Station|Location|Channel|Quality|SampleRate|Earliest|Latest',
          `${network}|${station}||${code}|D|1.0|${iso(info(dead.channel).firstSample)}|${iso(dead.lastSample)}`,
          '',
        ].join('\n'),
      );
    });

    it('answers json with one datasource per channel and its spans', async () => {
      const gap = fixture.manifest.gaps.find((candidate) => candidate.channel === 'XA.ALPHA.00.LHZ')!;
      const channel = info(gap.channel);
      const response = await get('query?net=XA&sta=ALPHA&loc=00&cha=LHZ&format=json');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const document = await json(response);
      expect(document.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(document).toEqual({
        created: document.created,
        version: 1,
        datasources: [
          {
            network: 'XA',
            station: 'ALPHA',
            location: '00',
            channel: 'LHZ',
            quality: 'D',
            samplerate: 1,
            timespans: [
              [iso(channel.firstSample), iso(gap.start)],
              [iso(gap.end), iso(channel.lastSample)],
            ],
          },
        ],
      });
    });

    it('dates a backfilled day, with show=latestupdate, by when the backfill arrived', async () => {
      const backfill = fixture.manifest.backfill;
      const dayStart = Math.floor(backfill.start / DAY) * DAY;
      const window = `starttime=${iso(dayStart).slice(0, 10)}&endtime=${iso(dayStart + DAY).slice(0, 10)}`;
      const rows = textRows(await (await get(`query?net=YB&sta=ECHO&cha=LHZ&show=latestupdate&${window}`)).text());
      // The span runs on past the day: clipped to the window, as the spec's request example is.
      expect(rows).toEqual([['YB', 'ECHO', '--', 'LHZ', 'D', '1.0', iso(dayStart), iso(dayStart + DAY), isoSeconds(backfill.backfilledAt)]]);
    });

    it('returns at most limit spans', async () => {
      const all = textRows(await (await get('query?net=ZC&sta=JULI&cha=LHZ')).text());
      // Three planted gaps: four spans.
      expect(all).toHaveLength(fixture.manifest.gaps.filter((gap) => gap.channel === 'ZC.JULI.00.LHZ').length + 1);
      const limited = textRows(await (await get('query?net=ZC&sta=JULI&cha=LHZ&limit=2')).text());
      expect(limited).toEqual(all.slice(0, 2));
    });

    it('filters by quality', async () => {
      expect((await get('query?net=ZZ&quality=M')).status).toBe(204);
      expect(textRows(await (await get('query?net=ZZ&quality=Q')).text()).map((row) => row[4])).toEqual(['Q', 'Q']);
    });
  });

  describe('extent', () => {
    it('gives the earliest and latest data, span count, update time and restriction per channel', async () => {
      const dead = fixture.manifest.deadChannel;
      const channel = info(dead.channel);
      const [network, station, , code] = dead.channel.split('.');
      expect(await (await get(`extent?net=${network}&sta=${station}&cha=${code}`)).text()).toBe(
        [
          '#Network Station Location Channel Quality SampleRate Earliest                    Latest                      Updated              TimeSpans Restriction',
          `${network}       ${station}    --       ${code}     D       1.0        ${iso(channel.firstSample)} ${iso(dead.lastSample)} ${isoSeconds(channel.lastSampleFileMtime)} 1         OPEN`,
          '',
        ].join('\n'),
      );
    });

    it('counts spans and clips the extent to the window, in json', async () => {
      const gaps = fixture.manifest.gaps.filter((gap) => gap.channel === 'ZC.JULI.00.LHZ');
      const start = gaps[0].start - 10 * SECOND;
      const end = gaps[gaps.length - 1].end + 10 * SECOND;
      const document = await json(await get(`extent?net=ZC&sta=JULI&cha=LHZ&start=${iso(start).slice(0, -1)}&end=${iso(end).slice(0, -1)}&format=json`));
      expect(document.datasources).toEqual([
        expect.objectContaining({
          network: 'ZC',
          station: 'JULI',
          location: '00',
          channel: 'LHZ',
          quality: 'D',
          samplerate: 1,
          earliest: iso(start),
          latest: iso(end),
          timespanCount: gaps.length + 1,
          restriction: 'OPEN',
        }),
      ]);
    });

    it('returns at most limit rows, and refuses more than maxRows without a limit that small', async () => {
      const channels = fixture.manifest.channels.filter((channel) => channel.startsWith('XA.'));
      expect(textRows(await (await get('extent?net=XA')).text())).toHaveLength(channels.length);
      expect(textRows(await (await get('extent?net=XA&limit=2')).text()).map((row) => row.slice(0, 4).join('.'))).toEqual(channels.slice(0, 2));
      const small = `${(await fixture.serve({ limits: { maxRangeDays: 3660, maxRows: 3, maxSegmentsRead: 2_000_000 } })).url}/fdsnws/availability/1`;
      const refused = await fetch(`${small}/extent?net=XA`);
      expect(refused.status).toBe(413);
      expect((await refused.text()).split('\n').slice(0, 3)).toEqual([
        'Error 413: Payload Too Large',
        '',
        `result too large: ${channels.length} rows, at most 3 per response; set limit or narrow the selection`,
      ]);
      expect((await fetch(`${small}/extent?net=XA&limit=3`)).status).toBe(200);
    });
  });

  describe('POST', () => {
    it('answers a body of options and selection lines as the same GET would', async () => {
      const backfill = fixture.manifest.backfill;
      const dayStart = Math.floor(backfill.start / DAY) * DAY;
      const times = `${iso(dayStart).slice(0, 10)} ${iso(dayStart + DAY).slice(0, 10)}`;
      const posted = await post('query', `format=json\nmerge=quality\nYB ECHO -- LHZ ${times}\nXA ALPHA 00 LH? ${times}\n`);
      expect(posted.status).toBe(200);
      const viaGet = await get(`query?net=YB,XA&sta=ECHO,ALPHA&loc=--,00&cha=LHZ,LH?&format=json&merge=quality&start=${iso(dayStart).slice(0, 10)}&end=${iso(dayStart + DAY).slice(0, 10)}`);
      const { datasources } = await json(posted);
      expect(datasources.map((source) => `${source.network}.${source.station}.${source.location}.${source.channel}`)).toEqual([
        'XA.ALPHA.00.LHE',
        'XA.ALPHA.00.LHN',
        'XA.ALPHA.00.LHZ',
        'YB.ECHO..LHZ',
      ]);
      expect(datasources).toEqual((await json(viaGet)).datasources);
    });

    it('answers many selection lines at once with what each line asks as a GET (one read for all lines)', async () => {
      const backfill = fixture.manifest.backfill;
      const dayStart = Math.floor(backfill.start / DAY) * DAY;
      const channels = ['XA ALPHA 00 LHZ', 'XA ALPHA 00 LHN', 'YB ECHO -- LHZ', 'XA ALPHA 00 LH?'];
      const lines = Array.from({ length: 40 }, (_, k) => `${channels[k % channels.length]} ${iso(dayStart + k * 3_600e6)} ${iso(dayStart + (k + 1) * 3_600e6)}`);
      const posted = await json(await post('query', `format=json\n${lines.join('\n')}\n`));
      const viaGets: AvailabilityJson['datasources'] = [];
      for (const line of lines) {
        const [net, sta, loc, cha, start, end] = line.split(' ');
        const answer = await get(`query?net=${net}&sta=${sta}&loc=${loc}&cha=${cha}&start=${start}&end=${end}&format=json`);
        if (answer.status === 200) viaGets.push(...(await json(answer)).datasources);
      }
      const key = (source: Record<string, unknown>) => `${String(source.network)}.${String(source.station)}.${String(source.location)}.${String(source.channel)}`;
      const spans = (sources: typeof viaGets) => sources.flatMap((source) => (source.timespans as unknown[]).map((span) => `${key(source)} ${JSON.stringify(span)}`)).sort();
      expect(posted.datasources.length).toBeGreaterThan(0);
      expect(spans(posted.datasources)).toEqual([...new Set(spans(viaGets))]);
    });

    it('names the bad line, and wants no parameters in the URL', async () => {
      const bad = await post('extent', 'XA ALPHA 00 LHZ 2024-03-01\nXA ALPHA 00\n');
      expect(bad.status).toBe(400);
      expect((await bad.text()).split('\n')[2]).toBe('line 2: 3 fields, expected NET STA LOC CHA START [END]');
      const withQuery = await fetch(`${base}/query?format=json`, { method: 'POST', body: 'XA ALPHA 00 LHZ 2024-03-01' });
      expect(withQuery.status).toBe(400);
    });
  });

  describe('no data and bad input', () => {
    it('answers an empty selection with 204, or 404 when nodata=404', async () => {
      const empty = await get('query?net=NOPE');
      expect(empty.status).toBe(204);
      expect(await empty.text()).toBe('');
      const notFound = await get('extent?net=NOPE&nodata=404');
      expect(notFound.status).toBe(404);
      expect((await notFound.text()).split('\n').slice(0, 3)).toEqual(['Error 404: Not Found', '', 'no data matches the selection']);
    });

    it.each([
      ['SQL in net', "net=XA'%20OR%20'1'='1", 'parameter network'],
      ['SQL in sta', 'sta=ALPHA;DROP%20TABLE%20segments', 'parameter station'],
      ['a LIKE wildcard', 'net=XA&sta=%25', 'parameter station'],
      ['year 1', 'starttime=0001-01-01', 'parameter starttime'],
      ['February 30th', 'endtime=2024-02-30T00:00:00', 'parameter endtime'],
      ['an end before the start', 'start=2024-03-01T12:00:00&end=2024-03-01', 'parameter starttime'],
      ['an unknown parameter', 'net=XA&verbose=1', 'unknown parameter: verbose'],
      ['a 10 kB pattern', `sta=${'A'.repeat(10_000)}`, 'parameter station'],
      ['an unknown format', 'net=XA&format=xml', 'parameter format'],
      ['an unknown merge', 'net=XA&merge=overlap,everything', 'parameter merge'],
    ])('refuses %s with a 400 naming the parameter and no stack trace', async (_label, query, named) => {
      const response = await get(`query?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await response.text();
      const lines = body.split('\n');
      expect(lines[0]).toBe('Error 400: Bad Request');
      expect(lines[2]).toContain(named);
      expect(body).not.toMatch(/\n\s+at /);
      expect(body.length).toBeLessThan(2500);
    });

    it('still holds all its data after the hostile requests', async () => {
      const channel = info('XA.ALPHA.00.LHE');
      expect(textRows(await (await get('query?net=XA&sta=ALPHA&cha=LHE')).text())).toEqual([
        ['XA', 'ALPHA', '00', 'LHE', 'D', '1.0', iso(channel.firstSample), iso(channel.lastSample)],
      ]);
    });

    it('refuses a query whose data spans more than maxRangeDays with 413, naming starttime and endtime', async () => {
      const channel = info('XA.ALPHA.00.LHZ');
      const twoDays = `${(await fixture.serve({ limits: { maxRangeDays: 2, maxRows: 1000, maxSegmentsRead: 2_000_000 } })).url}/fdsnws/availability/1`;
      const response = await fetch(`${twoDays}/query?net=XA&sta=ALPHA&cha=LHZ`);
      expect(response.status).toBe(413);
      expect((await response.text()).split('\n')[2]).toBe(
        `parameters starttime, endtime: the selected channels have data from ${iso(channel.firstSample)} to ${iso(channel.lastSample)} ` +
          `(${Math.ceil((channel.lastSample + 1 - channel.firstSample) / DAY)} days), more than the 2 days one request may cover; narrow starttime and endtime, or the channels`,
      );
      const oneDay = `start=${iso(channel.firstSample).slice(0, 10)}&end=${iso(channel.firstSample + DAY).slice(0, 10)}`;
      expect((await fetch(`${twoDays}/query?net=XA&sta=ALPHA&cha=LHZ&${oneDay}`)).status).toBe(200);
      // An absurd but valid window costs only the data it holds: answered.
      expect((await get('query?net=XA&sta=ALPHA&cha=LHZ&start=1700-01-01&end=2250-01-01')).status).toBe(200);
    });

    it('answers an extent over all time however many days the data spans, and refuses one that would read more than maxSegmentsRead segments', async () => {
      const channel = info('XA.ALPHA.00.LHZ');
      const twoDays = `${(await fixture.serve({ limits: { maxRangeDays: 2, maxRows: 1000, maxSegmentsRead: 2_000_000 } })).url}/fdsnws/availability/1`;
      const extent = await fetch(`${twoDays}/extent?net=XA&sta=ALPHA&cha=LHZ`);
      expect(extent.status).toBe(200);
      expect(textRows(await extent.text())[0].slice(6, 8)).toEqual([iso(channel.firstSample), iso(channel.lastSample)]);

      const stored = await fixture.store.segments({ patterns: parseChannelPatterns('XA.*.*.*'), window: { start: -Number.MAX_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER } });
      const tight = `${(await fixture.serve({ limits: { maxRangeDays: 3660, maxRows: 1000, maxSegmentsRead: stored.length - 1 } })).url}/fdsnws/availability/1`;
      const refused = await fetch(`${tight}/extent?net=XA`);
      expect(refused.status).toBe(413);
      expect((await refused.text()).split('\n')[2]).toBe(
        `parameters network, station, location, channel, starttime, endtime: the selection holds ${stored.length} stored segments, ` +
          `more than the ${stored.length - 1} one extent request may read; narrow the channels or the time window`,
      );
      expect((await fetch(`${tight}/extent?net=XA&sta=ALPHA&cha=LHZ`)).status).toBe(200);
    });

    it.each([
      ['PUT', 'query', 'GET, HEAD, POST'],
      ['DELETE', 'extent', 'GET, HEAD, POST'],
      ['PUT', 'version', 'GET, HEAD'],
      ['POST', 'application.wadl', 'GET, HEAD'],
    ])('answers %s on %s with an FDSN 405 and the methods it takes', async (method, path, allow) => {
      const response = await fetch(`${base}/${path}`, { method, body: 'net=XA' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      const lines = (await response.text()).split('\n');
      expect(lines[0]).toBe('Error 405: Method Not Allowed');
      expect(lines[2]).toBe(`${method} is not allowed on /${path}: use ${allow.replace(/, (\w+)$/, ' or $1')}`);
    });

    it('accepts the booleans SeisComP accepts for includerestricted, and names them all when refusing one', async () => {
      for (const value of ['true', 'TRUE', 't', 'yes', 'y', '1', 'false', 'f', 'no', 'n', '0']) {
        expect((await get(`extent?net=XA&sta=ALPHA&cha=LHZ&includerestricted=${value}`)).status, value).toBe(200);
      }
      const refused = await get('extent?net=XA&includerestricted=maybe');
      expect(refused.status).toBe(400);
      expect((await refused.text()).split('\n')[2]).toBe('parameter includerestricted: "maybe" is not a boolean; expected true or false (also accepted: t or f, yes or no, y or n, 1 or 0)');
    });

    it('answers unknown resources under the service with an FDSN 404', async () => {
      const response = await get('queryauth');
      expect(response.status).toBe(404);
      expect((await response.text()).split('\n')[0]).toBe('Error 404: Not Found');
    });
  });
});

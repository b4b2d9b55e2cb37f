import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChannelMetadata, MetadataError, parseStationXml } from './index.ts';
import { parseIsoMicros } from './time.ts';

const t = (iso: string) => Date.parse(iso) * 1000;

/** A realistic document: two networks, location codes "" and "00", closed and open epochs. */
const STATIONXML = `<?xml version="1.0" encoding="UTF-8"?>
<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.1">
  <Source>Lacuna test</Source>
  <Sender>Lacuna</Sender>
  <Created>2024-05-01T00:00:00.0000Z</Created>
  <Network code="XA" startDate="2019-01-01T00:00:00" restrictedStatus="open">
    <Description>Example temporary network</Description>
    <Station code="ALPHA" startDate="2019-06-01T00:00:00Z">
      <Latitude unit="DEGREES" datum="WGS84">46.123456</Latitude>
      <Longitude unit="DEGREES">7.5</Longitude>
      <Elevation unit="METERS">1500.5</Elevation>
      <Site><Name>Alpha hut</Name></Site>
      <Channel code="BHZ" locationCode="" startDate="2019-06-01T00:00:00" endDate="2021-03-15T12:30:00.123456Z">
        <Latitude>46.1235</Latitude>
        <Longitude>7.5001</Longitude>
        <Elevation>1499.0</Elevation>
        <Depth>1.5</Depth>
        <Azimuth>0</Azimuth>
        <Dip>-90</Dip>
        <SampleRate unit="SAMPLES/S">20</SampleRate>
        <SampleRateRatio><NumberSamples>20</NumberSamples><NumberSeconds>1</NumberSeconds></SampleRateRatio>
        <Sensor><Type>STS-2</Type><Description>Streckeisen STS-2</Description></Sensor>
        <Response>
          <InstrumentSensitivity><Value>6.0E8</Value><Frequency>1</Frequency>
            <InputUnits><Name>m/s</Name></InputUnits><OutputUnits><Name>counts</Name></OutputUnits>
          </InstrumentSensitivity>
          <Stage number="1"><PolesZeros><PzTransferFunctionType>LAPLACE (RADIANS/SECOND)</PzTransferFunctionType>
            <Zero number="0"><Real>0</Real><Imaginary>0</Imaginary></Zero></PolesZeros></Stage>
        </Response>
      </Channel>
      <Channel code="BHZ" locationCode="" startDate="2021-03-15T12:30:00.123456Z">
        <Depth>1.5</Depth>
        <SampleRate>40.0</SampleRate>
      </Channel>
      <Channel code="LHZ" locationCode="00" startDate="2019-06-01T00:00:00" endDate="">
        <Depth>0</Depth>
        <SampleRateRatio><NumberSamples>1</NumberSamples><NumberSeconds>10</NumberSeconds></SampleRateRatio>
      </Channel>
    </Station>
    <Station code="BRAVO" startDate="2020-01-01T00:00:00">
      <Latitude>-33.5</Latitude>
      <Longitude>-70.25</Longitude>
      <Elevation>520</Elevation>
      <Channel code="HHZ" locationCode="00" startDate="2020-01-01" endDate="2599-12-31T23:59:59">
        <Depth>0</Depth>
        <SampleRate>100</SampleRate>
      </Channel>
      <Channel code="LOG" locationCode="00" startDate="2020-01-01T00:00:00">
        <Depth>0</Depth>
        <SampleRate>0</SampleRate>
      </Channel>
    </Station>
  </Network>
  <Network code="YB" startDate="2022-01-01T00:00:00">
    <Station code="C1" startDate="2022-02-02T00:00:00">
      <Latitude>10</Latitude>
      <Longitude>20</Longitude>
      <Elevation>30</Elevation>
      <Channel code="LHN" locationCode="--">
        <Depth>0</Depth>
        <SampleRate>1</SampleRate>
      </Channel>
    </Station>
  </Network>
</FDSNStationXML>
`;

describe('parseStationXml', () => {
  it('reads every Channel of every Station and Network as an epoch', () => {
    const epochs = parseStationXml(STATIONXML, 'test.xml');
    expect(epochs.map((e) => `${e.network}.${e.station}.${e.location}.${e.channel}`)).toEqual([
      'XA.ALPHA..BHZ',
      'XA.ALPHA..BHZ',
      'XA.ALPHA.00.LHZ',
      'XA.BRAVO.00.HHZ',
      'XA.BRAVO.00.LOG',
      'YB.C1..LHN',
    ]);
    const [closed, open, ratio, farFuture, log, inherited] = epochs;
    expect(closed).toEqual({
      network: 'XA',
      station: 'ALPHA',
      location: '',
      channel: 'BHZ',
      start: t('2019-06-01T00:00:00Z'),
      end: t('2021-03-15T12:30:00.123Z') + 456,
      sampleRate: 20,
      latitude: 46.1235,
      longitude: 7.5001,
      elevation: 1499,
      warnS: null,
      failS: null,
    });
    // The next epoch starts exactly where the closed one ended, to the microsecond.
    expect(open.start).toBe(closed.end);
    expect(open.end).toBeNull();
    expect(open.sampleRate).toBe(40);
    // No channel-level coordinates: the station's.
    expect([open.latitude, open.longitude, open.elevation]).toEqual([46.123456, 7.5, 1500.5]);
    // Empty endDate = open; SampleRateRatio 1 sample / 10 s.
    expect(ratio.end).toBeNull();
    expect(ratio.sampleRate).toBeCloseTo(0.1, 15);
    // 2599-12-31 is the usual "open" marker: past exact microseconds, read as open.
    expect(farFuture.end).toBeNull();
    expect(farFuture.start).toBe(t('2020-01-01T00:00:00Z'));
    expect(log.sampleRate).toBeNull();
    // No startDate on the Channel: the Station's; "--" is the empty location.
    expect(inherited.start).toBe(t('2022-02-02T00:00:00Z'));
    expect(inherited.location).toBe('');
    expect([inherited.latitude, inherited.longitude, inherited.elevation]).toEqual([10, 20, 30]);
  });

  it('reads prefixed elements (xmlns:fsx) the same as unprefixed ones', () => {
    const prefixed = STATIONXML.replace(/<(\/?)([A-Z][A-Za-z]*)([ >/])/g, '<$1fsx:$2$3').replace(
      'xmlns="http://www.fdsn.org/xml/station/1"',
      'xmlns:fsx="http://www.fdsn.org/xml/station/1"',
    );
    expect(prefixed).toContain('<fsx:Channel code="HHZ"');
    expect(parseStationXml(prefixed, 'p.xml')).toEqual(parseStationXml(STATIONXML, 'u.xml'));
  });

  it('reads a document without any namespace, and StationXML 1.2', () => {
    const bare = STATIONXML.replace(' xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.1"', ' schemaVersion="1.2"');
    expect(parseStationXml(bare, 'b.xml')).toEqual(parseStationXml(STATIONXML, 'u.xml'));
  });

  it('keeps microsecond-exact times across the fractional forms', () => {
    const doc = (start: string) =>
      `<FDSNStationXML><Network code="N"><Station code="S"><Channel code="C" locationCode="" startDate="${start}"><SampleRate>1</SampleRate></Channel></Station></Network></FDSNStationXML>`;
    const base = t('2024-02-29T23:59:59Z');
    const cases: [string, number][] = [
      ['2024-02-29T23:59:59.000001', base + 1],
      ['2024-02-29T23:59:59.999999Z', base + 999_999],
      ['2024-02-29T23:59:59.9999994Z', base + 999_999],
      ['2024-02-29T23:59:59.9999995Z', base + 1_000_000],
      ['2024-03-01T01:59:59.5+02:00', base + 500_000],
      ['2024-060T23:59:59.25', base + 250_000],
    ];
    for (const [iso, want] of cases) expect(parseStationXml(doc(iso), 'x.xml')[0].start, iso).toBe(want);
  });

  describe('errors name the file, the element and the fault', () => {
    const wrap = (channel: string) =>
      `<?xml version="1.0"?>\n<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1">\n<Network code="IU"><Station code="ANMO" startDate="2000-01-01">\n<Channel code="BHZ" locationCode="00" startDate="2000-01-01"><SampleRate>20</SampleRate></Channel>\n${channel}\n</Station></Network></FDSNStationXML>`;
    const cases: [string, string, RegExp][] = [
      ['no Channel', '<FDSNStationXML><Network code="IU"><Station code="ANMO"/></Network></FDSNStationXML>', /^bad\.xml: StationXML without any Channel element/],
      ['not StationXML', '<?xml version="1.0"?><html><body/></html>', /^bad\.xml: not a FDSN StationXML document \(root element <html>/],
      ['malformed XML', wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"></Station>'), /^bad\.xml line \d+ column \d+: malformed XML: /],
      [
        'invalid date',
        wrap('<Channel code="BHN" locationCode="00" startDate="2000-13-01"/>'),
        /^bad\.xml \/FDSNStationXML\/Network\[1\]\/Station\[1\]\/Channel\[2\] \(IU\.ANMO\.00\.BHN\): invalid startDate "2000-13-01": month 13$/,
      ],
      ['garbage date', wrap('<Channel code="BHN" locationCode="00" startDate="yesterday"/>'), /Channel\[2\] \(IU\.ANMO\.00\.BHN\): invalid startDate "yesterday": expected ISO 8601/],
      [
        'end before start',
        wrap('<Channel code="BHN" locationCode="00" startDate="2001-01-01" endDate="2000-01-01"/>'),
        /Channel\[2\] \(IU\.ANMO\.00\.BHN\): endDate "2000-01-01" is before startDate "2001-01-01"$/,
      ],
      ['bad sample rate', wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"><SampleRate>fast</SampleRate></Channel>'), /Channel\[2\] \(IU\.ANMO\.00\.BHN\): bad SampleRate "fast" \(not a number\)$/],
      ['negative sample rate', wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"><SampleRate>-1</SampleRate></Channel>'), /bad SampleRate "-1" \(negative\)$/],
      ['a sample rate below one a year', wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"><SampleRate>1e-30</SampleRate></Channel>'), /\(IU\.ANMO\.00\.BHN\): bad SampleRate: sample rate 1\.00e-30 Hz is below one sample a year/],
      ['a quote inside the XML declaration (found by fuzzing)', '<?xml vers"ion="1.0"?>\n<FDSNStationXML><Network code="IU"></Network></FDSNStationXML>', /^bad\.xml: malformed XML: /],
      ['a start before 1900', wrap('<Channel code="BHN" locationCode="00" startDate="1700-01-01"><SampleRate>20</SampleRate></Channel>'), /invalid startDate "1700-01-01": time 1700-01-01T00:00:00.000000Z is outside the storable range/],
      ['bad latitude', wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"><Latitude>95</Latitude></Channel>'), /Channel\[2\] \(IU\.ANMO\.00\.BHN\): bad Latitude "95" \(must be within -90\.\.90\)$/],
      ['missing code', wrap('<Channel locationCode="00" startDate="2000-01-01"/>'), /Station\[1\]\/Channel\[2\]: missing code attribute$/],
      [
        'no start anywhere',
        '<FDSNStationXML><Network code="IU"><Station code="ANMO"><Channel code="BHZ" locationCode=""/></Station></Network></FDSNStationXML>',
        /Channel\[1\] \(IU\.ANMO\.\.BHZ\): missing startDate/,
      ],
      [
        'half a ratio',
        wrap('<Channel code="BHN" locationCode="00" startDate="2000-01-01"><SampleRateRatio><NumberSamples>1</NumberSamples></SampleRateRatio></Channel>'),
        /SampleRateRatio needs both NumberSamples and NumberSeconds$/,
      ],
    ];
    for (const [name, xml, pattern] of cases) {
      it(name, () => {
        let caught: unknown;
        try {
          parseStationXml(xml, 'bad.xml');
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(MetadataError);
        expect((caught as Error).message).toMatch(pattern);
      });
    }
  });

  it('parses a multi-megabyte document with big Response sections', () => {
    const response = `<Response>${'<Stage number="1"><Coefficients><Numerator>0.123456789</Numerator></Coefficients></Stage>'.repeat(200)}</Response>`;
    const channels: string[] = [];
    for (let s = 0; s < 50; s++) {
      const chans = ['BHZ', 'BHN', 'BHE', 'LHZ', 'LHN', 'LHE']
        .map((c) => `<Channel code="${c}" locationCode="00" startDate="2010-01-01T00:00:00"><SampleRate>20</SampleRate>${response}</Channel>`)
        .join('\n');
      channels.push(`<Station code="S${s}" startDate="2010-01-01"><Latitude>1</Latitude><Longitude>2</Longitude><Elevation>3</Elevation>${chans}</Station>`);
    }
    const doc = `<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1"><Network code="BG">${channels.join('\n')}</Network></FDSNStationXML>`;
    expect(doc.length).toBeGreaterThan(5_000_000);
    const epochs = parseStationXml(doc, 'big.xml');
    expect(epochs).toHaveLength(300);
    expect(epochs[299]).toMatchObject({ station: 'S49', channel: 'LHE', sampleRate: 20, latitude: 1 });
  });
});

describe('loadChannelMetadata', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lacuna-metadata-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('chooses the parser by content, not by file name', async () => {
    const xmlPath = join(dir, 'inventory.txt');
    await writeFile(xmlPath, `\ufeff\n  ${STATIONXML}`);
    expect(await loadChannelMetadata(xmlPath)).toHaveLength(6);
    const csvPath = join(dir, 'channels.xml');
    await writeFile(csvPath, 'network,station,location,channel,start\nIU,ANMO,00,BHZ,2020-01-01\n');
    expect(await loadChannelMetadata(csvPath)).toMatchObject([{ network: 'IU', start: parseIsoMicros('2020-01-01') }]);
  });

  it('names the file in its errors', async () => {
    const path = join(dir, 'stations.csv');
    await writeFile(path, 'network,station,location,channel,start,end\nIU,ANMO,00,BHZ,2024-02-01,2024-01-01\n');
    await expect(loadChannelMetadata(path)).rejects.toThrow(`${path} line 2: end "2024-01-01" is before start "2024-02-01"`);
    await expect(loadChannelMetadata(join(dir, 'nope.csv'))).rejects.toThrow(`${join(dir, 'nope.csv')}: no such file`);
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '\n  \n');
    await expect(loadChannelMetadata(empty)).rejects.toThrow(`${empty}: empty file`);
  });
});

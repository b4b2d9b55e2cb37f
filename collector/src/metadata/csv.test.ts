import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelEpoch } from '@lacuna/core';
import { formatChannelCsv, MetadataError, parseChannelCsv } from './index.ts';
import { formatTime } from '@lacuna/core';
import { parseIsoMicros } from './time.ts';

const t = (iso: string) => Date.parse(iso) * 1000;
const HEADER = 'network,station,location,channel,start,end,sample_rate,latitude,longitude,warn_s,fail_s';

describe('parseChannelCsv', () => {
  it('reads the documented format', () => {
    const text = [
      HEADER,
      'IU,ANMO,00,BHZ,2020-01-01,,20,34.9459,-106.4572,600,3600',
      'IU,ANMO,--,LHZ,2020-01-01T00:00:00Z,2024-06-30T23:59:59.999999Z,1,34.9459,-106.4572,,',
      'GE,WLF,,HHZ,2021-05-04T10:20:30.5,,100,,,60,',
      '',
    ].join('\n');
    expect(parseChannelCsv(text, 'stations.csv')).toEqual<ChannelEpoch[]>([
      {
        network: 'IU',
        station: 'ANMO',
        location: '00',
        channel: 'BHZ',
        start: t('2020-01-01T00:00:00Z'),
        end: null,
        sampleRate: 20,
        latitude: 34.9459,
        longitude: -106.4572,
        elevation: null,
        warnS: 600,
        failS: 3600,
      },
      {
        network: 'IU',
        station: 'ANMO',
        location: '',
        channel: 'LHZ',
        start: t('2020-01-01T00:00:00Z'),
        end: t('2024-07-01T00:00:00Z') - 1,
        sampleRate: 1,
        latitude: 34.9459,
        longitude: -106.4572,
        elevation: null,
        warnS: null,
        failS: null,
      },
      {
        network: 'GE',
        station: 'WLF',
        location: '',
        channel: 'HHZ',
        start: t('2021-05-04T10:20:30.500Z'),
        end: null,
        sampleRate: 100,
        latitude: null,
        longitude: null,
        elevation: null,
        warnS: 60,
        failS: null,
      },
    ]);
  });

  it('finds columns by name in any order, with quotes, CRLF, BOM, comments and blank lines', () => {
    const text =
      '\ufeff# exported by hand\r\n' +
      'Channel, start ,network,station,location,fail_s,warn_s\r\n' +
      '\r\n' +
      '"BHZ","2020-01-01T00:00:00.000001Z","IU","ANMO","00","7200",""\r\n' +
      '   \r\n' +
      '# a comment\r\n' +
      'BHN,2020-02-01,IU, ANMO ,"",,\r\n';
    const epochs = parseChannelCsv(text, 'x.csv');
    expect(epochs).toHaveLength(2);
    expect(epochs[0]).toMatchObject({ channel: 'BHZ', start: t('2020-01-01T00:00:00Z') + 1, failS: 7200, warnS: null, sampleRate: null, end: null });
    expect(epochs[1]).toMatchObject({ station: 'ANMO', location: '', channel: 'BHN', start: t('2020-02-01T00:00:00Z') });
  });

  it('reads a quoted field with an escaped quote and a line break, and counts lines after it', () => {
    // Codes cannot contain quotes, so the only place is an error message: check the line count.
    const text = `${HEADER}\n"IU","ANMO","00","BHZ","2020-01-01","","20","1","2","3","4"\n"IU","A""NMO\nX","00","BHZ","2020-01-01",,,,,,\nIU,ANMO,00,BHZ,2020-01-01,,abc,,,,\n`;
    expect(() => parseChannelCsv(text, 's.csv')).toThrow('s.csv line 3: bad station "A"NMO\nX"');
    const ok = `${HEADER}\n"IU","ANMO","00","BHZ","2020-01-01","","20","1","2","3","4"\n`;
    expect(parseChannelCsv(ok, 's.csv')[0]).toMatchObject({ sampleRate: 20, latitude: 1, longitude: 2, warnS: 3, failS: 4 });
  });

  it('accepts an optional elevation column', () => {
    const epochs = parseChannelCsv('network,station,location,channel,start,elevation\nIU,ANMO,00,BHZ,2020-01-01,1820.5\n', 'e.csv');
    expect(epochs[0].elevation).toBe(1820.5);
  });

  it('returns no epochs for a header alone', () => {
    expect(parseChannelCsv(`${HEADER}\n`, 'h.csv')).toEqual([]);
  });

  describe('errors name the file, the line and the fault', () => {
    const row = (fields: Partial<Record<string, string>>) => {
      const base: Record<string, string> = {
        network: 'IU',
        station: 'ANMO',
        location: '00',
        channel: 'BHZ',
        start: '2024-02-01',
        end: '',
        sample_rate: '20',
        latitude: '34.9',
        longitude: '-106.5',
        warn_s: '600',
        fail_s: '3600',
      };
      return HEADER.split(',')
        .map((c) => fields[c] ?? base[c])
        .join(',');
    };
    /** Five good rows, then the bad one on line 7. */
    const file = (bad: string) => [HEADER, ...Array.from({ length: 5 }, () => row({})), bad].join('\n');
    const cases: [string, string, string][] = [
      ['end before start', file(row({ end: '2024-01-01' })), 'stations.csv line 7: end "2024-01-01" is before start "2024-02-01"'],
      ['end equals start', file(row({ end: '2024-02-01T00:00:00Z' })), 'stations.csv line 7: end "2024-02-01T00:00:00Z" equals start'],
      ['bad sample_rate', file(row({ sample_rate: 'abc' })), 'stations.csv line 7: bad sample_rate "abc" (not a number)'],
      ['zero sample_rate', file(row({ sample_rate: '0' })), 'stations.csv line 7: bad sample_rate "0" (sample rate 0 Hz is not a positive finite number)'],
      ['sample_rate below one a year', file(row({ sample_rate: '1e-30' })), 'stations.csv line 7: bad sample_rate "1e-30" (sample rate 1.00e-30 Hz is below one sample a year'],
      ['start before 1900', file(row({ start: '1700-01-01' })), 'stations.csv line 7: invalid start "1700-01-01": time 1700-01-01T00:00:00.000000Z is outside the storable range 1900-01-01'],
      ['sample_rate with units', file(row({ sample_rate: '20Hz' })), 'stations.csv line 7: bad sample_rate "20Hz" (not a number)'],
      ['invalid start', file(row({ start: '2024-02-30' })), 'stations.csv line 7: invalid start "2024-02-30": day 30: February 2024 has 29 days'],
      ['garbage start', file(row({ start: '01/02/2024' })), 'stations.csv line 7: invalid start "01/02/2024": expected ISO 8601'],
      ['invalid end', file(row({ end: '2024-03-01T25:00:00' })), 'stations.csv line 7: invalid end "2024-03-01T25:00:00": hour 25'],
      ['relative start', file(row({ start: '-7d' })), 'stations.csv line 7: invalid start "-7d": relative times (now, -7d) are not allowed in metadata'],
      ['start out of range', file(row({ start: '2400-01-01' })), 'stations.csv line 7: invalid start "2400-01-01": out of range'],
      ['empty start', file(row({ start: '' })), 'stations.csv line 7: empty start (every epoch needs a start time)'],
      ['empty network', file(row({ network: '' })), 'stations.csv line 7: empty network'],
      ['bad station', file(row({ station: 'AN MO' })), 'stations.csv line 7: bad station "AN MO"'],
      ['bad location', file(row({ location: '0.0' })), 'stations.csv line 7: bad location "0.0"'],
      ['latitude out of range', file(row({ latitude: '91' })), 'stations.csv line 7: bad latitude "91" (must be within -90..90)'],
      ['longitude out of range', file(row({ longitude: '-180.5' })), 'stations.csv line 7: bad longitude "-180.5" (must be within -180..180)'],
      ['negative warn_s', file(row({ warn_s: '-5' })), 'stations.csv line 7: bad warn_s "-5" (must be > 0 seconds)'],
      ['fail_s below warn_s', file(row({ warn_s: '600', fail_s: '60' })), 'stations.csv line 7: fail_s 60 is less than warn_s 600'],
      ['too few fields', file('IU,ANMO,00,BHZ,2024-02-01'), 'stations.csv line 7: 5 fields, but the header has 11'],
      ['too many fields', file(`${row({})},extra`), 'stations.csv line 7: 12 fields, but the header has 11'],
      ['unterminated quote', file('IU,"ANMO,00,BHZ,2024-02-01,,,,,,'), 'stations.csv line 7: unterminated quoted field'],
      ['text after closing quote', file('IU,"ANMO"x,00,BHZ,2024-02-01,,,,,,'), 'stations.csv line 7: unexpected "x" after a closing quote'],
      ['stray quote', file('IU,AN"MO,00,BHZ,2024-02-01,,,,,,'), 'stations.csv line 7: stray quote in unquoted field "AN\\"MO"'],
      ['unknown column', `${HEADER},comment\n`, 'stations.csv line 1: unknown column "comment" (the columns are'],
      ['missing required column', 'network,station,channel,end\n', 'stations.csv line 1: missing required columns "location", "start"'],
      ['missing one required column', 'network,station,location,start\n', 'stations.csv line 1: missing required column "channel"'],
      ['repeated column', 'network,station,location,channel,start,Start\n', 'stations.csv line 1: column "start" appears twice'],
      ['empty column name', 'network,station,,location,channel,start\n', 'stations.csv line 1: header column 3 is empty'],
      ['no header row', `${row({})}\n`, 'stations.csv line 1: missing header row: expected column names'],
      ['a long first line, shown in part', `${'x'.repeat(500)}\n`, `stations.csv line 1: missing header row: expected column names (network,station,location,channel,start,end,sample_rate,latitude,longitude,warn_s,fail_s), found "${'x'.repeat(80)}…"`],
      ['a binary file', `\u0001\u0002\uFFFD\uFFFD${'z'.repeat(300)}\n`, 'stations.csv line 1: missing header row: expected column names (network,station,location,channel,start,end,sample_rate,latitude,longitude,warn_s,fail_s), found what looks like binary content, not text'],
      ['empty file', '', 'stations.csv: empty CSV: a header row is required'],
    ];
    for (const [name, text, message] of cases) {
      it(name, () => {
        let caught: unknown;
        try {
          parseChannelCsv(text, 'stations.csv');
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(MetadataError);
        expect((caught as Error).message.startsWith(message), (caught as Error).message).toBe(true);
      });
    }
  });
});

describe('times are exact to the microsecond', () => {
  // 1900-01-01 .. 2200-01-01, any microsecond.
  const micros = fc.integer({ min: -2_208_988_800_000_000, max: 7_258_118_400_000_000 });

  it('parseIsoMicros(formatTime(t)) === t', () => {
    fc.assert(fc.property(micros, (m) => parseIsoMicros(formatTime(m)) === m));
  });

  it('agrees with Date.parse on the millisecond part', () => {
    fc.assert(
      fc.property(micros, (m) => {
        const iso = formatTime(m);
        const ms = Math.floor(m / 1000);
        return Date.parse(iso) === ms;
      }),
    );
  });

  it('the ordinal and offset forms name the same instant', () => {
    expect(parseIsoMicros('2024-366T23:59:59.999999')).toBe(parseIsoMicros('2024-12-31T23:59:59.999999Z'));
    expect(parseIsoMicros('2024-01-01T00:30:00-01:30')).toBe(parseIsoMicros('2024-01-01T02:00:00Z'));
    expect(parseIsoMicros('2024-01-01 02:00')).toBe(parseIsoMicros('2024-01-01T02:00:00.000000Z'));
    expect(() => parseIsoMicros('2023-366')).toThrow('day of year 366: 2023 has 365 days');
    expect(() => parseIsoMicros('2023-02-29')).toThrow('day 29: February 2023 has 28 days');
    expect(() => parseIsoMicros('2024-01-01T00:00:60')).toThrow('second 60: leap seconds are not representable');
  });

  it('CSV round trip: formatChannelCsv then parseChannelCsv gives the same epochs', () => {
    const code = fc.stringMatching(/^[A-Z0-9]{1,5}$/);
    const epoch = fc
      .record({
        network: code,
        station: code,
        location: fc.constantFrom('', '00', '10', 'A1'),
        channel: code,
        start: micros,
        length: fc.option(fc.integer({ min: 1, max: 10 ** 15 }), { nil: null }),
        sampleRate: fc.option(fc.constantFrom(0.1, 1, 20, 40, 100, 1 / 3), { nil: null }),
        latitude: fc.option(fc.double({ min: -90, max: 90, noNaN: true }), { nil: null }),
        longitude: fc.option(fc.double({ min: -180, max: 180, noNaN: true }), { nil: null }),
        elevation: fc.option(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { nil: null }),
        warnS: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
      })
      .map(
        ({ length, ...e }): ChannelEpoch => ({
          ...e,
          end: length === null ? null : e.start + length,
          failS: e.warnS === null ? null : e.warnS * 6,
        }),
      );
    fc.assert(
      fc.property(fc.array(epoch, { maxLength: 20 }), (epochs) => {
        expect(parseChannelCsv(formatChannelCsv(epochs), 'rt.csv')).toEqual(
          epochs.map((e) => ({ ...e, latitude: e.latitude === 0 ? 0 : e.latitude, longitude: e.longitude === 0 ? 0 : e.longitude, elevation: e.elevation === 0 ? 0 : e.elevation })),
        );
      }),
    );
  });
});

describe('far-future end dates', () => {
  it('reads an end in or after 2255 as open', () => {
    const epochs = parseChannelCsv('network,station,location,channel,start,end\nIU,ANMO,00,BHZ,2020-01-01,2599-12-31T23:59:59\n', 'f.csv');
    expect(epochs[0].end).toBeNull();
  });
});

/**
 * The expected bodies are the examples of the FDSN availability specification and of its implementations, copied.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelId } from '@lacuna/core';
import { formatExtents, formatSampleRate, formatSpans } from './formats.ts';
import type { AvailabilityExtent, AvailabilitySpan } from './spans.ts';

const at = (iso: string): number => Date.parse(iso) * 1000;

function span(id: ChannelId, quality: string | null, sampleRate: number | null, start: string, end: string, updated = start): AvailabilitySpan {
  return { ...id, quality, sampleRate, start: at(start), end: at(end), updated: at(updated) };
}

function extent(
  id: ChannelId,
  quality: string | null,
  sampleRate: number | null,
  earliest: string,
  latest: string,
  updated: string,
  timespans: number,
): AvailabilityExtent {
  return { ...id, quality, sampleRate, earliest: at(earliest), latest: at(latest), updated: at(updated), timespans, restriction: 'OPEN' };
}

const ANMO_BHZ = { network: 'IU', station: 'ANMO', location: '00', channel: 'BHZ' };
const ANMO_LHZ = { network: 'IU', station: 'ANMO', location: '', channel: 'LHZ' };
const ABC_HHZ = { network: 'XX', station: 'ABC', location: '', channel: 'HHZ' };
const ABC_BHZ = { network: 'XX', station: 'ABC', location: '00', channel: 'BHZ' };

const ALL_COLUMNS = { showQuality: true, showSampleRate: true };

describe('text', () => {
  it('lays out /query as the spec example: full-name header, padded columns', () => {
    const spans = [
      span(ANMO_BHZ, 'M', 20, '2024-01-01T00:00:00Z', '2024-01-01T06:13:20.5Z'),
      span(ANMO_BHZ, 'M', 20, '2024-01-01T06:20:00Z', '2024-01-02T00:00:00Z'),
    ];
    const formatted = formatSpans(spans, 'text', { ...ALL_COLUMNS, showUpdated: false, created: 0 });
    expect(formatted.contentType).toBe('text/plain');
    expect(formatted.body).toBe(
      [
        '#Network Station Location Channel Quality SampleRate Earliest                    Latest',
        'IU       ANMO    00       BHZ     M       20.0       2024-01-01T00:00:00.000000Z 2024-01-01T06:13:20.500000Z',
        'IU       ANMO    00       BHZ     M       20.0       2024-01-01T06:20:00.000000Z 2024-01-02T00:00:00.000000Z',
        '',
      ].join('\n'),
    );
  });

  it('lays out /extent as the spec example, the empty location as --', () => {
    const extents = [extent(ANMO_LHZ, 'M', 1, '2023-06-01T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-03T04:05:06.789Z', 12)];
    expect(formatExtents(extents, 'text', { ...ALL_COLUMNS, created: 0 }).body).toBe(
      [
        '#Network Station Location Channel Quality SampleRate Earliest                    Latest                      Updated              TimeSpans Restriction',
        'IU       ANMO    --       LHZ     M       1.0        2023-06-01T00:00:00.000000Z 2024-01-02T00:00:00.000000Z 2024-01-03T04:05:06Z 12        OPEN',
        '',
      ].join('\n'),
    );
  });

  it('drops the merged columns and adds Updated with show=latestupdate', () => {
    const spans = [span(ABC_HHZ, null, null, '2024-03-01T00:00:00Z', '2024-03-01T11:59:59.99Z', '2024-03-02T00:10:00.5Z')];
    expect(formatSpans(spans, 'text', { showQuality: false, showSampleRate: false, showUpdated: true, created: 0 }).body).toBe(
      [
        '#Network Station Location Channel Earliest                    Latest                      Updated',
        'XX       ABC     --       HHZ     2024-03-01T00:00:00.000000Z 2024-03-01T11:59:59.990000Z 2024-03-02T00:10:00Z',
        '',
      ].join('\n'),
    );
  });
});

describe('geocsv', () => {
  it('lays out /extent as the spec example', () => {
    const extents = [extent(ABC_HHZ, 'M', 100, '2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z', '2024-03-03T01:02:03Z', 4)];
    const formatted = formatExtents(extents, 'geocsv', { ...ALL_COLUMNS, created: 0 });
    expect(formatted.contentType).toBe('text/csv');
    expect(formatted.body).toBe(
      [
        '#dataset: GeoCSV 2.0',
        '#delimiter: |',
        '#field_unit: unitless|unitless|unitless|unitless|unitless|hertz|ISO_8601|ISO_8601|ISO_8601|unitless|unitless',
        '#field_type: string|string|string|string|string|float|datetime|datetime|datetime|integer|string',
        'Network|Station|Location|Channel|Quality|SampleRate|Earliest|Latest|Updated|TimeSpans|Restriction',
        'XX|ABC||HHZ|M|100.0|2024-03-01T00:00:00.000000Z|2024-03-03T00:00:00.000000Z|2024-03-03T01:02:03Z|4|OPEN',
        '',
      ].join('\n'),
    );
  });

  it('lays out /query with merge=samplerate and show=latestupdate as the spec example', () => {
    const spans = [
      span(ABC_BHZ, 'D', null, '2024-03-01T00:00:00Z', '2024-03-01T08:00:00Z', '2024-03-02T00:10:00Z'),
      span(ABC_BHZ, 'D', null, '2024-03-01T09:30:00Z', '2024-03-02T00:00:00Z', '2024-03-02T00:10:00Z'),
    ];
    expect(formatSpans(spans, 'geocsv', { showQuality: true, showSampleRate: false, showUpdated: true, created: 0 }).body).toBe(
      [
        '#dataset: GeoCSV 2.0',
        '#delimiter: |',
        '#field_unit: unitless|unitless|unitless|unitless|unitless|ISO_8601|ISO_8601|ISO_8601',
        '#field_type: string|string|string|string|string|datetime|datetime|datetime',
        'Network|Station|Location|Channel|Quality|Earliest|Latest|Updated',
        'XX|ABC|00|BHZ|D|2024-03-01T00:00:00.000000Z|2024-03-01T08:00:00.000000Z|2024-03-02T00:10:00Z',
        'XX|ABC|00|BHZ|D|2024-03-01T09:30:00.000000Z|2024-03-02T00:00:00.000000Z|2024-03-02T00:10:00Z',
        '',
      ].join('\n'),
    );
  });
});

describe('json', () => {
  it('gives /query one datasource per channel, quality and rate, as the spec example', () => {
    const spans = [
      span(ABC_HHZ, 'M', 100, '2024-03-01T00:00:00Z', '2024-03-01T11:59:59.99Z'),
      span(ABC_HHZ, 'M', 100, '2024-03-01T12:10:00Z', '2024-03-02T00:00:00Z'),
    ];
    const formatted = formatSpans(spans, 'json', { ...ALL_COLUMNS, showUpdated: false, created: at('2024-03-02T10:00:00.999Z') });
    expect(formatted.contentType).toBe('application/json');
    expect(JSON.parse(formatted.body)).toEqual({
      created: '2024-03-02T10:00:00Z',
      version: 1.0,
      datasources: [
        {
          network: 'XX',
          station: 'ABC',
          location: '',
          channel: 'HHZ',
          quality: 'M',
          samplerate: 100.0,
          timespans: [
            ['2024-03-01T00:00:00.000000Z', '2024-03-01T11:59:59.990000Z'],
            ['2024-03-01T12:10:00.000000Z', '2024-03-02T00:00:00.000000Z'],
          ],
        },
      ],
    });
  });

  it('dates each /query datasource by its newest span with show=latestupdate, and starts a new one per quality', () => {
    const spans = [
      span(ABC_HHZ, 'D', 100, '2024-03-01T00:00:00Z', '2024-03-01T01:00:00Z', '2024-03-01T02:00:00Z'),
      span(ABC_HHZ, 'D', 100, '2024-03-01T03:00:00Z', '2024-03-01T04:00:00Z', '2024-03-01T05:00:00Z'),
      span(ABC_HHZ, 'Q', 100, '2024-03-01T03:00:00Z', '2024-03-01T04:00:00Z', '2024-03-01T06:00:00Z'),
    ];
    const document = JSON.parse(formatSpans(spans, 'json', { ...ALL_COLUMNS, showUpdated: true, created: 0 }).body);
    expect(document.datasources.map((source: { quality: string; updated: string; timespans: unknown[] }) => [source.quality, source.updated, source.timespans.length])).toEqual([
      ['D', '2024-03-01T05:00:00Z', 2],
      ['Q', '2024-03-01T06:00:00Z', 1],
    ]);
  });

  it('gives /extent the schema fields, without the merged quality, as the spec example', () => {
    const extents = [extent(ABC_HHZ, null, 100, '2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z', '2024-03-03T01:02:03Z', 4)];
    const formatted = formatExtents(extents, 'json', { showQuality: false, showSampleRate: true, created: at('2024-03-03T02:00:00Z') });
    expect(JSON.parse(formatted.body)).toEqual({
      created: '2024-03-03T02:00:00Z',
      version: 1.0,
      datasources: [
        {
          network: 'XX',
          station: 'ABC',
          location: '',
          channel: 'HHZ',
          samplerate: 100.0,
          earliest: '2024-03-01T00:00:00.000000Z',
          latest: '2024-03-03T00:00:00.000000Z',
          timespanCount: 4,
          updated: '2024-03-03T01:02:03Z',
          restriction: 'OPEN',
        },
      ],
    });
  });
});

describe('request', () => {
  it('gives one dataselect line per span as the spec example, -- for the empty location', () => {
    const spans = [
      span(ABC_HHZ, 'M', 100, '2024-03-01T06:00:00Z', '2024-03-01T11:59:59.99Z'),
      span(ABC_HHZ, 'M', 100, '2024-03-01T12:10:00Z', '2024-03-02T00:00:00Z'),
      span(ABC_BHZ, 'M', 40, '2024-03-01T06:00:00Z', '2024-03-02T00:00:00Z'),
    ];
    const formatted = formatSpans(spans, 'request', { ...ALL_COLUMNS, showUpdated: false, created: 0 });
    expect(formatted.contentType).toBe('text/plain');
    expect(formatted.body).toBe(
      [
        'XX ABC -- HHZ 2024-03-01T06:00:00.000000Z 2024-03-01T11:59:59.990000Z',
        'XX ABC -- HHZ 2024-03-01T12:10:00.000000Z 2024-03-02T00:00:00.000000Z',
        'XX ABC 00 BHZ 2024-03-01T06:00:00.000000Z 2024-03-02T00:00:00.000000Z',
        '',
      ].join('\n'),
    );
  });

  it('gives one line per extent, earliest to latest', () => {
    const extents = [extent(ABC_BHZ, 'D', 40, '2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z', '2024-03-03T01:02:03Z', 4)];
    expect(formatExtents(extents, 'request', { ...ALL_COLUMNS, created: 0 }).body).toBe(
      'XX ABC 00 BHZ 2024-03-01T00:00:00.000000Z 2024-03-03T00:00:00.000000Z\n',
    );
  });
});

describe('sample rates', () => {
  it('print with one decimal at least, keeping slow rates exact', () => {
    expect([100, 1, 0.1, 0.01, 0.05, 2.5].map(formatSampleRate)).toEqual(['100.0', '1.0', '0.1', '0.01', '0.05', '2.5']);
  });
});

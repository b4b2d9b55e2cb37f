import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelKey, parseChannelPatterns, matchesChannel } from '../channel.ts';
import { parseTime } from '../time.ts';
import { LiveAccumulator } from './accumulator.ts';
import { isStuck, pointsNeeded } from './stuck.ts';
import { streamChannel, streamIdOf } from './stream-id.ts';

const t = (text: string) => parseTime(text);
const S = 1_000_000;

describe('stream ids as channels', () => {
  it('maps an OOI reference designator and delivery method onto the channel fields', () => {
    expect(streamChannel('CE01ISSM-MFD37-03-CTDBPC000/telemetered')).toEqual({
      network: 'CE01ISSM',
      station: 'MFD37',
      location: '03-CTDBPC000',
      channel: 'telemetered',
    });
    expect(channelKey(streamChannel('CE01ISSM-MFD37-03-CTDBPC000/telemetered/ctdbp_cdef_dcl_instrument'))).toBe(
      'CE01ISSM.MFD37.03-CTDBPC000.telemetered-ctdbp_cdef_dcl_instrument',
    );
    expect(channelKey(streamChannel('stix-pipeline/L1'))).toBe('stix.pipeline..L1');
    expect(channelKey(streamChannel('housekeeping'))).toBe('housekeeping.-..-');
  });

  it('takes a seismic channel named NET.STA.LOC.CHA as it is', () => {
    expect(streamChannel('IU.ANMO.00.BHZ')).toEqual({ network: 'IU', station: 'ANMO', location: '00', channel: 'BHZ' });
  });

  it('keeps channel patterns working: a site, a method', () => {
    const id = streamChannel('CE01ISSM-MFD37-03-CTDBPC000/telemetered');
    expect(matchesChannel(parseChannelPatterns('CE01ISSM'), id)).toBe(true);
    expect(matchesChannel(parseChannelPatterns('*.*.*.telemetered'), id)).toBe(true);
    expect(matchesChannel(parseChannelPatterns('*.*.*.recovered_host'), id)).toBe(false);
  });

  it('rejects ids it cannot map, naming the id and the fault', () => {
    expect(() => streamChannel('')).toThrow(/bad stream id "": empty/);
    expect(() => streamChannel('CE01--X/telemetered')).toThrow(/"CE01--X\/telemetered": station "" must be/);
    expect(() => streamChannel('a b')).toThrow(/network "a b"/);
    expect(() => streamChannel('site/recovered-host')).toThrow(/part 2 "recovered-host"/);
    expect(() => streamChannel('site//x')).toThrow(/part 2 ""/);
    expect(() => streamChannel('IU.ANMO.BHZ')).toThrow(/with dots it must be a channel NET.STA.LOC.CHA/);
    expect(() => streamChannel('x'.repeat(300))).toThrow(/300 characters, at most 255/);
  });

  it('gives every mapped stream id back, and distinct ids never share a channel', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/);
    const streamId = fc
      .tuple(word, fc.option(word, { nil: undefined }), fc.array(word, { maxLength: 2 }), fc.array(word, { maxLength: 3 }))
      .map(([network, station, location, parts]) => {
        let designator = network;
        if (station !== undefined) designator += `-${station}`;
        if (station !== undefined && location.length > 0) designator += `-${location.join('-')}`;
        return parts.length > 0 ? `${designator}/${parts.join('/')}` : designator;
      });
    fc.assert(
      fc.property(streamId, streamId, (a, b) => {
        expect(streamIdOf(streamChannel(a))).toBe(a);
        if (a !== b) expect(channelKey(streamChannel(a))).not.toBe(channelKey(streamChannel(b)));
      }),
    );
  });
});

describe('live accumulator', () => {
  const id = { network: 'XX', station: 'ABC', location: '', channel: 'HHZ' };
  const T0 = t('2024-05-01T00:00:00Z');
  // 100 Hz, 400 samples a record: records are 4 s long.
  const record = (k: number) => T0 + k * 4 * S;

  it('joins consecutive records into one piece whose first_seen is the receipt of its newest sample', () => {
    const live = new LiveAccumulator();
    for (let k = 0; k < 5; k++) live.add(id, record(k), 400, 100, 'D', T0 + 10 * S + k);
    const { pieces, latest } = live.drain();
    expect(pieces).toEqual([
      { ...id, quality: 'D', sampleRate: 100, start: T0, end: record(5) - 10_000, samples: 2000, toleranceUs: 5000, firstSeen: T0 + 10 * S + 4 },
    ]);
    expect(latest).toEqual([{ ...id, stream: '', lastSample: record(5) - 10_000, receivedAt: T0 + 10 * S + 4 }]);
  });

  it('drops a record it already has (resent after a reconnect), also after a flush, and keeps Ta of the first receipt', () => {
    const live = new LiveAccumulator();
    live.add(id, record(0), 400, 100, 'D', 1);
    live.add(id, record(1), 400, 100, 'D', 2);
    live.drain();
    expect(live.add(id, record(1), 400, 100, 'D', 3)).toBe('duplicate');
    expect(live.add(id, record(2), 400, 100, 'D', 4)).toBe('new');
    expect(live.add(id, record(2), 400, 100, 'D', 5)).toBe('duplicate');
    const { pieces, latest } = live.drain();
    expect(pieces.map((p) => [p.start, p.samples, p.firstSeen])).toEqual([[record(2), 400, 4]]);
    expect(latest[0].receivedAt).toBe(4);
  });

  it('starts a new piece after a gap, and an older record arriving late does not move the newest sample', () => {
    const live = new LiveAccumulator();
    live.add(id, record(0), 400, 100, 'D', 1);
    live.add(id, record(3), 400, 100, 'D', 2);
    live.add(id, record(1), 400, 100, 'D', 3);
    const { pieces, latest } = live.drain();
    expect(pieces.map((p) => p.start).sort((a, b) => a - b)).toEqual([record(0), record(1), record(3)]);
    expect(latest).toEqual([{ ...id, stream: '', lastSample: record(4) - 10_000, receivedAt: 2 }]);
  });

  it('counts the pieces waiting, and a heartbeat moves only the newest sample', () => {
    const live = new LiveAccumulator();
    live.add(id, record(0), 400, 100, 'D', 1);
    live.add(id, record(2), 400, 100, 'D', 2);
    expect(live.pieceCount).toBe(2);
    live.addHeartbeat(id, record(10), 7);
    const { pieces, latest } = live.drain();
    expect(pieces).toHaveLength(2);
    expect(latest[0]).toMatchObject({ lastSample: record(10), receivedAt: 7 });
    expect(live.pieceCount).toBe(0);
  });

  it('ignores records without samples or rate', () => {
    const live = new LiveAccumulator();
    expect(live.add(id, T0, 0, 100, 'D', 1)).toBe('unusable');
    expect(live.add(id, T0, 10, 0, 'D', 1)).toBe('unusable');
    expect(live.drain()).toEqual({ pieces: [], latest: [] });
  });
});

describe('pipeline stuck (docs/definitions.md)', () => {
  const rule = { samples: 3, spanUs: 60 * S };
  const history = (...points: [number, number][]) => points.map(([seconds, files]) => ({ at: seconds * S, files }));

  it('is stuck when the backlog stayed above zero and never fell over at least N samples spanning T', () => {
    expect(isStuck(history([0, 4], [30, 4], [60, 5]), rule)).toBe(true);
  });

  it('is not stuck when it fell, reached zero, or the history is too short or too brief', () => {
    expect(isStuck(history([0, 4], [30, 3], [60, 5]), rule)).toBe(false);
    expect(isStuck(history([0, 0], [30, 0], [60, 0]), rule)).toBe(false);
    expect(isStuck(history([0, 4], [60, 4]), rule)).toBe(false);
    expect(isStuck(history([0, 4], [10, 4], [20, 4]), rule)).toBe(false);
  });

  it('looks back as far as T needs when samples come often, and no further', () => {
    // Samples 10 s apart: the window is the last seven (60 s).
    const fellBefore = history([0, 5], [10, 5], [20, 4], [30, 4], [40, 4], [50, 4], [60, 4], [70, 4], [80, 4], [90, 4]);
    const fellWithin = history([0, 5], [10, 5], [20, 5], [30, 5], [40, 5], [50, 4], [60, 4], [70, 4], [80, 4], [90, 4]);
    expect(isStuck(fellBefore, rule)).toBe(true);
    expect(isStuck(fellWithin, rule)).toBe(false);
    expect(pointsNeeded(fellBefore, rule)).toBe(7);
  });
});

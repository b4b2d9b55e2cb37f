import { describe, expect, it } from 'vitest';
import { parseTime } from '@lacuna/core';
import { encodeMseed2Record } from '../mseed/writer.ts';
import { parseInfoJson, parseInfoXml } from './info.ts';
import { chooseProtocol, dataCommand, FrameReader, parseHello, parseSeedLinkAddress, selectorV4, sequenceBefore, type Frame } from './protocol.ts';
import { seedlinkV3Packet, seedlinkV4Packet } from './testing/packets.ts';

const T0 = parseTime('2024-05-01T00:00:00Z');
const record = (k: number) => encodeMseed2Record({ network: 'XX', station: 'ABC', location: '', channel: 'HHZ', start: T0 + k * 1_120_000, sampleRate: 100, samples: 112 });
const v3Packet = (sequence: number, k: number) => seedlinkV3Packet(sequence, record(k));
const v4Packet = (sequence: number, k: number) => seedlinkV4Packet(sequence, 'XX_ABC', record(k));

function frames(reader: FrameReader, bytes: Buffer, chunk: number): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    reader.push(bytes.subarray(i, i + chunk));
    for (let frame = reader.next(); frame !== null; frame = reader.next()) {
      out.push(frame.kind === 'data' ? { ...frame, payload: Buffer.from(frame.payload) } : frame);
    }
  }
  return out;
}

describe('SeedLink protocol', () => {
  it('reads the server address option: host, port, stations and selectors', () => {
    expect(parseSeedLinkAddress('127.0.0.1:18001/IU_ANMO:00BHZ:10BH?,GE_*')).toEqual({
      host: '127.0.0.1',
      port: 18001,
      stations: [
        { network: 'IU', station: 'ANMO', selectors: ['00BHZ', '10BH?'] },
        { network: 'GE', station: '*', selectors: [] },
      ],
    });
    expect(parseSeedLinkAddress('[::1]')).toEqual({ host: '::1', port: 18000, stations: [] });
    expect(() => parseSeedLinkAddress('host:99999')).toThrow(/bad SeedLink server "host:99999": port 99999 out of range/);
    expect(() => parseSeedLinkAddress('host:18000/ANMO')).toThrow(/station "ANMO" is not NET_STA/);
    expect(() => parseSeedLinkAddress('host/IU_ANMO:BHZZ')).toThrow(/bad SeedLink selector "BHZZ"/);
  });

  it('writes v3 selectors in the v4 stream form', () => {
    expect(['BHZ', '00BH?', '--HHZ.D', '!LOG'].map(selectorV4)).toEqual(['*_B_H_Z', '00_B_H_?', '_H_H_Z', '!*_L_O_G']);
  });

  it('speaks 4.0 only to a server offering it', () => {
    const ringserver = parseHello('SeedLink v4.0 (RingServer/4.5.3) :: SLPROTO:4.0 SLPROTO:3.1 CAP WS:13', 'Example Net');
    const seiscomp = parseHello('SeedLink v3.3 (2024.020)', 'Example Net');
    expect([chooseProtocol(ringserver, 'auto'), chooseProtocol(seiscomp, 'auto'), chooseProtocol(ringserver, '3')]).toEqual([4, 3, 3]);
    expect(() => chooseProtocol(seiscomp, '4')).toThrow(/does not offer SeedLink 4.0/);
  });

  it('says a web server answering HELLO is not a SeedLink server', () => {
    expect(() => parseHello('HTTP/1.1 400 Bad Request\r', 'Connection: close')).toThrow(/^not a SeedLink server: it answered HELLO as a web server does \("HTTP\/1.1 400 Bad Request"\)/);
  });

  it('cuts v3 and v4 streams into packets however the bytes are split', () => {
    const v3 = Buffer.concat([v3Packet(0x1f, 0), v3Packet(0x20, 1)]);
    for (const chunk of [1, 7, 519, 4096]) {
      const got = frames(new FrameReader(() => 3), v3, chunk);
      expect(got.map((f) => (f.kind === 'data' ? f.sequence : f.kind))).toEqual([0x1fn, 0x20n]);
    }
    const v4 = Buffer.concat([v4Packet(4768, 0), v4Packet(4770, 1)]);
    const got = frames(new FrameReader(() => 4), v4, 5);
    expect(got.map((f) => (f.kind === 'data' ? [f.sequence, f.stationId, f.payload.length] : f.kind))).toEqual([
      [4768n, 'XX_ABC', 512],
      [4770n, 'XX_ABC', 512],
    ]);
  });

  it('skips bytes that are no packet and finds the next packet', () => {
    const bytes = Buffer.concat([Buffer.from('xyzS\x00\x01'), v3Packet(1, 0), Buffer.from('garbage'), v3Packet(2, 1)]);
    const got = frames(new FrameReader(() => 3), bytes, 3);
    expect(got.filter((f) => f.kind === 'data').map((f) => (f as { sequence: bigint }).sequence)).toEqual([1n, 2n]);
    expect(got.filter((f) => f.kind === 'garbage').reduce((sum, f) => sum + (f as { bytes: number }).bytes, 0)).toBe(6 + 7);
  });

  it('reads the 3-byte END of a finished transfer', () => {
    expect(frames(new FrameReader(() => 3), Buffer.concat([v3Packet(1, 0), Buffer.from('END')]), 100).map((f) => f.kind)).toEqual(['data', 'end']);
  });
});

describe('SeedLink INFO', () => {
  it('reads SeisComP XML: hex sequences, slash times, end = time after the last sample', () => {
    const info = parseInfoXml(`<seedlink software="SeedLink v3.3 (2024.020)" organization="Example Net" started="2024/05/01 10:00:00.0000">
 <station name="ABC" network="XX" description="Example" begin_seq="0012A0" end_seq="0019F4" stream_check="enabled">
  <stream location="" seedname="HHZ" type="D" begin_time="2024/05/01 00:00:00.0000" end_time="2024/05/02 09:59:58.0100"/>
 </station>
</seedlink>`);
    expect(info.stations).toEqual([
      {
        network: 'XX',
        station: 'ABC',
        description: 'Example',
        beginSeq: '0012A0',
        endSeq: '0019F4',
        streams: [{ location: '', channel: 'HHZ', type: 'D', start: parseTime('2024-05-01T00:00:00Z'), end: parseTime('2024-05-02T09:59:58.01Z') }],
      },
    ]);
  });

  it('reads v4 JSON with its stream ids, and a refusal', () => {
    const info = parseInfoJson(
      '{"software":"SeedLink v4.0 (RingServer/4.5.3) :: SLPROTO:4.0 SLPROTO:3.1 CAP WS:13","organization":"Example Net","station":[{"id":"XX_ABC","description":"Station ID XX_ABC","start_seq":4768,"end_seq":6644,"stream":[{"id":"_H_H_Z","format":"2","subformat":"D","start_time":"2024-05-01T00:00:00.000000Z","end_time":"2024-05-02T09:59:58.000000Z"}]}]}',
    );
    expect(info.stations[0]).toMatchObject({ network: 'XX', station: 'ABC', beginSeq: '4768', endSeq: '6644' });
    expect(info.stations[0].streams).toEqual([{ location: '', channel: 'HHZ', type: '2D', start: parseTime('2024-05-01'), end: parseTime('2024-05-02T09:59:58Z') }]);
    expect(parseInfoJson('{"software":"x","organization":"y","error":{"code":"ARGUMENTS","message":"Unrecognized INFO item"}}').error).toBe('ARGUMENTS Unrecognized INFO item');
  });

  it('resumes with the packet after the last one and its start second, as libslink does', () => {
    const last = { sequence: 41n, time: parseTime('2024-05-01T12:34:56.789Z') };
    expect(dataCommand(4, last, 'next')).toBe('DATA 42 2024-05-01T12:34:56Z');
    expect(dataCommand(3, last, 'next')).toBe('DATA 00002A 2024,05,01,12,34,56');
    expect(dataCommand(3, { sequence: 0xffffffn, time: null }, 'next')).toBe('DATA 000000');
    expect(dataCommand(4, undefined, 'next')).toBe('DATA');
    expect(dataCommand(3, undefined, 'oldest')).toBe('DATA ALL');
    // ringserver 4.5 reads a station's DATA ALL as its next packet: v4 gives the oldest data's time.
    expect(dataCommand(4, undefined, 'oldest', parseTime('2024-05-01T00:00:00.5Z'))).toBe('DATA ALL 2024-05-01T00:00:00Z');
    expect(dataCommand(3, undefined, 'oldest', parseTime('2024-05-01T00:00:00.5Z'))).toBe('DATA ALL');
  });

  it('orders sequence numbers, v3 ones across the 24-bit wrap', () => {
    expect(sequenceBefore(4, 7n, 11n)).toBe(true);
    expect(sequenceBefore(4, 11n, 11n)).toBe(false);
    expect(sequenceBefore(3, 0xfffffen, 1n)).toBe(true);
    expect(sequenceBefore(3, 1n, 0xfffffen)).toBe(false);
  });
});

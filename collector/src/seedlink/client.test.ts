/**
 * The SeedLink client against FakeSeedLinkServer, a test double of a SeedLink server written for
 * these tests (testing/fake-server.ts), over real sockets on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTime } from '@lacuna/core';
import { encodeSeries } from '../mseed/writer.ts';
import { until } from '../live/testing.ts';
import { SeedLinkClient, seedlinkInfo, type SeedLinkClientOptions, type SeedLinkRecord } from './client.ts';
import type { SeedLinkInfo } from './info.ts';
import { FakeSeedLinkServer, type Identity } from './testing/fake-server.ts';

const T0 = parseTime('2024-05-01T00:00:00Z');
const RATE = 100;
/** 512-byte records of 100 Hz INT32 samples hold 112 samples: 1.12 s each. */
const PER_RECORD = 112;

function series(station: string, records: number, first = 0) {
  return [...encodeSeries({ network: 'XX', station, location: '', channel: 'HHZ', start: T0 + first * PER_RECORD * 10_000, sampleRate: RATE, totalSamples: records * PER_RECORD })];
}

const servers: FakeSeedLinkServer[] = [];
const clients: SeedLinkClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(identity: Identity, options: ConstructorParameters<typeof FakeSeedLinkServer>[1] = {}) {
  const server = await new FakeSeedLinkServer(identity, options).listen(0);
  servers.push(server);
  return server;
}

function connect(server: FakeSeedLinkServer, stations: string, extra: Partial<SeedLinkClientOptions> = {}) {
  const records: SeedLinkRecord[] = [];
  const malformed: string[] = [];
  const resumeFailures: string[] = [];
  const infos: SeedLinkInfo[] = [];
  const statuses: string[] = [];
  const selection = stations === '' ? [] : stations.split(',').map((id) => ({ network: id.split('_')[0], station: id.split('_')[1], selectors: ['HHZ'] }));
  const client = new SeedLinkClient({
    address: { host: '127.0.0.1', port: server.port, stations: selection },
    backoff: { initialMs: 20, maxMs: 200 },
    keepaliveMs: 0,
    begin: 'oldest',
    ...extra,
    onRecord: (record) => records.push(record),
    onMalformed: (why) => malformed.push(why),
    onInfo: (info) => infos.push(info),
    onStatus: (_connected, message) => statuses.push(message),
    onResumeFailure: (why) => resumeFailures.push(why),
  });
  clients.push(client);
  client.start();
  return { client, records, malformed, infos, statuses, resumeFailures };
}

/** Sequence numbers received, and the first sample of each record in packet order. */
const sequences = (records: SeedLinkRecord[]) => records.map((r) => Number(r.sequence));
const starts = (records: SeedLinkRecord[]) => records.map((r) => r.header.start);
const expectedStarts = (count: number, first = 0) => Array.from({ length: count }, (_, k) => T0 + (first + k) * PER_RECORD * 10_000);

describe.each(['ringserver', 'seiscomp'] as const)('SeedLink client and a %s-like server', (identity) => {
  const version = identity === 'ringserver' ? 4 : 3;

  it(`negotiates SeedLink ${version === 4 ? '4.0' : '3.1'}, lists the streams and their newest data, and receives every record`, async () => {
    const server = await serve(identity);
    server.add(series('ABC', 20));
    const { records, infos } = connect(server, 'XX_ABC');
    await until('20 records', () => records.length === 20);
    expect(starts(records)).toEqual(expectedStarts(20));
    expect(records.every((r) => r.stationId === 'XX_ABC' && r.header.samples === PER_RECORD && r.header.sampleRate === RATE)).toBe(true);
    expect(server.commands.includes('SLPROTO 4.0')).toBe(version === 4);
    expect(server.commands).toContain(version === 4 ? 'SELECT *_H_H_Z' : 'SELECT HHZ');
    // INFO STREAMS: SeisComP gives the time after the last sample, ringserver the last sample itself.
    const lastSample = T0 + (20 * PER_RECORD - 1) * 10_000;
    expect(infos[0].stations.map((s) => [s.network, s.station, s.streams.map((st) => [st.channel, st.start, st.end])])).toEqual([
      ['XX', 'ABC', [['HHZ', T0, identity === 'seiscomp' ? lastSample + 10_000 : lastSample]]],
    ]);
  });

  it('resumes after a disconnection in the middle of a packet: nothing lost, nothing twice', async () => {
    const server = await serve(identity);
    server.faults = { cutMidPacketAfter: 7 };
    server.add(series('ABC', 30));
    const { client, records } = connect(server, 'XX_ABC');
    await until('30 records', () => records.length >= 30);
    expect(sequences(records)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1));
    expect(client.stats.reconnects).toBeGreaterThanOrEqual(1);
    // The packet after the last one, and the last one's start second (record 7 starts at 6.72 s).
    expect(server.commands).toContain(version === 4 ? 'DATA 8 2024-05-01T00:00:06Z' : 'DATA 000008 2024,05,01,00,00,06');
  });

  it('skips garbage between packets and a malformed record, and keeps every good one', async () => {
    const server = await serve(identity);
    server.faults = { garbage: { every: 3, bytes: 41 }, corrupt: new Set([5]) };
    server.add(series('ABC', 12));
    const { client, records, malformed } = connect(server, 'XX_ABC');
    await until('11 records', () => records.length >= 11);
    await until('the last garbage to be reported', () => malformed.filter((m) => /no SeedLink packet/.test(m)).length >= 4);
    expect(sequences(records)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]);
    expect(malformed.filter((m) => /packet 5( of XX_ABC)? skipped: invalid miniSEED record/.test(m))).toHaveLength(1);
    expect(client.stats.reconnects).toBe(0);
  });

  it('skips and counts a packet with an impossible sample rate, and keeps every good one', async () => {
    const server = await serve(identity);
    server.faults = { impossibleRate: new Set([3]) };
    server.add(series('ABC', 5));
    const { client, records, malformed } = connect(server, 'XX_ABC');
    await until('4 records', () => records.length >= 4);
    expect(sequences(records)).toEqual([1, 2, 4, 5]);
    expect(client.stats.malformed).toBe(1);
    // The header reader refuses the record (core dataProblem), so the packet is skipped as malformed miniSEED.
    expect(malformed).toEqual([expect.stringMatching(/packet 3 (of XX_ABC )?skipped: .*sample rate 9\.31e-10 Hz is below one sample a year/)]);
  });

  it('reads a slow server that sends a few bytes at a time', async () => {
    const server = await serve(identity);
    server.faults = { slow: { chunkBytes: 97, delayMs: 1 } };
    server.add(series('ABC', 6));
    const { records } = connect(server, 'XX_ABC');
    await until('6 records', () => records.length === 6);
    expect(starts(records)).toEqual(expectedStarts(6));
  });

  it('survives a server restart and resumes from the last sequence, with data the server got meanwhile', async () => {
    const server = await serve(identity);
    server.add(series('ABC', 5));
    const { client, records, statuses } = connect(server, 'XX_ABC');
    await until('5 records', () => records.length === 5);
    await server.stop();
    server.add(series('ABC', 5, 5));
    await until('the client to notice', () => !client.stats.connected);
    await server.listen();
    await until('10 records', () => records.length >= 10);
    server.add(series('ABC', 2, 10));
    await until('12 records', () => records.length >= 12);
    expect(starts(records)).toEqual(expectedStarts(12));
    expect(statuses.filter((s) => s.startsWith('connected'))).toHaveLength(2);
  });

  it('resumes by time when the server comes back with a rolled-back ring: nothing lost, nothing twice, the failure counted and said', async () => {
    const server = await serve(identity);
    server.add(series('ABC', 10));
    const { client, records, resumeFailures } = connect(server, 'XX_ABC');
    await until('10 records', () => records.length === 10);
    // A crash: the ring comes back without its newest 4 packets, and numbers the 6 it takes in next from there.
    await server.stop();
    await until('the client to notice', () => !client.stats.connected);
    server.rollBack(4);
    server.add(series('ABC', 6, 10));
    await server.listen();
    await until('16 records', () => records.length >= 16);
    await until('the connection', () => client.stats.connected);
    expect(starts(records)).toEqual(expectedStarts(16));
    expect(client.stats.resumeFailures).toBe(1);
    expect(resumeFailures).toEqual([
      expect.stringMatching(/could not resume XX_ABC at sequence (11|00000B): it sent packet 7 first; it resumes by time from 2024-05-01T00:00:10\.080000Z/),
    ]);
  });

  it('subscribes every listed station when none is named, and gets records sent after it connected', async () => {
    const server = await serve(identity);
    server.add(series('ABC', 2));
    server.add(series('DEF', 2));
    const { records } = connect(server, '');
    await until('the 4 records the server held', () => records.length === 4);
    server.add(series('ABC', 3, 2));
    await until('3 more records', () => records.length === 7);
    expect(records.map((r) => `${r.stationId} ${r.sequence}`).sort()).toEqual(['XX_ABC 1', 'XX_ABC 2', 'XX_ABC 3', 'XX_ABC 4', 'XX_ABC 5', 'XX_DEF 1', 'XX_DEF 2']);
    expect(server.commands).toContain(version === 4 ? 'STATION XX_DEF' : 'STATION DEF XX');
  });

  it('follows a station that appears after it connected, from its first packet, and loses nothing of the others', async () => {
    const server = await serve(identity);
    server.add(series('ABC', 2));
    // v4 follows new stations by a station pattern, v3 by listing the stations again.
    const { client, records, statuses } = connect(server, '', { relistMs: version === 3 ? 30 : 0 });
    await until('2 records', () => records.length === 2);
    server.add(series('NEW', 3));
    server.add(series('ABC', 2, 2));
    await until('the new station\'s 3 records', () => records.filter((r) => r.stationId === 'XX_NEW').length === 3);
    server.add(series('ABC', 1, 4));
    await until('5 records of the first station', () => records.filter((r) => r.stationId === 'XX_ABC').length >= 5);
    await until('the connection', () => client.stats.connected);
    expect(starts(records.filter((r) => r.stationId === 'XX_ABC'))).toEqual(expectedStarts(5));
    expect(starts(records.filter((r) => r.stationId === 'XX_NEW'))).toEqual(expectedStarts(3));
    expect(statuses.some((s) => /lists 1 new station to follow \(XX_NEW\)/.test(s))).toBe(version === 3);
  });

  it('sends INFO ID as keepalive during transfer and reads on', async () => {
    const server = await serve(identity);
    const { records } = connect(server, 'XX_ABC', { keepaliveMs: 30 });
    server.add(series('ABC', 1));
    await until('two keepalives', () => server.commands.filter((c) => c === 'INFO ID').length >= 2);
    server.add(series('ABC', 2, 1));
    await until('3 records', () => records.length === 3);
    expect(starts(records)).toEqual(expectedStarts(3));
  });
});

describe('SeedLink client, more', () => {
  it('wraps v3 sequence numbers at 24 bits and resumes across the wrap', async () => {
    const server = await serve('seiscomp', { firstSequence: 0xfffffd });
    server.faults = { cutMidPacketAfter: 3 };
    server.add(series('ABC', 6));
    const { records } = connect(server, 'XX_ABC');
    await until('6 records', () => records.length >= 6);
    expect(sequences(records)).toEqual([0xfffffd, 0xfffffe, 0xffffff, 0, 1, 2]);
    expect(server.commands).toContain('DATA 000000 2024,05,01,00,00,02');
  });

  it('resumes each station from its own sequence on a ring-numbered server', async () => {
    const server = await serve('ringserver', { numbering: 'ring' });
    server.add(series('ABC', 2));
    server.add(series('DEF', 2));
    const { client, records } = connect(server, 'XX_ABC,XX_DEF');
    await until('4 records', () => records.length === 4);
    await server.stop();
    await until('the client to notice', () => !client.stats.connected);
    await server.listen();
    await until('the client to reconnect', () => client.stats.connected);
    expect(server.commands).toContain('DATA 3 2024-05-01T00:00:01Z');
    expect(server.commands).toContain('DATA 5 2024-05-01T00:00:01Z');
    expect(records).toHaveLength(4);
    expect(client.stats.resumeFailures).toBe(0);
  });

  it('says at connection that a server\'s ring ends before the packet to resume after, and gets what it takes in next', async () => {
    const server = await serve('ringserver', { numbering: 'ring' });
    server.add(series('ABC', 6));
    const { client, records, resumeFailures } = connect(server, 'XX_ABC');
    await until('6 records', () => records.length === 6);
    await server.stop();
    await until('the client to notice', () => !client.stats.connected);
    server.rollBack(3);
    await server.listen();
    await until('the failure to be said', () => resumeFailures.length === 1);
    expect(resumeFailures[0]).toMatch(/could not resume XX_ABC at sequence 7: its ring ends at 4, before or after packet 6 received last; it resumes by time/);
    // Numbered 4, 5 and 6 again: a server resuming by sequence (DATA 7) would never send them.
    server.add(series('ABC', 3, 6));
    await until('9 records', () => records.length >= 9);
    expect(starts(records)).toEqual(expectedStarts(9));
    expect(client.stats.resumeFailures).toBe(1);
  });

  it('follows a station matching a wildcard that appears after it connected', async () => {
    const server = await serve('ringserver', { numbering: 'ring' });
    server.add(series('ABC', 1));
    server.add(series('XYZ', 1));
    const { client, records } = connect(server, 'XX_A*', { relistMs: 30 });
    await until('1 record', () => records.length === 1);
    server.add(series('ADD', 2));
    server.add(series('XYZ', 1, 1));
    await until('the new station\'s 2 records', () => records.filter((r) => r.stationId === 'XX_ADD').length === 2);
    await until('the connection', () => client.stats.connected);
    expect(records.map((r) => r.stationId).sort()).toEqual(['XX_ABC', 'XX_ADD', 'XX_ADD']);
  });

  it('follows at once, by a v4 station pattern, a station that appears after it connected', async () => {
    const server = await serve('ringserver');
    server.add(series('ABC', 1));
    const { client, records } = connect(server, '', { relistMs: 0 });
    await until('1 record', () => records.length === 1);
    server.add(series('NEW', 2));
    await until('the new station\'s 2 records', () => records.filter((r) => r.stationId === 'XX_NEW').length === 2);
    expect(server.commands).toContain('STATION *_*');
    expect(client.stats.reconnects).toBe(0);
    expect(records).toHaveLength(3);
  });

  it('subscribes a named station the server does not list yet, and gets its records once they come', async () => {
    const server = await serve('ringserver');
    const { client, records } = connect(server, 'XX_NEW', { begin: 'next' });
    await until('the connection', () => client.stats.connected);
    server.add(series('NEW', 2));
    await until('2 records', () => records.length === 2);
    expect(server.commands).toContain('STATION XX_NEW');
  });

  it('reconnects after a server that does not answer, once it does', async () => {
    const server = await serve('ringserver');
    server.faults = { silent: true };
    server.add(series('ABC', 2));
    const { client, records, statuses } = connect(server, 'XX_ABC', { handshakeTimeoutMs: 100 });
    await until('a failed handshake', () => statuses.some((s) => /did not answer HELLO within 100 ms/.test(s)));
    server.faults = {};
    await until('2 records', () => records.length === 2);
    expect(client.stats.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('lists a server\'s stations and streams on request (INFO)', async () => {
    const server = await serve('seiscomp');
    server.add(series('ABC', 3));
    const info = await seedlinkInfo({ host: '127.0.0.1', port: server.port, stations: [] }, 'STATIONS');
    expect(info.software).toBe('SeedLink v3.3 (2024.020)');
    expect(info.stations.map((s) => [s.network, s.station, s.beginSeq, s.endSeq])).toEqual([['XX', 'ABC', '000001', '000003']]);
    await expect(seedlinkInfo({ host: '127.0.0.1', port: server.port, stations: [] }, 'NONSENSE')).rejects.toThrow(/refused INFO NONSENSE \(ERR record\)/);
  });
});

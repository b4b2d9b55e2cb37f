/**
 * `lacuna seedlink-info` against FakeSeedLinkServer (the SeedLink server test double written for
 * the collector's tests) speaking as SeisComP (3.1, XML INFO) and as ringserver (4.0, JSON INFO).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSeries } from '@lacuna/collector';
import { FakeSeedLinkServer } from '@lacuna/collector/testing';
import { parseTime } from '@lacuna/core';
import { lacuna } from './testing/run.ts';

const T0 = parseTime('2024-05-01T10:00:00Z');

/** `seconds` of 100 Hz data of XX.STATION..CHANNEL from T0, in 512-byte records. */
const series = (station: string, channel: string, seconds: number) =>
  encodeSeries({ network: 'XX', station, location: '', channel, start: T0, sampleRate: 100, totalSamples: seconds * 100 });

describe('lacuna seedlink-info', () => {
  const servers: FakeSeedLinkServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });
  const serve = async (identity: 'seiscomp' | 'ringserver') => {
    const server = await new FakeSeedLinkServer(identity).listen(0);
    servers.push(server);
    server.add(series('ABC', 'HHZ', 60));
    server.add(series('ABC', 'HHN', 30));
    server.add(series('DEF', 'HHZ', 10));
    return server;
  };

  it('lists the stations of a 3.1 server with their sequence range, and names the server on stderr', async () => {
    const server = await serve('seiscomp');
    const run = await lacuna('seedlink-info', `127.0.0.1:${server.port}`, '--format', 'json');
    expect(run.status).toBe(0);
    const stations = JSON.parse(run.stdout) as { network: string; station: string; begin_seq: string; end_seq: string }[];
    expect(stations.map((s) => `${s.network}_${s.station}`)).toEqual(['XX_ABC', 'XX_DEF']);
    expect(Number.parseInt(stations[0].begin_seq, 16)).toBeLessThan(Number.parseInt(stations[0].end_seq, 16));
    expect(run.stderr).toBe(`SeedLink server 127.0.0.1:${server.port}: SeedLink v3.3 (2024.020), Lacuna test double; 2 of 2 stations listed\n`);
  });

  it('lists the streams of the selected stations of a 4.0 server with the time each holds', async () => {
    const server = await serve('ringserver');
    const run = await lacuna('seedlink-info', `127.0.0.1:${server.port}/XX_A*`, '--streams', '--format', 'json');
    expect(run.status).toBe(0);
    const streams = JSON.parse(run.stdout) as Record<string, string>[];
    // ringserver's end is the last sample: 100 Hz from T0, so 0.01 s before the span's end.
    expect(streams.map(({ station, channel, start, end }) => [station, channel, start, end]).sort()).toEqual([
      ['ABC', 'HHN', '2024-05-01T10:00:00.000000Z', '2024-05-01T10:00:29.990000Z'],
      ['ABC', 'HHZ', '2024-05-01T10:00:00.000000Z', '2024-05-01T10:00:59.990000Z'],
    ]);
    expect(run.stderr).toContain('1 of 2 stations listed');
  });

  it('fails with one line naming the server when nothing answers there (exit 1)', async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const port = server.port;
    await server.stop();
    const run = await lacuna('seedlink-info', `127.0.0.1:${port}`, '--timeout', '5');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^lacuna: seedlink-info: SeedLink server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('refuses unusable arguments with one line naming them (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [[], /give exactly one server/],
      [['example.org:99999'], /bad SeedLink server "example.org:99999": port 99999 out of range/],
      [['example.org/IU_ANMO:BHZ'], /selectors \(NET_STA:SELECTOR\) choose data to follow/],
      [['example.org', '--timeout', '0'], /--timeout must be a positive number of seconds/],
      [['example.org', '--protocol', '5'], /--protocol must be one of auto, 3, 4/],
    ];
    for (const [args, message] of cases) {
      const run = await lacuna('seedlink-info', ...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });
});

import { seedlinkInfo } from '@lacuna/collector';
import type { SeedLinkInfo } from '@lacuna/collector';
import { parseSeedLinkAddress, type SeedLinkAddress } from '@lacuna/collector';
import { matchesChannel, parseChannelPatterns } from '@lacuna/core';
import { UsageError, choice, type CommandSpec } from '../args.ts';
import type { Io } from '../context.ts';
import { FORMATS, formatRows, type Column } from '../output.ts';

export const seedlinkInfoSpec: CommandSpec = {
  name: 'seedlink-info',
  summary: 'Ask a SeedLink server what it holds (INFO): its stations with their packet sequence range, or with --streams every stream and the time span it holds; to choose what --seedlink follows.',
  usage: 'lacuna seedlink-info HOST[:PORT][/NET_STA,...] [--streams] [--protocol auto|3|4] [--timeout SECONDS] [--format text|json|csv]',
  options: {
    streams: { type: 'boolean', description: 'list each station\'s streams (location, channel, type, first and last data) instead of the stations' },
    protocol: { type: 'string', value: 'auto|3|4', description: 'SeedLink protocol to speak (default auto: 4.0 when the server offers it)' },
    timeout: { type: 'string', value: 'SECONDS', description: 'give up when the server has not answered within this time (default 30)' },
    format: { type: 'string', value: 'text|json|csv', description: 'output format (default text)' },
  },
  details:
    'The port defaults to 18000. NET_STA may hold * and ? (GE_*, IU_A*): only those stations are listed. ' +
    'Stream times are as the server gives them (SeisComP: end = the time after the last sample; ringserver: the last sample).',
};

const STATION_COLUMNS: Column[] = [
  { key: 'network', kind: 'string' },
  { key: 'station', kind: 'string' },
  { key: 'description', kind: 'string' },
  { key: 'begin_seq', kind: 'string' },
  { key: 'end_seq', kind: 'string' },
];

const STREAM_COLUMNS: Column[] = [
  { key: 'network', kind: 'string' },
  { key: 'station', kind: 'string' },
  { key: 'location', kind: 'string' },
  { key: 'channel', kind: 'string' },
  { key: 'type', kind: 'string' },
  { key: 'start', kind: 'time' },
  { key: 'end', kind: 'time' },
];

function seconds(value: unknown): number {
  if (value === undefined) return 30;
  const number = Number(value);
  if (!(number > 0)) throw new UsageError(`seedlink-info: --timeout must be a positive number of seconds (got "${String(value)}")`);
  return number;
}

function server(address: SeedLinkAddress): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/** The stations of the answer that the address's NET_STA list names (all of them without one). */
function selectedStations(info: SeedLinkInfo, address: SeedLinkAddress): SeedLinkInfo['stations'] {
  if (address.stations.length === 0) return info.stations;
  const wanted = parseChannelPatterns(address.stations.map((selection) => `${selection.network}.${selection.station}`).join(','));
  return info.stations.filter((station) => matchesChannel(wanted, { network: station.network, station: station.station, location: '', channel: '' }));
}

export async function seedlinkInfoCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('seedlink-info: give exactly one server, HOST[:PORT][/NET_STA,...] (see lacuna seedlink-info --help)');
  let address: SeedLinkAddress;
  try {
    address = parseSeedLinkAddress(positionals[0]);
  } catch (error) {
    throw new UsageError(`seedlink-info: ${(error as Error).message}`);
  }
  if (address.stations.some((selection) => selection.selectors.length > 0)) {
    throw new UsageError('seedlink-info: selectors (NET_STA:SELECTOR) choose data to follow, not what to list; give NET_STA only, and --streams for the streams');
  }
  const format = choice('seedlink-info', 'format', values.format, FORMATS, 'text');
  const protocol = choice('seedlink-info', 'protocol', values.protocol, ['auto', '3', '4'] as const, 'auto');
  const timeoutMs = seconds(values.timeout) * 1000;
  const streams = Boolean(values.streams);

  let info: SeedLinkInfo;
  try {
    info = await seedlinkInfo(address, streams ? 'STREAMS' : 'STATIONS', { timeoutMs, protocol });
  } catch (error) {
    throw new Error(`seedlink-info: SeedLink server ${server(address)}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (info.error !== null) throw new Error(`seedlink-info: SeedLink server ${server(address)} refused INFO: ${info.error}`);
  const stations = selectedStations(info, address);
  io.stderr.write(`SeedLink server ${server(address)}: ${info.software || 'unnamed software'}${info.organization ? `, ${info.organization}` : ''}; ${stations.length} of ${info.stations.length} stations listed\n`);
  if (streams) {
    const rows = stations.flatMap((station) => station.streams.map((stream) => ({ network: station.network, station: station.station, ...stream })));
    io.stdout.write(formatRows(rows, STREAM_COLUMNS, format, 'no streams listed'));
  } else {
    const rows = stations.map((station) => ({
      network: station.network,
      station: station.station,
      description: station.description,
      begin_seq: station.beginSeq,
      end_seq: station.endSeq,
    }));
    io.stdout.write(formatRows(rows, STATION_COLUMNS, format, 'no stations listed'));
  }
  return 0;
}

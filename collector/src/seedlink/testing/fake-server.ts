/**
 * A SeedLink server for tests and benchmarks: a TEST DOUBLE, not a server to deploy. It follows
 * the "test double requirements" of the SeedLink 3 and 4 protocol descriptions: SeisComP-like (3.x only) and
 * ringserver-like (3.1 and 4.0) identities; HELLO, SLPROTO, USERAGENT, CAPABILITIES, BATCH,
 * STATION, SELECT, DATA/FETCH (sequence, ALL, time window), TIME, END, ENDFETCH, INFO (ID,
 * CAPABILITIES, STATIONS, STREAMS as v3 XML in SLINFO packets and as v4 JSON), BYE; per-station or
 * ring-wide sequence numbers with the 24-bit wrap of v3; and scripted faults: silence, a cut in
 * the middle of a packet, garbage between packets, malformed records, slow delivery, restarts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { globToRegExp } from '@lacuna/core';
import type { Micros } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import { parseRecordHeader } from '../../mseed/reader.ts';
import { encodeMseed2Record } from '../../mseed/writer.ts';
import { seedlinkV3Packet, seedlinkV4Packet } from './packets.ts';

export type Identity = 'seiscomp' | 'ringserver';

const HELLO: Record<Identity, string> = {
  seiscomp: 'SeedLink v3.3 (2024.020)',
  ringserver: 'SeedLink v4.0 (RingServer/4.5.3) :: SLPROTO:4.0 SLPROTO:3.1 CAP WS:13',
};

interface Packet {
  sequence: number;
  stationId: string;
  network: string;
  station: string;
  location: string;
  channel: string;
  start: Micros;
  /** Time of the sample after the last one. */
  end: Micros;
  record: Buffer;
}

export interface Faults {
  /** Accept connections and commands but never answer. */
  silent?: boolean;
  /** Write this many garbage bytes after every `every`-th packet sent. */
  garbage?: { every: number; bytes: number };
  /** After this many packets on a connection, send half of the next one and close; once. */
  cutMidPacketAfter?: number;
  /** Send the packets with these sequence numbers with a damaged miniSEED header. */
  corrupt?: ReadonlySet<number>;
  /** Send these with an impossible sample rate: factor and multiplier both −32768 (9.3e-10 Hz). */
  impossibleRate?: ReadonlySet<number>;
  /** Write at most `chunkBytes` at a time, `delayMs` apart. */
  slow?: { chunkBytes: number; delayMs: number };
}

interface Subscription {
  network: RegExp;
  station: RegExp;
  selectors: { negate: boolean; location: RegExp; channel: RegExp }[];
  /** First sequence to send; null: the packets the ring gets after the DATA command. */
  from: number | null;
  /** Ring length at the DATA command, where `from` null starts. */
  fromIndex: number;
  window: { start: Micros | null; end: Micros | null };
}

interface Connection {
  socket: Socket;
  version: 3 | 4;
  batch: boolean;
  transfer: boolean;
  dialUp: boolean;
  multi: boolean;
  pending: Subscription | null;
  subscriptions: Subscription[];
  sent: number;
  /** Bytes to send from `head` on; `data` marks data packets (what the faults count). */
  queue: { bytes: Buffer; data: boolean }[];
  head: number;
  writing: boolean;
  text: string;
}

const glob = (pattern: string) => globToRegExp(pattern, 'i');

/** `YYYY/MM/DD hh:mm:ss.ffff` (SeisComP) or ISO with six digits and Z (ringserver). */
function infoTime(identity: Identity, us: Micros): string {
  const iso = formatTime(us);
  return identity === 'seiscomp' ? `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 24)}` : iso;
}

/** A miniSEED 2 log record of 512 bytes carrying `text` (at most 448 bytes) as ASCII data. */
function logRecord(text: Buffer, channel: string, start: Micros): Buffer {
  const record = encodeMseed2Record({ network: 'XX', station: 'INFO', location: '', channel, start, sampleRate: 1, samples: 1 });
  record.writeUInt16BE(text.length, 30);
  record.writeUInt32BE(0, 32); // no sample rate
  record[52] = 0; // blockette 1000 encoding: ASCII text
  record.fill(0, 64);
  text.copy(record, 64);
  return record;
}

export class FakeSeedLinkServer {
  readonly ring: Packet[] = [];
  readonly commands: string[] = [];
  faults: Faults = {};
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly nextSequence = new Map<string, number>();
  private ringSequence: number;
  private cutDone = false;
  port = 0;

  constructor(
    readonly identity: Identity,
    private readonly options: { numbering?: 'station' | 'ring'; firstSequence?: number } = {},
  ) {
    this.ringSequence = options.firstSequence ?? 1;
  }

  /** Listens on 127.0.0.1 (`port` 0: a free port; the same port again after a restart). */
  async listen(port = this.port): Promise<this> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** Stops as a crash does: the listener closes and every connection is cut. The ring stays. */
  async stop(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * A crash that loses the newest `count` packets of the ring (ringserver comes back with its ring
   * as last synced): their sequence numbers go to the next packets added, as a restarted server
   * numbers on from what it kept.
   */
  rollBack(count: number): void {
    for (const packet of this.ring.splice(this.ring.length - count, count)) {
      if (this.options.numbering === 'ring') this.ringSequence = Math.min(this.ringSequence, packet.sequence);
      else this.nextSequence.set(packet.stationId, Math.min(this.nextSequence.get(packet.stationId) ?? Infinity, packet.sequence));
    }
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Adds records to the ring (numbering them) and sends them to the subscribers. */
  add(records: Iterable<Buffer>): void {
    for (const record of records) {
      const header = parseRecordHeader(record, 0, record.length);
      const stationId = `${header.network}_${header.station}`;
      let sequence: number;
      if (this.options.numbering === 'ring') {
        sequence = this.ringSequence++;
      } else {
        sequence = this.nextSequence.get(stationId) ?? this.options.firstSequence ?? 1;
        this.nextSequence.set(stationId, sequence + 1);
      }
      const packet: Packet = {
        sequence,
        stationId,
        network: header.network,
        station: header.station,
        location: header.location,
        channel: header.channel,
        start: header.start,
        end: header.start + Math.round((header.samples * 1e6) / header.sampleRate),
        record,
      };
      this.ring.push(packet);
      for (const connection of this.connections) {
        if (connection.transfer && !connection.dialUp && connection.subscriptions.some((sub) => (sub.from === null || sequence >= sub.from) && this.selects(sub, packet))) {
          this.send(connection, [this.frame(connection, packet)], true);
        }
      }
    }
  }

  private accept(socket: Socket): void {
    const connection: Connection = { socket, version: 3, batch: false, transfer: false, dialUp: false, multi: false, pending: null, subscriptions: [], sent: 0, queue: [], head: 0, writing: false, text: '' };
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      connection.text += chunk.toString('latin1');
      // CR, LF or CR LF end a command; empty lines are ignored.
      const lines = connection.text.split(/\r\n|\r|\n/);
      connection.text = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.command(connection, line.trim());
    });
  }

  private reply(connection: Connection, text: string): void {
    if (!this.faults.silent) connection.socket.write(`${text}\r\n`);
  }

  private error(connection: Connection, code: string, text: string): void {
    this.reply(connection, connection.version === 4 ? `ERROR ${code} ${text}` : 'ERROR');
  }

  private command(connection: Connection, line: string): void {
    this.commands.push(line);
    const [verb, ...args] = line.split(/\s+/);
    const command = verb.toUpperCase();
    if (connection.transfer && command !== 'INFO' && command !== 'BYE') return; // ignored during transfer
    switch (command) {
      case 'HELLO':
        this.reply(connection, HELLO[this.identity]);
        this.reply(connection, 'Lacuna test double');
        return;
      case 'SLPROTO':
        if (this.identity === 'ringserver' && args[0] === '4.0') {
          connection.version = 4;
          this.reply(connection, 'OK');
        } else this.error(connection, 'UNSUPPORTED', `protocol ${args[0] ?? ''}`);
        return;
      case 'USERAGENT':
        if (connection.version === 4) this.reply(connection, 'OK');
        else this.error(connection, 'UNSUPPORTED', 'USERAGENT');
        return;
      case 'CAPABILITIES':
      case 'BATCH':
        if (connection.version === 4) return this.error(connection, 'UNSUPPORTED', command);
        if (command === 'BATCH') connection.batch = true;
        this.reply(connection, 'OK');
        return;
      case 'STATION':
        return this.station(connection, args);
      case 'SELECT':
        return this.select(connection, args);
      case 'DATA':
      case 'FETCH':
      case 'TIME':
        return this.data(connection, command, args);
      case 'END':
      case 'ENDFETCH':
        if (command === 'ENDFETCH' && this.identity === 'seiscomp') return this.error(connection, 'UNSUPPORTED', command);
        if (connection.pending) connection.subscriptions.push(connection.pending);
        connection.pending = null;
        return this.startTransfer(connection, command === 'ENDFETCH' || connection.dialUp);
      case 'INFO':
        return this.info(connection, (args[0] ?? '').toUpperCase());
      case 'BYE':
        connection.socket.end();
        return;
      default:
        this.error(connection, 'UNSUPPORTED', command);
    }
  }

  private modifierOk(connection: Connection): void {
    if (!connection.batch) this.reply(connection, 'OK');
  }

  private station(connection: Connection, args: string[]): void {
    let network: string;
    let station: string;
    if (connection.version === 4) [network = '', station = ''] = (args[0] ?? '').split('_');
    else [station = '', network = '*'] = args;
    if (station === '') return this.error(connection, 'ARGUMENTS', 'STATION needs a station');
    if (connection.pending) connection.subscriptions.push(connection.pending);
    const sub: Subscription = { network: glob(network), station: glob(station), selectors: [], from: null, fromIndex: 0, window: { start: null, end: null } };
    const known = this.ring.some((p) => sub.network.test(p.network) && sub.station.test(p.station));
    // SeisComP knows its stations; ringserver takes any pattern.
    if (!known && this.identity === 'seiscomp') return this.error(connection, 'ARGUMENTS', `unknown station ${network}_${station}`);
    connection.multi = true;
    connection.pending = sub;
    this.modifierOk(connection);
  }

  private select(connection: Connection, args: string[]): void {
    const pattern = args[0];
    if (pattern === undefined) {
      if (connection.version === 4) return this.error(connection, 'ARGUMENTS', 'empty SELECT');
      if (connection.pending) connection.pending.selectors = [];
      return this.modifierOk(connection);
    }
    const negate = pattern.startsWith('!');
    const body = negate ? pattern.slice(1) : pattern;
    let location: string;
    let channel: string;
    if (connection.version === 4) {
      const [stream] = body.split(/[.:]/);
      const parts = stream.split('_');
      if (parts.length !== 4) return this.error(connection, 'ARGUMENTS', `bad selector ${pattern}`);
      location = parts[0];
      channel = parts.slice(1).join('');
    } else {
      const match = /^(?:([A-Z0-9?]{2}|--))?([A-Z0-9?]{3})(?:\.[DECTOL])?$/i.exec(body);
      if (!match) return this.error(connection, 'ARGUMENTS', `bad selector ${pattern}`);
      location = match[1] === undefined ? '*' : match[1] === '--' ? '' : match[1];
      channel = match[2];
    }
    const sub = connection.pending ?? (connection.pending = { network: glob('*'), station: glob('*'), selectors: [], from: null, fromIndex: 0, window: { start: null, end: null } });
    sub.selectors.push({ negate, location: glob(location), channel: glob(channel) });
    this.modifierOk(connection);
  }

  private parseTimeArgument(text: string | undefined): Micros | null {
    if (text === undefined) return null;
    const comma = /^(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2})$/.exec(text);
    const iso = comma ? `${comma[1]}-${comma[2].padStart(2, '0')}-${comma[3].padStart(2, '0')}T${comma[4].padStart(2, '0')}:${comma[5].padStart(2, '0')}:${comma[6].padStart(2, '0')}Z` : text;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : ms * 1000;
  }

  private data(connection: Connection, command: string, args: string[]): void {
    const sub = connection.pending ?? (connection.pending = { network: glob('*'), station: glob('*'), selectors: [], from: null, fromIndex: 0, window: { start: null, end: null } });
    if (command === 'TIME') {
      if (connection.version === 4) return this.error(connection, 'UNSUPPORTED', 'TIME');
      sub.from = 0;
      sub.window = { start: this.parseTimeArgument(args[0]), end: this.parseTimeArgument(args[1]) };
    } else {
      const [sequence, start, end] = args;
      const time = this.parseTimeArgument(start);
      sub.fromIndex = this.ring.length;
      if (sequence === undefined) sub.from = null;
      else if (sequence.toUpperCase() === 'ALL') sub.from = 0;
      else {
        const requested = connection.version === 4 ? Number(sequence) : parseInt(sequence, 16);
        // As ringserver: with a time, the packet before the one asked for must be the client's last
        // (same start second); else the ring is not the one the client read, and the time positions.
        sub.from = time !== null && !this.holdsLastPacket(sub, connection.version, requested, time) ? 0 : this.resumeFrom(sub, requested);
      }
      sub.window = { start: time, end: this.parseTimeArgument(end) };
      if (command === 'FETCH') connection.dialUp = true;
    }
    if (connection.multi) this.modifierOk(connection);
    else {
      // v3 uni-station: an action command, no answer; data starts.
      connection.subscriptions.push(sub);
      connection.pending = null;
      this.startTransfer(connection, connection.dialUp);
    }
  }

  /**
   * Where a requested sequence starts: that packet when the ring still has it, else the next one
   * after it (v3 numbers wrap at 24 bits, so they are compared within the station's window).
   */
  private resumeFrom(sub: Subscription, requested: number): number {
    if (this.options.numbering === 'ring') return requested;
    const packets = this.ring.filter((p) => sub.network.test(p.network) && sub.station.test(p.station));
    const exact = packets.find((p) => p.sequence === requested || (p.sequence & 0xffffff) === requested);
    return exact ? exact.sequence : requested;
  }

  /** Whether the ring holds, before sequence `requested`, a packet of the station starting in the second of `time`. */
  private holdsLastPacket(sub: Subscription, version: 3 | 4, requested: number, time: Micros): boolean {
    const before = (p: Packet) => (version === 4 ? p.sequence + 1 === requested : ((p.sequence + 1) & 0xffffff) === (requested & 0xffffff));
    const last = this.ring.find((p) => before(p) && sub.network.test(p.network) && sub.station.test(p.station));
    return last !== undefined && Math.floor(last.start / 1e6) === Math.floor(time / 1e6);
  }

  /** Whether a subscription selects a packet (station, window, selectors), whatever its sequence. */
  private selects(sub: Subscription, packet: Packet): boolean {
    if (!sub.network.test(packet.network) || !sub.station.test(packet.station)) return false;
    if (sub.window.start !== null && packet.end <= sub.window.start) return false;
    if (sub.window.end !== null && packet.start >= sub.window.end) return false;
    const positive = sub.selectors.filter((s) => !s.negate);
    const selected = positive.length === 0 || positive.some((s) => s.location.test(packet.location) && s.channel.test(packet.channel));
    return selected && !sub.selectors.some((s) => s.negate && s.location.test(packet.location) && s.channel.test(packet.channel));
  }

  private startTransfer(connection: Connection, dialUp: boolean): void {
    connection.transfer = true;
    connection.dialUp = dialUp;
    const backlog = this.ring.filter((packet, index) =>
      connection.subscriptions.some((sub) => (sub.from === null ? index >= sub.fromIndex : packet.sequence >= sub.from) && this.selects(sub, packet)),
    );
    this.send(connection, backlog.map((packet) => this.frame(connection, packet)), true);
    if (dialUp) this.send(connection, [Buffer.from('END', 'latin1')], false);
  }

  private frame(connection: Connection, packet: Packet): Buffer {
    let record = packet.record;
    if (this.faults.corrupt?.has(packet.sequence)) {
      record = Buffer.from(record);
      record.write('##', 6, 'latin1'); // no quality code, no header indicator: not a record
    }
    if (this.faults.impossibleRate?.has(packet.sequence)) {
      record = Buffer.from(record);
      record.writeInt16BE(-32768, 32);
      record.writeInt16BE(-32768, 34);
    }
    return connection.version === 3 ? seedlinkV3Packet(packet.sequence, record) : seedlinkV4Packet(packet.sequence, packet.stationId, record);
  }

  private send(connection: Connection, frames: Buffer[], data: boolean): void {
    if (this.faults.silent || frames.length === 0) return;
    for (const frame of frames) connection.queue.push({ bytes: frame, data });
    if (!connection.writing) void this.pump(connection);
  }

  /** Writes the connection's queue, with the faults, respecting TCP backpressure. */
  private async pump(connection: Connection): Promise<void> {
    connection.writing = true;
    const { socket } = connection;
    try {
      // An index, not shift(): a backlog of many thousand packets would make shift() quadratic.
      const take = () => {
        const entry = connection.queue[connection.head++];
        if (connection.head === connection.queue.length) {
          connection.queue = [];
          connection.head = 0;
        }
        return entry;
      };
      while (connection.head < connection.queue.length && !socket.destroyed) {
        const { bytes, data } = take();
        let frame = bytes;
        if (data && this.faults.cutMidPacketAfter !== undefined && !this.cutDone && connection.sent >= this.faults.cutMidPacketAfter) {
          this.cutDone = true;
          await this.write(socket, frame.subarray(0, frame.length >> 1));
          socket.destroy();
          return;
        }
        const garbage = this.faults.garbage;
        if (data && garbage && (connection.sent + 1) % garbage.every === 0) {
          const noise = Buffer.alloc(garbage.bytes);
          for (let i = 0; i < noise.length; i++) noise[i] = (i * 37 + 11) & 0xff;
          frame = Buffer.concat([frame, noise]);
        }
        if (data) connection.sent++;
        // Plain packets go out in large writes when no fault needs them apart.
        if (!this.faults.slow && !garbage && this.faults.cutMidPacketAfter === undefined) {
          const batch = [frame];
          let size = frame.length;
          while (connection.head < connection.queue.length && size < 256 * 1024) {
            const next = take();
            batch.push(next.bytes);
            size += next.bytes.length;
            if (next.data) connection.sent++;
          }
          frame = Buffer.concat(batch);
        }
        await this.write(socket, frame);
      }
    } finally {
      connection.writing = false;
    }
  }

  private async write(socket: Socket, bytes: Buffer): Promise<void> {
    const slow = this.faults.slow;
    const pieces: Buffer[] = [];
    if (slow) for (let i = 0; i < bytes.length; i += slow.chunkBytes) pieces.push(bytes.subarray(i, i + slow.chunkBytes));
    else pieces.push(bytes);
    for (const piece of pieces) {
      if (socket.destroyed) return;
      if (!socket.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            socket.off('drain', done).off('close', done);
            resolve();
          };
          socket.on('drain', done).on('close', done);
        });
      }
      if (slow) await new Promise((resolve) => setTimeout(resolve, slow.delayMs));
    }
  }

  // ---- INFO -------------------------------------------------------------------------------

  private stations(): Map<string, Packet[]> {
    const byStation = new Map<string, Packet[]>();
    for (const packet of this.ring) byStation.set(packet.stationId, [...(byStation.get(packet.stationId) ?? []), packet]);
    return byStation;
  }

  private info(connection: Connection, level: string): void {
    const known = ['ID', 'CAPABILITIES', 'STATIONS', 'STREAMS'];
    if (connection.version === 4) {
      const document: Record<string, unknown> = { software: HELLO[this.identity], organization: 'Lacuna test double' };
      if (!known.includes(level)) document.error = { code: 'ARGUMENTS', message: 'Unrecognized INFO item' };
      else if (level === 'CAPABILITIES') document.capability = ['SLPROTO:4.0', 'SLPROTO:3.1'];
      else if (level === 'STATIONS' || level === 'STREAMS') document.station = this.stationList(level === 'STREAMS', 4);
      const payload = Buffer.from(JSON.stringify(document), 'utf8');
      const header = Buffer.alloc(17);
      header.write(document.error ? 'SEJE' : 'SEJI', 0, 'latin1');
      header.writeUInt32LE(payload.length, 4);
      return this.send(connection, [Buffer.concat([header, payload])], false);
    }
    let xml = `<?xml version="1.0"?>\n<seedlink software="${HELLO[this.identity]}" organization="Lacuna test double" started="2024/05/01 10:00:00.0000">`;
    if (level === 'CAPABILITIES') xml += '<capability name="dialup"/><capability name="multistation"/><capability name="window-extraction"/><capability name="info:id"/><capability name="info:stations"/><capability name="info:streams"/>';
    if (level === 'STATIONS' || level === 'STREAMS') {
      for (const s of this.stationList(level === 'STREAMS', 3) as Record<string, unknown>[]) {
        const streams = (s.stream as Record<string, string>[] | undefined) ?? [];
        xml += `<station name="${s.name}" network="${s.network}" description="${s.description}" begin_seq="${s.begin_seq}" end_seq="${s.end_seq}" stream_check="enabled"${streams.length ? '>' : '/>'}`;
        for (const stream of streams) xml += `<stream location="${stream.location}" seedname="${stream.seedname}" type="D" begin_time="${stream.begin_time}" end_time="${stream.end_time}"/>`;
        if (streams.length) xml += '</station>';
      }
    }
    xml += '</seedlink>';
    // An unknown level: SeisComP answers with the root element on the ERR channel.
    const channel = known.includes(level) ? 'INF' : 'ERR';
    const text = Buffer.from(xml, 'latin1');
    const frames: Buffer[] = [];
    const room = 512 - 64;
    for (let at = 0; at < text.length || at === 0; at += room) {
      const last = at + room >= text.length;
      const header = Buffer.from(last ? 'SLINFO  ' : 'SLINFO *', 'latin1');
      frames.push(Buffer.concat([header, logRecord(text.subarray(at, at + room), channel, Date.UTC(2024, 4, 1) * 1000)]));
      if (last) break;
    }
    this.send(connection, frames, false);
  }

  private stationList(withStreams: boolean, version: 3 | 4): unknown[] {
    const list: unknown[] = [];
    for (const [stationId, packets] of this.stations()) {
      const first = packets[0];
      const last = packets[packets.length - 1];
      const seq = (n: number) => (this.identity === 'seiscomp' ? (n & 0xffffff).toString(16).toUpperCase().padStart(6, '0') : String(n));
      const streams = new Map<string, { location: string; channel: string; start: Micros; end: Micros; lastSample: Micros }>();
      for (const p of packets) {
        const key = `${p.location}.${p.channel}`;
        const known = streams.get(key);
        // SeisComP's end_time: after the last sample; ringserver's: the last sample (one period earlier).
        const samplePeriod = Math.round((p.end - p.start) / Math.max(1, parseRecordHeader(p.record, 0, p.record.length).samples));
        const lastSample = p.end - samplePeriod;
        if (known) {
          known.end = Math.max(known.end, p.end);
          known.lastSample = Math.max(known.lastSample, lastSample);
        } else streams.set(key, { location: p.location, channel: p.channel, start: p.start, end: p.end, lastSample });
      }
      if (version === 4) {
        list.push({
          id: stationId,
          description: `Station ID ${stationId}`,
          start_seq: first.sequence,
          end_seq: last.sequence + 1,
          ...(withStreams
            ? { stream: [...streams.values()].map((s) => ({ id: `${s.location}_${s.channel.split('').join('_')}`, format: '2', subformat: 'D', start_time: formatTime(s.start), end_time: formatTime(s.lastSample) })) }
            : {}),
        });
      } else {
        list.push({
          name: first.station,
          network: first.network,
          description: this.identity === 'seiscomp' ? 'Example' : `Station ID ${stationId}`,
          begin_seq: seq(first.sequence),
          // ringserver's end_seq is the next sequence (v3 and v4 alike); SeisComP's here the newest.
          end_seq: seq(this.identity === 'seiscomp' ? last.sequence : last.sequence + 1),
          stream: withStreams
            ? [...streams.values()].map((s) => ({
                location: s.location,
                seedname: s.channel,
                begin_time: infoTime(this.identity, s.start),
                end_time: infoTime(this.identity, this.identity === 'seiscomp' ? s.end : s.lastSample),
              }))
            : [],
        });
      }
    }
    return list;
  }
}

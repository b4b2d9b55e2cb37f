import { connect, type Socket } from 'node:net';
import { formatTime, globToRegExp } from '@lacuna/core';
import type { Micros } from '@lacuna/core';
import { backoffDelayMs, type Backoff } from '../live/backoff.ts';
import { parseRecordHeader, type MseedRecordHeader } from '../mseed/reader.ts';
import { infoRecordText, parseInfoJson, parseInfoXml, type SeedLinkInfo } from './info.ts';
import { chooseProtocol, dataCommand, FrameReader, nextPacket, parseHello, selectorV4, sequenceBefore, type Frame, type ResumePoint, type SeedLinkAddress, type ServerHello, type StationSelection } from './protocol.ts';

/** A data record as it arrived. */
export interface SeedLinkRecord {
  header: MseedRecordHeader;
  /** `NET_STA`. */
  stationId: string;
  sequence: bigint;
  /** When the bytes carrying it were read from the socket. */
  receivedAt: Micros;
}

export interface SeedLinkClientOptions {
  address: SeedLinkAddress;
  /** Protocol: 4.0 when the server offers it (auto, the default), or 3.1 or 4.0 only. */
  protocol?: 'auto' | '3' | '4';
  /** `INFO ID` sent this often during transfer, as libslink's keepalive (default 30 s; 0: never). */
  keepaliveMs?: number;
  /** No byte for this long ends the connection, and the client reconnects (default 120 s). */
  idleTimeoutMs?: number;
  /** Longest wait for an answer while connecting and subscribing (default 30 s). */
  handshakeTimeoutMs?: number;
  /**
   * How often the server's stations are listed again (INFO STATIONS on a connection of its own),
   * so that stations appearing later are followed (default 60 s; 0: never).
   */
  relistMs?: number;
  /** Waits between connection attempts: exponential from `initialMs` to `maxMs`, with jitter (default 1 s to 60 s). */
  backoff?: Backoff;
  userAgent?: string;
  /** The receipt time of the bytes read, µs (default the system clock; tests pin it). */
  clock?: () => Micros;
  /**
   * Where a station without a sequence to resume from starts: with the next packet the server gets
   * (`next`, the default: live monitoring) or the oldest the server holds (`oldest`, DATA ALL).
   */
  begin?: 'next' | 'oldest';
  onRecord(record: SeedLinkRecord): void;
  /** A packet or bytes that could not be read: skipped, the connection goes on. */
  onMalformed?(why: string): void;
  /** The server's INFO STREAMS answer, at each connection. */
  onInfo?(info: SeedLinkInfo): void;
  /** A station the server could not resume where asked (counted in `stats.resumeFailures`). */
  onResumeFailure?(why: string): void;
  onStatus?(connected: boolean, message: string): void;
}

export interface SeedLinkClientStats {
  connected: boolean;
  packets: number;
  bytes: number;
  malformed: number;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Stations the server could not resume where asked (its ring no longer held the packet after the last one received). */
  resumeFailures: number;
}

const systemClock = (): Micros => Math.round((performance.timeOrigin + performance.now()) * 1000);

class ConnectionClosed extends Error {}

/**
 * One conversation on a socket during the handshake: commands out, reply lines and INFO packets
 * in, each wait bounded by `timeoutMs`.
 */
class Conversation {
  private wake: (() => void) | null = null;
  private closedError: Error | null = null;

  constructor(
    readonly socket: Socket,
    readonly reader: FrameReader,
    private readonly timeoutMs: number,
    private readonly what: string,
  ) {}

  /** The socket got bytes (already pushed into the reader), or closed. */
  notify(closed?: Error): void {
    if (closed) this.closedError = closed;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  send(command: string): void {
    this.socket.write(`${command}\r\n`);
  }

  private async waitFor<T>(take: () => T | null, waitingFor: string): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const value = take();
      if (value !== null) return value;
      if (this.closedError) throw new ConnectionClosed(`${this.what} closed the connection while we waited for ${waitingFor} (${this.closedError.message})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.what} did not answer ${waitingFor} within ${this.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  line(waitingFor: string): Promise<string> {
    return this.waitFor(() => {
      for (;;) {
        const line = this.reader.line();
        if (line === null || line !== '') return line;
      }
    }, waitingFor);
  }

  async hello(): Promise<ServerHello> {
    this.send('HELLO');
    const line1 = await this.line('HELLO');
    const line2 = await this.line('HELLO (line 2)');
    return parseHello(line1, line2);
  }

  /** Sends `INFO level` and reads the answer: v3 SLINFO packets (XML), v4 a JSON packet. */
  async info(level: string, version: 3 | 4): Promise<SeedLinkInfo> {
    this.send(`INFO ${level}`);
    let xml = '';
    for (;;) {
      const frame = await this.waitFor<Frame | { kind: 'refused'; text: string }>(() => {
        if (this.reader.buffered >= 2 && !this.reader.packetAhead()) {
          const text = this.reader.line();
          return text === null ? null : { kind: 'refused', text };
        }
        return this.reader.next();
      }, `INFO ${level}`);
      if (frame.kind === 'refused') throw new Error(`${this.what} refused INFO ${level}: ${frame.text.trim() || '(no reason given)'}`);
      if (frame.kind !== 'info') continue;
      if (frame.version === 4) {
        const info = parseInfoJson(frame.payload.toString('utf8'));
        if (frame.error || info.error) throw new Error(`${this.what} refused INFO ${level}: ${info.error ?? 'error'}`);
        return info;
      }
      const header = parseRecordHeader(frame.payload, 0, frame.payload.length);
      if (header.channel === 'ERR') throw new Error(`${this.what} refused INFO ${level} (ERR record)`);
      xml += infoRecordText(frame.payload);
      if (frame.last) return parseInfoXml(xml);
    }
  }
}

function describe(address: SeedLinkAddress): string {
  return `SeedLink server ${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/** Connects, says HELLO, and returns the server's INFO answer at `level` (ID, STATIONS, STREAMS…). */
export async function seedlinkInfo(address: SeedLinkAddress, level: string, options: { timeoutMs?: number; protocol?: 'auto' | '3' | '4' } = {}): Promise<SeedLinkInfo> {
  const socket = connect({ host: address.host, port: address.port });
  const reader = new FrameReader(() => version);
  let version: 3 | 4 = 3;
  const conversation = new Conversation(socket, reader, options.timeoutMs ?? 30_000, describe(address));
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    conversation.notify();
  });
  socket.on('error', (error) => conversation.notify(error));
  socket.on('close', () => conversation.notify(new Error('closed')));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const hello = await conversation.hello();
    version = chooseProtocol(hello, options.protocol ?? 'auto');
    if (version === 4) {
      conversation.send('SLPROTO 4.0');
      const reply = await conversation.line('SLPROTO 4.0');
      if (reply !== 'OK') throw new Error(`${describe(address)} refused SLPROTO 4.0: ${reply}`);
    }
    return await conversation.info(level, version);
  } finally {
    socket.end('BYE\r\n');
    socket.destroy();
  }
}

/**
 * A SeedLink client that stays connected: it speaks 4.0 when the server offers it and 3.1
 * otherwise, lists the server's streams (INFO STREAMS) at each connection, subscribes the chosen
 * stations and selectors, and hands every data record to `onRecord` as its packet arrives. After a
 * disconnection it reconnects with exponential backoff and jitter, and resumes every station from
 * the packet after the last one received (libslink's rule: last sequence + 1), so a server restart
 * or a connection cut in the middle of a packet loses nothing the server still holds. Malformed
 * packets and stray bytes are skipped and reported; they never end the connection. Packets are
 * parsed as they come off the socket, a chunk at a time, so the event loop is never held long.
 */
export class SeedLinkClient {
  readonly stats: SeedLinkClientStats = { connected: false, packets: 0, bytes: 0, malformed: 0, reconnects: 0, resumeFailures: 0 };
  /** Per station (`NET_STA`), the last packet received: where it resumes. */
  readonly resumePoints = new Map<string, ResumePoint>();
  /** Stations resumed on this connection, with the sequence asked for, until their first packet. */
  private readonly resuming = new Map<string, bigint>();
  /** The stations subscribed on this connection (`NET_STA`, or a pattern the server did not list yet). */
  private subscribed = new Set<string>();
  /** The stations of the first subscription: any other is new since, and starts with its oldest packet. */
  private firstStations: Set<string> | null = null;
  /** A re-list found new stations: reconnect now rather than after a backoff. */
  private resubscribe = false;
  private socket: Socket | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private cancelWait: (() => void) | null = null;
  private version: 3 | 4 = 3;
  private paused = false;
  readonly name: string;

  private readonly now: () => Micros;

  constructor(private readonly options: SeedLinkClientOptions) {
    this.name = describe(options.address);
    this.now = options.clock ?? systemClock;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    const socket = this.socket;
    if (socket) {
      socket.end('BYE\r\n');
      socket.destroy();
    }
    await this.running;
  }

  /** Stops reading from the socket (backpressure: the server's sending is held by TCP). */
  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  private status(connected: boolean, message: string): void {
    this.stats.connected = connected;
    this.options.onStatus?.(connected, message);
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    let attempt = 0;
    while (!this.stopped) {
      const before = this.stats.packets;
      try {
        await this.session();
        if (!this.stopped) this.status(false, this.resubscribe ? `${this.name}: connecting again to subscribe the new stations` : `${this.name} closed the connection`);
      } catch (error) {
        if (!this.stopped) this.status(false, `${this.name}: ${(error as Error).message}`);
      }
      if (this.stopped) break;
      if (this.stats.packets > before) attempt = 0;
      const wait = this.resubscribe ? 0 : backoffDelayMs(attempt++, backoff);
      this.resubscribe = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.cancelWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelWait = null;
      if (!this.stopped) this.stats.reconnects++;
    }
    this.status(false, `${this.name}: stopped`);
  }

  /** One connection, from connect to close. */
  private async session(): Promise<void> {
    const { address } = this.options;
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    this.socket = socket;
    const reader = new FrameReader(() => this.version);
    const conversation = new Conversation(socket, reader, this.options.handshakeTimeoutMs ?? 30_000, this.name);
    let transfer = false;
    let lastByte = Date.now();
    let infoOutstanding = false;
    let ended: (error?: Error) => void = () => undefined;
    const closed = new Promise<void>((resolve, reject) => {
      ended = (error?: Error) => (error ? reject(error) : resolve());
    });
    closed.catch(() => undefined);
    socket.on('data', (chunk: Buffer) => {
      lastByte = Date.now();
      this.stats.bytes += chunk.length;
      reader.push(chunk);
      if (!transfer) conversation.notify();
      else infoOutstanding = this.drain(reader, this.now(), infoOutstanding);
    });
    let socketError: Error | undefined;
    socket.on('error', (error) => {
      socketError = error;
    });
    socket.on('close', () => {
      conversation.notify(socketError ?? new Error('closed'));
      ended(socketError);
    });
    const timers: NodeJS.Timeout[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      await this.handshake(conversation);
      transfer = true;
      if (this.paused) socket.pause();
      infoOutstanding = this.drain(reader, this.now(), infoOutstanding);
      const idleMs = this.options.idleTimeoutMs ?? 120_000;
      timers.push(
        setInterval(() => {
          if (Date.now() - lastByte > idleMs && !this.paused) socket.destroy(new Error(`nothing received for ${idleMs} ms`));
        }, Math.min(1000, idleMs / 4)),
      );
      const relistMs = this.options.relistMs ?? 60_000;
      if (relistMs > 0) {
        let listing = false;
        timers.push(
          setInterval(() => {
            if (listing) return;
            listing = true;
            void this.relist(socket).finally(() => (listing = false));
          }, relistMs),
        );
      }
      const keepaliveMs = this.options.keepaliveMs ?? 30_000;
      if (keepaliveMs > 0) {
        timers.push(
          setInterval(() => {
            if (infoOutstanding) return;
            infoOutstanding = true;
            socket.write('INFO ID\r\n');
          }, keepaliveMs),
        );
      }
      await closed;
    } finally {
      for (const timer of timers) clearInterval(timer);
      socket.destroy();
      this.socket = null;
    }
  }

  private async handshake(conversation: Conversation): Promise<void> {
    const hello = await conversation.hello();
    this.version = chooseProtocol(hello, this.options.protocol ?? 'auto');
    if (this.version === 4) {
      conversation.send('SLPROTO 4.0');
      const reply = await conversation.line('SLPROTO 4.0');
      if (reply !== 'OK') throw new Error(`refused SLPROTO 4.0: ${reply}`);
      conversation.send(`USERAGENT ${this.options.userAgent ?? 'lacuna/0.1'}`);
      await conversation.line('USERAGENT');
    }
    let info: SeedLinkInfo | null = null;
    this.resuming.clear();
    try {
      info = await conversation.info('STREAMS', this.version);
      this.options.onInfo?.(info);
    } catch (error) {
      if (error instanceof ConnectionClosed) throw error;
      // Servers may refuse INFO STREAMS to untrusted clients: named stations do without it.
      if (this.options.address.stations.length === 0) throw new Error(`no stations named and the server does not list them: ${(error as Error).message}`);
    }
    const stations = this.subscriptions(info);
    if (stations.length === 0) throw new Error('the server lists no station');
    this.subscribed = new Set(stations.map((selection) => `${selection.network}_${selection.station}`));
    this.firstStations ??= this.subscribed;
    // The oldest data the server lists of each station (INFO STREAMS), where a station read from its oldest packet starts.
    const oldestData = new Map<string, Micros>();
    for (const station of info?.stations ?? []) {
      const starts = station.streams.map((stream) => stream.start).filter((start) => start !== null);
      if (starts.length > 0) oldestData.set(`${station.network}_${station.station}`, Math.min(...starts));
    }
    const commands: string[] = [];
    for (const selection of stations) {
      const id = `${selection.network}_${selection.station}`;
      commands.push(this.version === 4 ? `STATION ${id}` : `STATION ${selection.station} ${selection.network}`);
      for (const selector of selection.selectors) commands.push(`SELECT ${this.version === 4 ? selectorV4(selector) : selector}`);
      const resume = this.resumePoints.get(id);
      // A station that appeared after the first subscription: all the server holds of it is new since.
      commands.push(dataCommand(this.version, resume, this.firstStations.has(id) ? (this.options.begin ?? 'next') : 'oldest', oldestData.get(id) ?? null));
      if (resume !== undefined) this.resuming.set(id, resume.sequence + 1n);
    }
    // v4 takes patterns in STATION, stations matched before left out: the patterns asked for (every
    // station when none is named) bring stations that appear later at once, before a re-list finds them.
    const patterns = this.version === 4 ? (this.options.address.stations.length === 0 ? [{ network: '*', station: '*', selectors: [] }] : this.options.address.stations.filter((s) => /[*?]/.test(`${s.network}${s.station}`))) : [];
    const patternStations = new Set<string>();
    for (const pattern of patterns) {
      const id = `${pattern.network}_${pattern.station}`;
      if (this.subscribed.has(id)) continue;
      patternStations.add(`STATION ${id}`);
      commands.push(`STATION ${id}`, ...pattern.selectors.map((selector) => `SELECT ${selectorV4(selector)}`), 'DATA');
    }
    if (info !== null) this.checkResumable(info, hello);
    // Pipelined, then the replies in order: a round trip for all rather than one per command.
    conversation.socket.write(commands.map((command) => `${command}\r\n`).join(''));
    const refused: string[] = [];
    let accepted = 0;
    for (const command of commands) {
      const reply = await conversation.line(command);
      if (reply !== 'OK') refused.push(`${command}: ${reply}`);
      else if (command.startsWith('STATION') && !patternStations.has(command)) accepted++;
    }
    if (accepted === 0) throw new Error(`the server refused every station (${refused.join('; ')})`);
    if (refused.length > 0) this.options.onMalformed?.(`${this.name} refused ${refused.join('; ')}`);
    conversation.send('END');
    this.status(true, `connected to ${this.name} (SeedLink ${this.version === 4 ? '4.0' : '3.1'}, ${accepted} station${accepted === 1 ? '' : 's'})`);
  }

  /**
   * Lists the server's stations on a connection of its own (the data connection stays in
   * transfer, where servers may not answer INFO STATIONS); when stations to follow appeared that
   * this connection does not subscribe, ends it, so that the next one subscribes them too (every
   * station resumes where it was: nothing is lost).
   */
  private async relist(socket: Socket): Promise<void> {
    let info: SeedLinkInfo;
    try {
      info = await seedlinkInfo(this.options.address, 'STATIONS', { timeoutMs: this.options.handshakeTimeoutMs, protocol: this.options.protocol });
    } catch {
      return; // a server that does not list, or is away: the data connection says what matters
    }
    const fresh = this.subscriptions(info)
      .map((selection) => `${selection.network}_${selection.station}`)
      .filter((id) => !this.subscribed.has(id));
    if (fresh.length === 0 || socket.destroyed || this.stopped) return;
    this.options.onStatus?.(true, `${this.name} lists ${fresh.length} new station${fresh.length === 1 ? '' : 's'} to follow (${fresh.slice(0, 5).join(', ')}${fresh.length > 5 ? ', …' : ''}): subscribing again`);
    this.resubscribe = true;
    socket.end('BYE\r\n');
    socket.destroy();
  }

  /**
   * Stations to resume whose last packet the server no longer holds, by its INFO answer: its ring
   * ends before it (reset or rolled back after a crash), or starts after it (overwritten), or has
   * nothing of the station. The server then goes by the time sent with DATA, or starts with its
   * next packet (servers that take no time): counted and said, since data may be lost.
   */
  private checkResumable(info: SeedLinkInfo, hello: ServerHello): void {
    // Sequence numbers in INFO: decimal (v4, ringserver) or six hex digits (SeisComP v3).
    const hex = this.version === 3 && !/ringserver/i.test(hello.software);
    const read = (text: string): bigint | null => (/^[0-9a-f]+$/i.test(text) && (hex || /^\d+$/.test(text)) ? BigInt(hex ? `0x${text}` : text) : null);
    const listed = new Map(info.stations.map((station) => [`${station.network}_${station.station}`, station]));
    for (const [id, wanted] of this.resuming) {
      const last = wanted - 1n;
      const station = listed.get(id);
      const begin = station ? read(station.beginSeq) : null;
      const end = station ? read(station.endSeq) : null;
      let why: string | null = null;
      if (station === undefined) why = 'it lists nothing of the station';
      else if (begin === null || end === null) continue;
      // ringserver's end_seq is the next sequence, SeisComP's may be the newest: either way the newest is below `last` here.
      else if (sequenceBefore(this.version, end, last)) why = `its ring ends at ${station.endSeq}`;
      else if (sequenceBefore(this.version, last, begin)) why = `its ring starts at ${station.beginSeq}`;
      if (why !== null) this.resumeFailed(id, `${why}, before or after packet ${last} received last`);
    }
  }

  private resumeFailed(id: string, why: string): void {
    this.resuming.delete(id);
    this.stats.resumeFailures++;
    const point = this.resumePoints.get(id)!;
    const by = point.time !== null ? `by time from ${formatTime(point.time)}` : 'with its next packet (no time known)';
    this.options.onResumeFailure?.(`${this.name} could not resume ${id} at sequence ${point.sequence + 1n}: ${why}; it resumes ${by}, and data it took in meanwhile may be lost`);
  }

  /**
   * The stations to subscribe: those named, a wildcard expanded from the server's list when it
   * gave one and it matches there (so each station resumes from its own sequence), else as named
   * (the server may get the station later); or every station listed when none is named.
   */
  private subscriptions(info: SeedLinkInfo | null): StationSelection[] {
    const named = this.options.address.stations;
    if (info === null) return named;
    const listed = info.stations.map((station) => ({ network: station.network, station: station.station }));
    if (named.length === 0) return listed.map((station) => ({ ...station, selectors: [] }));
    const result: StationSelection[] = [];
    const seen = new Set<string>();
    for (const selection of named) {
      const net = globToRegExp(selection.network);
      const sta = globToRegExp(selection.station);
      const matching = listed.filter((station) => net.test(station.network) && sta.test(station.station));
      for (const station of matching.length > 0 ? matching : [selection]) {
        const id = `${station.network}_${station.station}`;
        if (seen.has(id)) continue;
        seen.add(id);
        result.push({ network: station.network, station: station.station, selectors: selection.selectors });
      }
    }
    return result;
  }

  /** Reads every complete frame; returns whether an INFO (keepalive) answer is still outstanding. */
  private drain(reader: FrameReader, receivedAt: Micros, infoOutstanding: boolean): boolean {
    for (;;) {
      const packet = nextPacket(reader);
      if (packet === null) return infoOutstanding;
      switch (packet.kind) {
        case 'record': {
          const { sequence, stationId, header } = packet;
          const wanted = this.resuming.get(stationId);
          if (wanted !== undefined) {
            this.resuming.delete(stationId);
            // A server resuming where asked sends that packet first, or a later one (ring-wide numbering skips);
            // an earlier one means it went by the time instead: it no longer had the packet asked for.
            if (sequenceBefore(this.version, sequence, wanted)) this.resumeFailed(stationId, `it sent packet ${sequence} first`);
          }
          this.resumePoints.set(stationId, { sequence, time: header.start });
          this.subscribed.add(stationId); // a station a pattern brought: no re-list needs to subscribe it
          this.stats.packets++;
          this.options.onRecord({ header, stationId, sequence, receivedAt });
          break;
        }
        case 'skipped':
          if (packet.stationId !== '') this.passed(packet.stationId, packet.sequence);
          this.malformed(`packet ${packet.sequence}${packet.stationId ? ` of ${packet.stationId}` : ''} skipped: ${packet.why}`);
          break;
        case 'other':
          this.passed(packet.stationId, packet.sequence);
          break;
        case 'info':
          if (packet.last) infoOutstanding = false;
          break;
        case 'garbage':
          this.malformed(`${packet.bytes} byte${packet.bytes === 1 ? '' : 's'} that are no SeedLink packet skipped`);
          break;
        case 'line':
          this.malformed(`the server said: ${packet.text}`);
          break;
        case 'end':
          // The server finished a transfer it will not continue: reconnect (resuming) later.
          this.socket?.end();
          break;
      }
    }
  }

  /** A packet of the station that carries no record to keep: resuming goes on after it, from the same time. */
  private passed(stationId: string, sequence: bigint): void {
    this.resuming.delete(stationId);
    this.resumePoints.set(stationId, { sequence, time: this.resumePoints.get(stationId)?.time ?? null });
  }

  private malformed(why: string): void {
    this.stats.malformed++;
    this.options.onMalformed?.(`${this.name}: ${why}`);
  }
}

/**
 * SeedLink 3.1 and 4.0, the parts a monitoring client needs (facts from the protocol digest in
 * the SeedLink 3 and 4 protocol descriptions): the HELLO answer, selectors, the server address option, and the
 * framing of the byte stream into packets.
 */
import { utcFields, type Micros } from '@lacuna/core';
import { MAX_V3_RECORD_LENGTH, parseRecordHeader, type MseedRecordHeader } from '../mseed/reader.ts';

export const DEFAULT_SEEDLINK_PORT = 18000;

/** What HELLO says about the server. */
export interface ServerHello {
  /** Line 1, e.g. `SeedLink v4.0 (RingServer/4.5.3) :: SLPROTO:4.0 SLPROTO:3.1 CAP WS:13`. */
  software: string;
  /** Line 2. */
  organization: string;
  /** Protocol versions offered (`SLPROTO:A.B` tokens); empty for a 3.x server that lists none. */
  protocols: string[];
}

export function parseHello(line1: string, line2: string): ServerHello {
  // A web server answers HELLO with an error page: `seedlink-info` of an HTTP port said "refused INFO STATIONS: ".
  if (/^HTTP\/\d/.test(line1)) throw new Error(`not a SeedLink server: it answered HELLO as a web server does ("${line1.trim()}"); SeedLink listens on port 18000 unless told otherwise`);
  const [, capabilities = ''] = line1.split('::');
  const protocols = capabilities
    .trim()
    .split(/\s+/)
    .filter((token) => token.startsWith('SLPROTO:'))
    .map((token) => token.slice('SLPROTO:'.length));
  return { software: line1, organization: line2, protocols };
}

/** The protocol to speak: 4.0 when the server offers it (and it is allowed), else 3.1. */
export function chooseProtocol(hello: ServerHello, allowed: 'auto' | '3' | '4'): 3 | 4 {
  const offers4 = hello.protocols.includes('4.0');
  if (allowed === '4' && !offers4) throw new Error(`server "${hello.software}" does not offer SeedLink 4.0 (it offers ${hello.protocols.join(', ') || '3.x only'})`);
  return allowed !== '3' && offers4 ? 4 : 3;
}

/** One station to subscribe (`NET_STA`, `*` and `?` allowed) and its selectors (v3 form). */
export interface StationSelection {
  network: string;
  station: string;
  /** v3 selectors `[!][LL]CCC[.T]`; empty: all streams of the station. */
  selectors: string[];
}

/** Where a station resumes: the last packet received, its sequence and the first sample of its data. */
export interface ResumePoint {
  sequence: bigint;
  /** The start of the packet's data; null when unknown (a packet that is no data record, an old state file). */
  time: Micros | null;
}

/** A DATA time argument: whole seconds, rounded down; v4 ISO, v3 comma-separated. */
function dataTime(version: 3 | 4, time: Micros): string {
  const f = utcFields(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return version === 4
    ? `${String(f.year).padStart(4, '0')}-${two(f.month)}-${two(f.day)}T${two(f.hour)}:${two(f.minute)}:${two(f.second)}Z`
    : `${f.year},${two(f.month)},${two(f.day)},${two(f.hour)},${two(f.minute)},${two(f.second)}`;
}

/**
 * The DATA command of a station: from the packet after the last one received and, as libslink
 * does, with the last packet's time, by which a server positions when its ring no longer holds
 * that sequence (ringserver checks the packet at the sequence has that start second, else goes by
 * the time); without a resume point, from the next packet or (`oldest`) the oldest it holds, from
 * `oldestData` on when it is known (v4: ringserver 4.5 takes `DATA ALL` of a station as the next
 * packet, and positions by a time given with it). Times are whole seconds, rounded down (what
 * both protocols' DATA takes): a resumed station may get its last packet again, never miss one.
 */
export function dataCommand(version: 3 | 4, resume: ResumePoint | undefined, begin: 'next' | 'oldest', oldestData: Micros | null = null): string {
  if (resume === undefined) {
    if (begin === 'next') return 'DATA';
    return version === 4 && oldestData !== null ? `DATA ALL ${dataTime(4, oldestData)}` : 'DATA ALL';
  }
  const next = resume.sequence + 1n;
  const sequence = version === 4 ? next.toString() : (next & 0xffffffn).toString(16).toUpperCase().padStart(6, '0');
  return resume.time === null ? `DATA ${sequence}` : `DATA ${sequence} ${dataTime(version, resume.time)}`;
}

/**
 * Whether a 24-bit (v3) or 64-bit (v4) sequence `a` comes before `b`: v3 numbers wrap, so within
 * half the range ahead of `a`.
 */
export function sequenceBefore(version: 3 | 4, a: bigint, b: bigint): boolean {
  if (version === 4) return a < b;
  const ahead = (b - a) & 0xffffffn;
  return ahead !== 0n && ahead < 0x800000n;
}

/** Where to connect and what to subscribe; no stations: every station the server lists. */
export interface SeedLinkAddress {
  host: string;
  port: number;
  stations: StationSelection[];
}

const SELECTOR = /^(!?)(?:([A-Za-z0-9?]{2}|--))?([A-Za-z0-9?]{3})(?:\.([DECTOL]))?$/;
const CODE_PATTERN = /^[A-Za-z0-9*?]+$/;

/** Checks a v3 selector; throws naming it. */
export function checkSelector(selector: string): string {
  if (!SELECTOR.test(selector)) {
    throw new Error(`bad SeedLink selector "${selector}": expected [!][LL]CCC[.T], e.g. BHZ, 00BH?, --HHZ.D, !LOG`);
  }
  return selector;
}

/**
 * A v3 selector in the v4 form `LOC_B_S_SS`: `00BHZ` → `00_B_H_Z`, `BHZ` (any location) →
 * `*_B_H_Z`, `--BHZ` (empty location) → `_B_H_Z`. The type suffix is dropped: this client keeps
 * only data records whatever their packet type.
 */
export function selectorV4(selector: string): string {
  const match = SELECTOR.exec(checkSelector(selector))!;
  const [, negation, location, channel] = match;
  const loc = location === undefined ? '*' : location === '--' ? '' : location;
  return `${negation}${loc}_${channel[0]}_${channel[1]}_${channel[2]}`;
}

/**
 * Parses `HOST:PORT[/SELECTION]` (the `--seedlink` option): SELECTION is a comma-separated list of
 * `NET_STA[:SELECTOR[:SELECTOR…]]`, e.g. `127.0.0.1:18000/IU_ANMO:00BHZ:10BHZ,GE_*`. The port
 * defaults to 18000; no selection subscribes every station the server lists. Throws naming the
 * option text and the fault.
 */
export function parseSeedLinkAddress(text: string): SeedLinkAddress {
  const bad = (why: string) => new Error(`bad SeedLink server "${text}": ${why} (expected HOST:PORT[/NET_STA[:SELECTOR…],…], e.g. 127.0.0.1:18000/IU_ANMO:BHZ)`);
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const selection = slash < 0 ? '' : text.slice(slash + 1);
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(address);
  if (!match) throw bad('no host');
  const port = match[3] === undefined ? DEFAULT_SEEDLINK_PORT : Number(match[3]);
  if (port < 1 || port > 65535) throw bad(`port ${port} out of range`);
  const stations: StationSelection[] = [];
  for (const item of selection === '' ? [] : selection.split(',')) {
    const [id, ...selectors] = item.split(':');
    const parts = id.split('_');
    if (parts.length !== 2 || !parts.every((part) => CODE_PATTERN.test(part))) throw bad(`station "${id}" is not NET_STA`);
    try {
      stations.push({ network: parts[0], station: parts[1], selectors: selectors.map(checkSelector) });
    } catch (error) {
      throw bad((error as Error).message);
    }
  }
  return { host: match[1] ?? match[2], port, stations };
}

// ---------------------------------------------------------------------------------------------
// Framing

/** What the byte stream holds next. */
export type Frame =
  /** A data packet: `payload` is its miniSEED record (a view into the reader's buffer, valid until the next call). */
  | { kind: 'data'; sequence: bigint; stationId: string; format: 2 | 3; payload: Buffer; size: number }
  /** A v3 INFO packet (`last` for `SLINFO  `) or a v4 JSON/XML INFO packet (`error` for J/E). */
  | { kind: 'info'; version: 3 | 4; last: boolean; error: boolean; payload: Buffer }
  /** A packet of another kind (v4 XML, event, calibration…): skipped. */
  | { kind: 'other'; sequence: bigint; stationId: string }
  /** The server's 3-byte END after a dial-up or time-window transfer. */
  | { kind: 'end' }
  /** A text line during transfer (an ERROR). */
  | { kind: 'line'; text: string }
  /** Bytes that are no packet, skipped to the next packet header. */
  | { kind: 'garbage'; bytes: number };

const S = 0x53;
const L = 0x4c;
const E = 0x45;
const V3_PACKET = 8 + 512;
const V4_HEADER = 17;
const V4_FORMATS = new Set([0x32, 0x33, 0x4a, 0x58]); // 2 3 J X

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

/**
 * Buffers the bytes of a connection and cuts them into lines (handshake) and packets (transfer).
 * Bytes are appended into one growing buffer and parsed in place; a packet's payload is a view
 * into it, valid until the next `push`.
 */
export class FrameReader {
  private buf = Buffer.alloc(64 * 1024);
  private start = 0;
  private end = 0;

  constructor(private readonly version: () => 3 | 4) {}

  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length > this.buf.length || this.start < this.buf.length / 2) {
        const size = Math.max(this.buf.length, 2 ** Math.ceil(Math.log2(live + chunk.length)));
        const next = size > this.buf.length ? Buffer.alloc(size) : this.buf;
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      } else {
        this.buf.copy(this.buf, 0, this.start, this.end);
      }
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** A reply line without its line end (CR LF, LF; a lone CR inside reads as a space); null until one is complete. */
  line(): string | null {
    const at = this.buf.indexOf(0x0a, this.start);
    if (at < 0 || at >= this.end) return null;
    const text = this.buf.toString('latin1', this.start, at).replace(/\r$/, '').replace(/\r/g, ' ');
    this.start = at + 1;
    return text;
  }

  /** Whether the next bytes start a binary packet (rather than a text line) as far as they go. */
  packetAhead(): boolean {
    const n = this.end - this.start;
    if (n < 2) return false;
    const b = this.buf;
    return b[this.start] === S && (b[this.start + 1] === L || b[this.start + 1] === E);
  }

  /** The next frame, or null until enough bytes are buffered. */
  next(): Frame | null {
    const b = this.buf;
    const s = this.start;
    const n = this.end - s;
    if (n < 2) return null;
    if (b[s] === S && b[s + 1] === L) {
      if (n < 8) return null;
      if (b.toString('latin1', s, s + 7) === 'SLINFO ') {
        if (n < V3_PACKET) return null;
        this.start = s + V3_PACKET;
        return { kind: 'info', version: 3, last: b[s + 7] !== 0x2a, error: false, payload: b.subarray(s + 8, s + V3_PACKET) };
      }
      let hex = true;
      for (let i = 2; i < 8; i++) hex &&= isHex(b[s + i]);
      if (hex) {
        if (n < V3_PACKET) return null;
        this.start = s + V3_PACKET;
        return { kind: 'data', sequence: BigInt(parseInt(b.toString('latin1', s + 2, s + 8), 16)), stationId: '', format: 2, payload: b.subarray(s + 8, s + V3_PACKET), size: V3_PACKET };
      }
    } else if (b[s] === S && b[s + 1] === E && this.version() === 4) {
      if (n < V4_HEADER) return null;
      const format = b[s + 2];
      const length = b.readUInt32LE(s + 4);
      const idLength = b[s + 16];
      if (V4_FORMATS.has(format) && length <= MAX_V3_RECORD_LENGTH) {
        const total = V4_HEADER + idLength + length;
        if (n < total) return null;
        const sequence = b.readBigUInt64LE(s + 8);
        const stationId = b.toString('latin1', s + V4_HEADER, s + V4_HEADER + idLength);
        const payload = b.subarray(s + V4_HEADER + idLength, s + total);
        this.start = s + total;
        if (format === 0x4a) return { kind: 'info', version: 4, last: true, error: b[s + 3] === 0x45, payload };
        if (format === 0x32 || format === 0x33) {
          // Only data (subformat D) records feed segments; event, calibration, timing, log and opaque records do not.
          if (b[s + 3] === 0x44) return { kind: 'data', sequence, stationId, format: format === 0x32 ? 2 : 3, payload, size: total };
        }
        return { kind: 'other', sequence, stationId };
      }
    } else if (b[s] === E) {
      // In transfer only two texts come: the 3 bytes END (dial-up or time window done) and an ERROR line.
      if (n < 3) return null;
      if (b[s + 1] === 0x4e && b[s + 2] === 0x44) {
        this.start = s + 3;
        return { kind: 'end' };
      }
      if (b.toString('latin1', s, s + Math.min(n, 5)) === 'ERROR'.slice(0, Math.min(n, 5))) {
        const line = n < 5 ? null : this.line();
        return line === null ? null : { kind: 'line', text: line };
      }
    }
    return this.skipGarbage();
  }

  /** Skips to the next "SL" or "SE" (or keeps a last "S", which may start one). */
  private skipGarbage(): Frame {
    const b = this.buf;
    let i = this.start + 1;
    while (i < this.end && !(b[i] === S && (i + 1 === this.end || b[i + 1] === L || b[i + 1] === E))) i++;
    const bytes = i - this.start;
    this.start = i;
    return { kind: 'garbage', bytes };
  }

  /**
   * After a data packet whose record did not parse: was it a real packet (the bytes after it
   * start another packet, or none follow yet), or garbage that looked like a header?
   */
  followedByPacketOrNothing(): boolean {
    return this.end - this.start < 2 || this.packetAhead();
  }

  /** Undoes the last `next()` of `consumed` bytes and skips one byte instead (garbage that looked like a header). */
  rewindAndSkip(consumed: number): void {
    this.start = this.start - consumed + 1;
  }
}

/** What a transfer holds next, with data packets' records read: a record, a data packet skipped, or another frame. */
export type Packet =
  | { kind: 'record'; sequence: bigint; stationId: string; header: MseedRecordHeader }
  /** A data packet whose record cannot be read, or holds times or a rate the store cannot hold (the reader applies core storable.ts). */
  | { kind: 'skipped'; sequence: bigint; stationId: string; why: string; error: unknown }
  | Exclude<Frame, { kind: 'data' }>;

/**
 * The next packet of a transfer, or null until more bytes come: frames from `reader`, each data
 * packet's miniSEED header read (the reader refuses what the store cannot hold). A "packet" whose
 * record does not parse and that no packet follows was stray bytes that looked like a header:
 * they are looked at again one byte on.
 */
export function nextPacket(reader: FrameReader): Packet | null {
  for (;;) {
    const frame = reader.next();
    if (frame === null || frame.kind !== 'data') return frame;
    let header: MseedRecordHeader;
    try {
      header = parseRecordHeader(frame.payload, 0, frame.payload.length);
    } catch (error) {
      if (!reader.followedByPacketOrNothing()) {
        reader.rewindAndSkip(frame.size);
        continue;
      }
      return { kind: 'skipped', sequence: frame.sequence, stationId: frame.stationId, why: (error as Error).message, error };
    }
    return { kind: 'record', sequence: frame.sequence, stationId: frame.stationId || `${header.network}_${header.station}`, header };
  }
}

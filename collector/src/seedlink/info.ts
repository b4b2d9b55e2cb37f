/**
 * SeedLink INFO answers: v3 XML (carried in miniSEED log records of `SLINFO` packets) and v4
 * JSON, read into one shape. Both time formats (SeisComP `YYYY/MM/DD hh:mm:ss.ffff`, ringserver
 * ISO with `Z`) are read; `end` is as the server gives it (SeisComP: the time after the last
 * sample; ringserver: the last sample), so compare across servers allowing one sample period.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Micros } from '@lacuna/core';
import { parseTime } from '@lacuna/core';
import { parseRecordHeader } from '../mseed/reader.ts';

export interface SeedLinkStreamInfo {
  location: string;
  channel: string;
  /** v3 type (D, E, C, T, L, O) or v4 format+subformat (e.g. 2D). */
  type: string;
  start: Micros | null;
  end: Micros | null;
}

export interface SeedLinkStationInfo {
  network: string;
  station: string;
  description: string;
  /** As the server writes them: 6 hex digits (SeisComP v3), decimal (ringserver, v4). */
  beginSeq: string;
  endSeq: string;
  streams: SeedLinkStreamInfo[];
}

export interface SeedLinkInfo {
  software: string;
  organization: string;
  stations: SeedLinkStationInfo[];
  /** The server's error, when it refused the request. */
  error: string | null;
}

/** An INFO time in any of the forms servers write; null when empty or unreadable. */
export function parseInfoTime(text: unknown): Micros | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const iso = text.trim().replace(/^(\d{4})\/(\d{2})\/(\d{2})/, '$1-$2-$3');
  try {
    return parseTime(iso);
  } catch {
    return null;
  }
}

/** The text a v3 INFO packet's log record carries (its data bytes, as many as its sample count). */
export function infoRecordText(record: Buffer): string {
  const header = parseRecordHeader(record, 0, record.length);
  // The data offset (bytes 44-45) in the record's byte order: the reading that fits the record.
  const bigEndian = record.readUInt16BE(44);
  const offset = bigEndian >= 48 && bigEndian < header.recordLength ? bigEndian : record.readUInt16LE(44);
  return record.toString('latin1', offset, Math.min(offset + header.samples, header.recordLength));
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'station' || name === 'stream' });

/** A v3 INFO document (the concatenated texts of its packets). */
export function parseInfoXml(text: string): SeedLinkInfo {
  const document = xml.parse(text) as { seedlink?: Record<string, unknown> };
  const root = document.seedlink;
  if (root === undefined) throw new Error(`SeedLink INFO answer is not a <seedlink> document: ${JSON.stringify(text.slice(0, 80))}`);
  const stations = ((root.station as Record<string, unknown>[] | undefined) ?? []).map((station) => ({
    network: String(station.network ?? ''),
    station: String(station.name ?? ''),
    description: String(station.description ?? ''),
    beginSeq: String(station.begin_seq ?? ''),
    endSeq: String(station.end_seq ?? ''),
    streams: ((station.stream as Record<string, unknown>[] | undefined) ?? []).map((stream) => ({
      location: String(stream.location ?? ''),
      channel: String(stream.seedname ?? ''),
      type: String(stream.type ?? ''),
      start: parseInfoTime(stream.begin_time),
      end: parseInfoTime(stream.end_time),
    })),
  }));
  return { software: String(root.software ?? ''), organization: String(root.organization ?? ''), stations, error: null };
}

/** A v4 INFO document (JSON). */
export function parseInfoJson(text: string): SeedLinkInfo {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`SeedLink INFO answer is not JSON: ${(error as Error).message}`);
  }
  const error = document.error as { code?: string; message?: string } | undefined;
  const stations = ((document.station as Record<string, unknown>[] | undefined) ?? []).map((station) => {
    const [network = '', code = ''] = String(station.id ?? '').split('_');
    return {
      network,
      station: code,
      description: String(station.description ?? ''),
      beginSeq: String(station.start_seq ?? ''),
      endSeq: String(station.end_seq ?? ''),
      streams: ((station.stream as Record<string, unknown>[] | undefined) ?? []).map((stream) => {
        const [location = '', ...bands] = String(stream.id ?? '').split('_');
        return {
          location,
          channel: bands.every((part) => part.length === 1) ? bands.join('') : bands.join('_'),
          type: `${String(stream.format ?? '')}${String(stream.subformat ?? '')}`,
          start: parseInfoTime(stream.start_time),
          end: parseInfoTime(stream.end_time),
        };
      }),
    };
  });
  return {
    software: String(document.software ?? ''),
    organization: String(document.organization ?? ''),
    stations,
    error: error ? `${error.code ?? 'ERROR'} ${error.message ?? ''}`.trim() : null,
  };
}

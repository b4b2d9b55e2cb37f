import { readFile } from 'node:fs/promises';
import type { ChannelEpoch } from '@lacuna/core';
import { parseChannelCsv } from './csv.ts';
import { MetadataError } from './errors.ts';
import { parseStationXml } from './stationxml.ts';

export { CSV_COLUMNS, csvRecords, formatChannelCsv, parseChannelCsv, type CsvRecord } from './csv.ts';
export { MetadataError } from './errors.ts';
export { parseStationXml } from './stationxml.ts';
export { parseIsoMicros } from './time.ts';

/** Which parser a metadata text needs: XML when its first non-blank character is `<`. */
export function detectMetadataFormat(text: string): 'stationxml' | 'csv' {
  const m = /^[\ufeff\s]*(.)/.exec(text.slice(0, 4096));
  return m?.[1] === '<' ? 'stationxml' : 'csv';
}

/**
 * Reads a channel metadata file, StationXML or CSV (chosen by content, not by file name), into
 * channel epochs. Errors are {@link MetadataError}s whose message starts with `path`.
 */
export async function loadChannelMetadata(path: string): Promise<ChannelEpoch[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new MetadataError(path, '', err.code === 'ENOENT' ? 'no such file' : `cannot read: ${err.message}`);
  }
  if (text.trim() === '') throw new MetadataError(path, '', 'empty file');
  return detectMetadataFormat(text) === 'stationxml' ? parseStationXml(text, path) : parseChannelCsv(text, path);
}

/**
 * The gallery's 30-channel case as a real SDS archive of miniSEED day files (1 Hz, written by the
 * collector's own record writer) with a metadata CSV, for `lacuna start` to scan and serve: each
 * fault the panels must draw truthfully, on its own channel, over the last seven days.
 */
import { mkdir, open, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, type ChannelEpoch, type Micros } from '@lacuna/core';

const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
import { encodeSeries, formatChannelCsv, sdsRelativePath } from '@lacuna/collector';
import type { CaseChannel, GalleryCase } from '../cases.ts';

export const CASE_DAYS = 7;
const RATE = 1;
const RECORD_LENGTH = 4096;

/** `run` minus the holes [start, end): the data left around gaps. */
function withHoles(run: [Micros, Micros], holes: Array<[Micros, Micros]>): Array<[Micros, Micros]> {
  const out: Array<[Micros, Micros]> = [];
  let at = run[0];
  for (const [start, end] of [...holes].sort((a, b) => a[0] - b[0])) {
    if (start > at) out.push([at, start]);
    at = Math.max(at, end);
  }
  if (at < run[1]) out.push([at, run[1]]);
  return out;
}

/** The case's channels for a window ending at `nowUs` (whole seconds). */
export function galleryCase(nowUs: Micros): GalleryCase {
  const now = Math.floor(nowUs / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  const from = Math.floor(now / MICROS_PER_DAY) * MICROS_PER_DAY - (CASE_DAYS - 1) * MICROS_PER_DAY;
  // On-time channels' newest sample: half a minute ago, well within any latency.
  const onTimeEnd = now - 30 * MICROS_PER_SECOND;
  const all: [Micros, Micros] = [from, onTimeEnd];
  const day = (d: number, hours = 0) => from + d * MICROS_PER_DAY + hours * MICROS_PER_HOUR;
  const S = MICROS_PER_SECOND;
  const channels: CaseChannel[] = [
    { id: 'GL.GAPS.00.LH1', shows: 'one missing sample (1 s at 1 Hz): a red mark, not a purple row', runs: withHoles(all, [[day(2, 10), day(2, 10) + S]]), hoverAt: day(2, 10) },
    { id: 'GL.GAPS.00.LH2', shows: 'a 1-minute gap', runs: withHoles(all, [[day(3, 6), day(3, 6) + MICROS_PER_MINUTE]]), hoverAt: day(3, 6) },
    { id: 'GL.GAPS.00.LH3', shows: 'a 1-hour gap', runs: withHoles(all, [[day(4, 12), day(4, 13)]]), hoverAt: day(4, 12.5) },
    { id: 'GL.GAPS.00.LH4', shows: 'a 1-day gap', runs: withHoles(all, [[day(1, 0), day(2, 0)]]), hoverAt: day(1, 12) },
    {
      id: 'GL.GAPS.00.LH5',
      shows: 'a missing sample every hour',
      runs: withHoles(
        all,
        Array.from({ length: CASE_DAYS * 24 - 1 }, (_, h) => [from + (h + 1) * MICROS_PER_HOUR - 10 * S, from + (h + 1) * MICROS_PER_HOUR - 9 * S] as [Micros, Micros]).filter(([s]) => s < onTimeEnd),
      ),
      hoverAt: day(3, 1),
    },
    // Ten minutes sent twice: the second run starts before the first ends.
    { id: 'GL.OVLP.00.LHZ', shows: 'an overlap of 10 minutes (data sent twice)', runs: [[from, day(3, 12)], [day(3, 12) - 10 * MICROS_PER_MINUTE, onTimeEnd]], hoverAt: day(3, 12) - 5 * MICROS_PER_MINUTE },
    ...['LHZ', 'LHN', 'LHE'].map((code) => ({ id: `GL.DEAD.00.${code}`, shows: 'a dead station: nothing since two and a half days ago', runs: [[from, day(4, 12)]] as Array<[Micros, Micros]>, hoverAt: day(5, 12) })),
    { id: 'GL.NONE.00.LHZ', shows: 'a channel that never had data (metadata only)', runs: [], hoverAt: day(3) },
    { id: 'GL.LATE.00.LHZ', shows: 'a late channel: its newest sample is 3 hours old', runs: [[from, now - 3 * MICROS_PER_HOUR]], hoverAt: now - MICROS_PER_HOUR },
    { id: 'GL.NEWS.00.LHZ', shows: 'installed on day 3: nothing expected before', runs: [[day(3, 6), onTimeEnd]], epochStart: day(3, 6), hoverAt: day(2) },
  ];
  // Healthy stations around them, a few short gaps each, to fill thirty rows.
  for (let s = 0; channels.length < 30; s++) {
    for (const code of ['LHZ', 'LHN', 'LHE']) {
      if (channels.length >= 30) break;
      const gapAt = day(1 + ((s * 3 + code.length) % (CASE_DAYS - 2)), (s * 5) % 24);
      channels.push({ id: `GL.ST${String(s).padStart(2, '0')}.00.${code}`, shows: 'healthy, a 5-minute gap', runs: withHoles(all, [[gapAt, gapAt + 5 * MICROS_PER_MINUTE]]) });
    }
  }
  return { fromUs: from, toUs: now, channels };
}

/** Writes the case as SDS day files (records belong to the day they start in) and `metadata.csv`; returns the metadata path. */
export async function writeGalleryArchive(dir: string, gallery: GalleryCase): Promise<string> {
  const files = new Map<string, Buffer[]>();
  const newest = new Map<string, Micros>();
  for (const channel of gallery.channels) {
    const [network, station, location, code] = channel.id.split('.');
    for (const [start, end] of channel.runs) {
      const totalSamples = Math.round(((end - start) * RATE) / MICROS_PER_SECOND);
      let recordStart = start;
      for (const record of encodeSeries({ network, station, location, channel: code, start, sampleRate: RATE, totalSamples, recordLength: RECORD_LENGTH })) {
        const path = sdsRelativePath({ network, station, location, channel: code }, Math.floor(recordStart / MICROS_PER_DAY) * MICROS_PER_DAY);
        if (!files.has(path)) files.set(path, []);
        files.get(path)!.push(record);
        // encodeSeries fills each record before starting the next: the next starts this many samples on.
        recordStart += Math.floor((RECORD_LENGTH - 64) / 4) * (MICROS_PER_SECOND / RATE);
        newest.set(path, Math.max(newest.get(path) ?? 0, Math.min(end, recordStart)));
      }
    }
  }
  for (const [relative, records] of files) {
    const path = join(dir, relative);
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    await handle.write(Buffer.concat(records));
    await handle.close();
    const mtime = Math.ceil(newest.get(relative)! / MICROS_PER_SECOND) + 1;
    await utimes(path, mtime, mtime);
  }
  const epochs: ChannelEpoch[] = gallery.channels.map((channel) => {
    const [network, station, location, code] = channel.id.split('.');
    return {
      network,
      station,
      location,
      channel: code,
      start: channel.epochStart ?? gallery.fromUs - 30 * MICROS_PER_DAY,
      end: null,
      sampleRate: RATE,
      latitude: 46 + gallery.channels.indexOf(channel) / 10,
      longitude: 7,
      elevation: null,
      warnS: 600,
      failS: 3600,
    };
  });
  const metadata = join(dir, 'metadata.csv');
  await writeFile(metadata, formatChannelCsv(epochs));
  return metadata;
}

// node --import tsx case.ts DIR: writes the case ending now into DIR and prints it as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = resolve(process.argv[2] ?? '');
  const gallery = galleryCase(Date.now() * 1000);
  const metadata = await writeGalleryArchive(dir, gallery);
  process.stdout.write(`${JSON.stringify({ metadata, ...gallery })}\n`);
}

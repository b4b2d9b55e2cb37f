import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Micros } from '@lacuna/core';
import type { Layout } from './layouts.ts';

export interface ArchiveFile {
  path: string;
  size: number;
  /** Modification time, exact to the microsecond. */
  mtime: Micros;
}

/**
 * Folder entries listed, or files stat'ed, between two turns of the event loop. The walk lists
 * and stats synchronously, a slice at a time: several times faster than a promise per call
 * (3,000 files: 20 ms instead of 150), while a server in the same process still answers in between.
 */
const SLICE = 256;

async function statAll(paths: string[]): Promise<ArchiveFile[]> {
  const files: ArchiveFile[] = [];
  for (let i = 0; i < paths.length; i += SLICE) {
    if (i > 0) await yieldToEvents();
    for (const path of paths.slice(i, i + SLICE)) {
      // A file removed between listing and stat is simply not there.
      const info = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (info?.isFile()) files.push({ path, size: Number(info.size), mtime: Number(info.mtimeNs / 1000n) });
    }
  }
  return files;
}

/**
 * The files under `root` that the layout accepts, with size and modification time; a `root` that
 * is a file is that file alone, whatever its name (as msi takes files). With a layout
 * of fixed depth (SDS, BUD, a pattern without `**`), folders that cannot match it are never
 * entered, so a rescan of a large archive lists only its own; a `**` pattern enters every folder.
 */
export async function walkArchive(root: string, layout: Layout): Promise<ArchiveFile[]> {
  if (statSync(root).isFile()) return statAll([root]);
  const found: string[] = [];
  let listed = 0;
  async function visit(dir: string, depth: number): Promise<void> {
    const entries = readdirSync(dir, { withFileTypes: true });
    listed += entries.length;
    if (listed >= SLICE) {
      listed = 0;
      await yieldToEvents();
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (layout.parts) {
        const matcher = layout.parts[depth];
        if (!matcher?.test(entry.name)) continue;
        const last = depth === layout.parts.length - 1;
        if (entry.isDirectory() && !last) await visit(path, depth + 1);
        else if (!entry.isDirectory() && last) found.push(path);
      } else if (entry.isDirectory()) await visit(path, depth + 1);
      else if (layout.matchesPath(relative(root, path).split(sep).join('/'))) found.push(path);
    }
  }
  await visit(root, 0);
  found.sort();
  return statAll(found);
}

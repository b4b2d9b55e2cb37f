import { opendir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Micros } from '@lacuna/core';
import type { Layout } from './layouts.ts';

export interface ArchiveFile {
  path: string;
  size: number;
  /** Modification time, exact to the microsecond. */
  mtime: Micros;
}

const STAT_CONCURRENCY = 64;

async function statAll(paths: string[]): Promise<ArchiveFile[]> {
  const files: ArchiveFile[] = [];
  for (let i = 0; i < paths.length; i += STAT_CONCURRENCY) {
    const batch = paths.slice(i, i + STAT_CONCURRENCY);
    const stats = await Promise.all(batch.map((path) => stat(path, { bigint: true }).catch(() => null)));
    stats.forEach((info, j) => {
      // A file removed between listing and stat is simply not there.
      if (info?.isFile()) files.push({ path: batch[j], size: Number(info.size), mtime: Number(info.mtimeNs / 1000n) });
    });
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
  if ((await stat(root)).isFile()) return statAll([root]);
  const found: string[] = [];
  async function visit(dir: string, depth: number): Promise<void> {
    const handle = await opendir(dir);
    for await (const entry of handle) {
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

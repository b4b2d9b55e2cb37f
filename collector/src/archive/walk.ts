import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
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
 * Folder entries looked at (and files stat'ed) between two turns of the event loop. The walk lists
 * and stats synchronously, a slice at a time: several times faster than a promise per call
 * (3,000 files: 20 ms instead of 150), while a server in the same process still answers in between.
 */
const SLICE = 256;

/** The file at `path` with its size and mtime, or null when it is not a file (or no longer there). */
function statFile(path: string): ArchiveFile | null {
  const info = statSync(path, { bigint: true, throwIfNoEntry: false });
  return info?.isFile() ? { path, size: Number(info.size), mtime: Number(info.mtimeNs / 1000n) } : null;
}

function linksToFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // a loop of links (ELOOP) leads nowhere
  }
}

/** Where the link at `path` leads in the end, or null when that cannot be told (the walk then says why). */
function realTarget(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Whether `path` lies under the folder `folder`. */
export function isUnder(folder: string, path: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** Whether `path` is `folder` or lies under it. */
export function isSameOrUnder(path: string, folder: string): boolean {
  return path === folder || isUnder(folder, path);
}

/** A link to a folder that the walk followed, and where it leads in the end. */
export interface FollowedLink {
  path: string;
  target: string;
}

/** A folder or file under an archive root that the walk could not list or stat, and why (a scan failure). */
export interface Unlisted {
  path: string;
  /** A folder: files known under it are kept, as nobody can tell whether they are gone (as is a file known at `path`). */
  folder: boolean;
  reason: string;
}

/**
 * Hands the files under `root` that the layout accepts, with size and modification time, to
 * `found` as it finds them (folder by folder, in the order of names), and returns what it could not
 * list and the links to folders it followed; a `root` that is a file is that file alone, whatever its name (as msi takes files). With a layout
 * of fixed depth (SDS, BUD, a pattern without `**`), folders that cannot match it are never
 * entered, so a rescan of a large archive lists only its own; a `**` pattern enters every folder.
 *
 * A symbolic link to a folder is followed (an archive's years are often links to other disks); a
 * folder reached again, through a link or a loop of them, is not listed again, so that no file is
 * stored twice under two paths. Links are followed after every real folder has been walked, so a
 * folder reached both ways keeps the path that needs no link; a link to a folder that holds the
 * archive is not followed.
 *
 * The walk goes on past what it cannot list, and says what and why: a folder it may not read
 * (permissions, an I/O error), and a folder or file whose name is not valid UTF-8 (node hands
 * such a name over with U+FFFD in place of the bytes, a path that does not exist; lacuna keeps
 * paths as text).
 */
export async function walkArchive(root: string, layout: Layout, found: (file: ArchiveFile) => void): Promise<{ unlisted: Unlisted[]; followed: FollowedLink[] }> {
  const unlisted: Unlisted[] = [];
  const followed: FollowedLink[] = [];
  if (statSync(root).isFile()) {
    const file = statFile(root);
    if (file) found(file);
    return { unlisted, followed };
  }
  const entered = new Set<string>();
  const links: { path: string; depth: number }[] = [];
  let listed = 0;
  async function visit(dir: string, depth: number): Promise<void> {
    let entries;
    try {
      const info = statSync(dir, { bigint: true });
      const identity = `${info.dev}:${info.ino}`;
      if (entered.has(identity)) return;
      entered.add(identity);
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      unlisted.push({ path: dir, folder: true, reason: `not scanned: the folder cannot be listed (${(error as Error).message})` });
      return;
    }
    for (const entry of entries) {
      if (++listed === SLICE) {
        listed = 0;
        await yieldToEvents();
      }
      const path = join(dir, entry.name);
      const link = entry.isSymbolicLink() && linksToFolder(path);
      const folder = entry.isDirectory() || link;
      let wanted: boolean;
      if (layout.parts) {
        const matcher = layout.parts[depth];
        const last = depth === layout.parts.length - 1;
        wanted = matcher?.test(entry.name) === true && folder !== last;
      } else wanted = folder || layout.matchesPath(relative(root, path).split(sep).join('/'));
      if (!wanted) continue;
      if (entry.name.includes('\uFFFD') && lstatSync(path, { throwIfNoEntry: false }) === undefined) {
        const what = folder ? 'the folder\'s name is not valid UTF-8, so its files were not scanned' : 'its name is not valid UTF-8';
        unlisted.push({ path, folder, reason: `not scanned: ${what} (lacuna keeps paths as text); rename it` });
      } else if (link) links.push({ path, depth: depth + 1 });
      else if (folder) await visit(path, depth + 1);
      else {
        try {
          const file = statFile(path);
          if (file) found(file);
        } catch (error) {
          // A link to a file in a folder it may not enter, say.
          unlisted.push({ path, folder: false, reason: `not scanned: its size and time cannot be read (${(error as Error).message})` });
        }
      }
    }
  }
  await visit(root, 0);
  // A link to a folder that holds the archive is not followed: it would list the folders beside
  // the archive as the archive's (say `up -> ..` under a `**` layout), and the archive itself is
  // walked anyway.
  const rootReal = realpathSync(root);
  for (let next = links.shift(); next !== undefined; next = links.shift()) {
    const target = realTarget(next.path);
    if (target !== null && isSameOrUnder(rootReal, target)) continue;
    if (target !== null) followed.push({ path: next.path, target });
    await visit(next.path, next.depth);
  }
  return { unlisted, followed };
}

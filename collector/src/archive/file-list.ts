import type { ArchiveFile } from './walk.ts';

/**
 * A scan's list of files, packed into memory that its reading threads share: the paths as UTF-8
 * one after another, their sizes and mtimes beside them. As objects the list took some 300 bytes
 * a file in the storing thread and 170 more in each reading thread (its own copy, made by
 * postMessage), which V8 let grow several times over before collecting. Packed, 100,000 files
 * take 7 MB, once: `lacuna scan` of 100,000 files of 4 KB into a new store peaked at 476–497 MB
 * instead of 575–585.
 */
export interface FileList {
  count: number;
  /** The paths' UTF-8 bytes: path i ends at ends[i] and starts where path i - 1 ends. */
  paths: Uint8Array;
  ends: Uint32Array;
  sizes: Float64Array;
  mtimes: Float64Array;
}

export function packFiles(files: readonly ArchiveFile[]): FileList {
  const ends = new Uint32Array(new SharedArrayBuffer(files.length * Uint32Array.BYTES_PER_ELEMENT));
  const sizes = new Float64Array(new SharedArrayBuffer(files.length * Float64Array.BYTES_PER_ELEMENT));
  const mtimes = new Float64Array(new SharedArrayBuffer(files.length * Float64Array.BYTES_PER_ELEMENT));
  let bytes = 0;
  files.forEach((file, index) => {
    bytes += Buffer.byteLength(file.path);
    ends[index] = bytes;
    sizes[index] = file.size;
    mtimes[index] = file.mtime;
  });
  const paths = Buffer.from(new SharedArrayBuffer(bytes));
  files.forEach((file, index) => paths.write(file.path, startOf(ends, index)));
  return { count: files.length, paths: new Uint8Array(paths.buffer), ends, sizes, mtimes };
}

/** The lists one after another, as one. */
export function joinFiles(lists: readonly FileList[]): FileList {
  const count = lists.reduce((sum, list) => sum + list.count, 0);
  const joined: FileList = {
    count,
    paths: new Uint8Array(new SharedArrayBuffer(lists.reduce((sum, list) => sum + list.paths.byteLength, 0))),
    ends: new Uint32Array(new SharedArrayBuffer(count * Uint32Array.BYTES_PER_ELEMENT)),
    sizes: new Float64Array(new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT)),
    mtimes: new Float64Array(new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT)),
  };
  let files = 0;
  let bytes = 0;
  for (const list of lists) {
    joined.paths.set(list.paths, bytes);
    for (let index = 0; index < list.count; index++) joined.ends[files + index] = bytes + list.ends[index];
    joined.sizes.set(list.sizes, files);
    joined.mtimes.set(list.mtimes, files);
    files += list.count;
    bytes += list.paths.byteLength;
  }
  return joined;
}

export function pathAt(files: FileList, index: number): string {
  return bytesOf(files).toString('utf8', startOf(files.ends, index), files.ends[index]);
}

/**
 * The index in `sorted` (a list in the order of its paths' bytes, as the store sorts them) of the
 * path at `index` of `files`, or -1 when it is not there.
 */
export function indexIn(sorted: FileList, files: FileList, index: number): number {
  return search(sorted, bytesOf(files), startOf(files.ends, index), files.ends[index]);
}

/** The index of `path` in `sorted` (a list in the order of its paths' bytes), or -1 when it is not there. */
export function indexOfPath(sorted: FileList, path: string): number {
  if (sorted.count === 0) return -1;
  const bytes = Buffer.from(path);
  return search(sorted, bytes, 0, bytes.length);
}

function search(sorted: FileList, path: Buffer, start: number, end: number): number {
  const paths = bytesOf(sorted);
  let low = 0;
  let high = sorted.count - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = paths.compare(path, start, end, startOf(sorted.ends, middle), sorted.ends[middle]);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** `paths` as a Buffer: a reading thread receives it as a plain Uint8Array (postMessage does not keep Buffer's class). */
function bytesOf(files: FileList): Buffer {
  return Buffer.from(files.paths.buffer, files.paths.byteOffset, files.paths.byteLength);
}

export function fileAt(files: FileList, index: number): ArchiveFile {
  return { path: pathAt(files, index), size: files.sizes[index], mtime: files.mtimes[index] };
}

export function totalSize(files: FileList): number {
  return files.sizes.reduce((sum, size) => sum + size, 0);
}

function startOf(ends: Uint32Array, index: number): number {
  return index === 0 ? 0 : ends[index - 1];
}

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

/**
 * Packs files one at a time, as a walk finds them, so that no list of them as objects is ever
 * held: listing 1,000,000 files that way took 620 MB of JavaScript heap.
 */
export class FileListBuilder {
  #count = 0;
  #bytes = 0;
  #paths = Buffer.allocUnsafe(64 * 1024);
  #ends = new Uint32Array(1024);
  #sizes = new Float64Array(1024);
  #mtimes = new Float64Array(1024);

  get count(): number {
    return this.#count;
  }

  add(file: ArchiveFile): void {
    const length = Buffer.byteLength(file.path);
    if (this.#bytes + length > this.#paths.length) {
      const paths = Buffer.allocUnsafe(Math.max(2 * this.#paths.length, this.#bytes + length));
      this.#paths.copy(paths, 0, 0, this.#bytes);
      this.#paths = paths;
    }
    if (this.#count === this.#ends.length) {
      this.#ends = copied(this.#ends, new Uint32Array(2 * this.#count));
      this.#sizes = copied(this.#sizes, new Float64Array(2 * this.#count));
      this.#mtimes = copied(this.#mtimes, new Float64Array(2 * this.#count));
    }
    this.#bytes += this.#paths.write(file.path, this.#bytes);
    this.#ends[this.#count] = this.#bytes;
    this.#sizes[this.#count] = file.size;
    this.#mtimes[this.#count] = file.mtime;
    this.#count += 1;
  }

  /** The files added, in memory the reading threads can share. */
  build(): FileList {
    const count = this.#count;
    return {
      count,
      paths: copied(this.#paths.subarray(0, this.#bytes), new Uint8Array(new SharedArrayBuffer(this.#bytes))),
      ends: copied(this.#ends.subarray(0, count), new Uint32Array(new SharedArrayBuffer(count * Uint32Array.BYTES_PER_ELEMENT))),
      sizes: copied(this.#sizes.subarray(0, count), new Float64Array(new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT))),
      mtimes: copied(this.#mtimes.subarray(0, count), new Float64Array(new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT))),
    };
  }
}

/** `to`, with `from` copied into its start. */
function copied<T extends { set(from: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
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

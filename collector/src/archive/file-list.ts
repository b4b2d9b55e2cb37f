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

/** What one scan's list can hold: the paths' ends are 32-bit offsets. */
const MAX_PATH_BYTES = 2 ** 32 - 1;
const MAX_FILES = 2 ** 27;

/**
 * Packs files one at a time, as a walk finds them, so that no list of them as objects is ever
 * held: listing 1,000,000 files that way took 620 MB of JavaScript heap. The lists grow in place
 * in memory the reading threads share (address space reserved at once, pages taken as they are
 * written): buffers that doubled and were copied into shared memory at the end held up to three
 * times the list at once (1,000,000 files: 300 MB, the peak of their scan).
 */
export class FileListBuilder {
  #count = 0;
  #bytes = 0;
  #capacity = 0;
  #paths = new SharedArrayBuffer(0, { maxByteLength: MAX_PATH_BYTES });
  #pathBytes = Buffer.from(this.#paths);
  // Views without a length follow their memory as it grows.
  #ends = new Uint32Array(new SharedArrayBuffer(0, { maxByteLength: MAX_FILES * Uint32Array.BYTES_PER_ELEMENT }));
  #sizes = new Float64Array(new SharedArrayBuffer(0, { maxByteLength: MAX_FILES * Float64Array.BYTES_PER_ELEMENT }));
  #mtimes = new Float64Array(new SharedArrayBuffer(0, { maxByteLength: MAX_FILES * Float64Array.BYTES_PER_ELEMENT }));

  get count(): number {
    return this.#count;
  }

  add(file: ArchiveFile): void {
    const length = Buffer.byteLength(file.path);
    if (this.#bytes + length > this.#paths.byteLength) {
      if (this.#bytes + length > MAX_PATH_BYTES) throw new RangeError(`more than ${MAX_PATH_BYTES} bytes of paths to scan at once: split the archive (--shard)`);
      this.#paths.grow(Math.min(MAX_PATH_BYTES, Math.max(this.#bytes + length, 2 * this.#paths.byteLength, 64 * 1024)));
      this.#pathBytes = Buffer.from(this.#paths);
    }
    if (this.#count === this.#capacity) {
      if (this.#count === MAX_FILES) throw new RangeError(`more than ${MAX_FILES} files to scan at once: split the archive (--shard)`);
      this.#capacity = Math.min(MAX_FILES, Math.max(1024, 2 * this.#capacity));
      for (const list of [this.#ends, this.#sizes, this.#mtimes]) (list.buffer as SharedArrayBuffer).grow(this.#capacity * list.BYTES_PER_ELEMENT);
    }
    this.#bytes += this.#pathBytes.write(file.path, this.#bytes);
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
      paths: new Uint8Array(this.#paths, 0, this.#bytes),
      ends: new Uint32Array(this.#ends.buffer, 0, count),
      sizes: new Float64Array(this.#sizes.buffer, 0, count),
      mtimes: new Float64Array(this.#mtimes.buffer, 0, count),
    };
  }
}

export function pathAt(files: FileList, index: number): string {
  return bytesOf(files).toString('utf8', startOf(files.ends, index), files.ends[index]);
}

/**
 * A list's paths in the order of their bytes (the store's order of strings), met with paths asked
 * for in that order. A walk lists files nearly in that order (folder by folder, names sorted; only
 * a name that sorts before its folder's "/" is out of place), so sorting costs about a pass.
 */
export class InByteOrder {
  readonly #files: FileList;
  readonly #paths: Buffer;
  readonly #order: number[];
  #next = 0;

  constructor(files: FileList) {
    const paths = bytesOf(files);
    const { ends } = files;
    this.#files = files;
    this.#paths = paths;
    this.#order = Array.from({ length: files.count }, (_, index) => index).sort((a, b) => paths.compare(paths, startOf(ends, b), ends[b], startOf(ends, a), ends[a]));
  }

  /** The index of `path` in the list, or -1 when it is not there; ask in the order of the paths' bytes. */
  find(path: string): number {
    const bytes = Buffer.from(path);
    const { ends } = this.#files;
    while (this.#next < this.#order.length) {
      const index = this.#order[this.#next];
      const order = this.#paths.compare(bytes, 0, bytes.length, startOf(ends, index), ends[index]);
      if (order > 0) return -1;
      this.#next += 1;
      if (order === 0) return index;
    }
    return -1;
  }
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

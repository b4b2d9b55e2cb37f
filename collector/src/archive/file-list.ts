import { sep } from 'node:path';
import type { ArchiveFile } from './walk.ts';

/**
 * A scan's list of files, packed into memory that its reading threads share: each folder's path
 * once as UTF-8, each file's name beside the index of its folder, sizes and mtimes beside them. As
 * objects the list took some 300 bytes a file in the storing thread and 170 more in each reading
 * thread (its own copy, made by postMessage), which V8 let grow several times over before
 * collecting. Packed, 100,000 files took 7 MB, once (`lacuna scan` of 100,000 files of 4 KB into
 * a new store peaked at 476–497 MB instead of 575–585); with whole paths 1,000,000 files of a
 * typical archive took 103 MB, with each folder once about half as much.
 */
export interface FileList {
  count: number;
  /** The folders' paths, each with its final separator: folder i ends at folderEnds[i] and starts where folder i - 1 ends. */
  folders: Uint8Array;
  folderEnds: Uint32Array;
  /** The files' names: name i ends at nameEnds[i]; file i's path is its folder's followed by it. */
  names: Uint8Array;
  nameEnds: Uint32Array;
  folderOf: Uint32Array;
  sizes: Float64Array;
  mtimes: Float64Array;
}

/**
 * What one scan's list can hold: 1 GiB of names and as much of folders, 33 million files. A list
 * reserves that much address space (taken only as written): some 3 GB; with 4 GiB and 134 million
 * it was 12 GB, which counts against a limit on address space (ulimit -v, common on batch nodes).
 */
const MAX_BYTES = 2 ** 30;
const MAX_FILES = 2 ** 25;

/** UTF-8 text appended in memory that grows in place (address space reserved at once, pages taken as they are written). */
class GrowingText {
  readonly memory = new SharedArrayBuffer(0, { maxByteLength: MAX_BYTES });
  length = 0;
  #bytes = Buffer.from(this.memory);

  /** Appends `text`; returns where it ends. */
  append(text: string): number {
    const needed = this.length + Buffer.byteLength(text);
    if (needed > this.memory.byteLength) {
      if (needed > MAX_BYTES) throw new RangeError(`more than ${MAX_BYTES} bytes of paths to scan at once: split the archive (--shard)`);
      this.memory.grow(Math.min(MAX_BYTES, Math.max(needed, 2 * this.memory.byteLength, 64 * 1024)));
      this.#bytes = Buffer.from(this.memory);
    }
    this.length += this.#bytes.write(text, this.length);
    return this.length;
  }

  view(): Uint8Array {
    return new Uint8Array(this.memory, 0, this.length);
  }
}

interface NumbersType<T> {
  new (memory: SharedArrayBuffer, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** Numbers appended in memory that grows in place, as GrowingText. */
class GrowingNumbers<T extends Uint32Array | Float64Array> {
  readonly #type: NumbersType<T>;
  readonly #memory: SharedArrayBuffer;
  /** Without a length, the view follows its memory as it grows. */
  readonly #values: T;
  length = 0;

  constructor(type: NumbersType<T>) {
    this.#type = type;
    this.#memory = new SharedArrayBuffer(0, { maxByteLength: MAX_FILES * type.BYTES_PER_ELEMENT });
    this.#values = new type(this.#memory);
  }

  push(value: number): void {
    if (this.length === this.#values.length) {
      if (this.length === MAX_FILES) throw new RangeError(`more than ${MAX_FILES} files to scan at once: split the archive (--shard)`);
      this.#memory.grow(Math.min(MAX_FILES, Math.max(1024, 2 * this.length)) * this.#type.BYTES_PER_ELEMENT);
    }
    this.#values[this.length++] = value;
  }

  view(): T {
    return new this.#type(this.#memory, 0, this.length);
  }
}

/**
 * Packs files one at a time, as a walk finds them, so that no list of them as objects is ever
 * held: listing 1,000,000 files that way took 620 MB of JavaScript heap. The lists grow in place
 * in memory the reading threads share: buffers that doubled and were copied into shared memory at
 * the end held up to three times the list at once (1,000,000 files: 300 MB, the peak of their
 * scan). A folder is written once for the files that follow one another in it, as a walk lists them.
 */
export class FileListBuilder {
  #folders = new GrowingText();
  #folderEnds = new GrowingNumbers(Uint32Array);
  #lastFolder: string | null = null;
  #names = new GrowingText();
  #nameEnds = new GrowingNumbers(Uint32Array);
  #folderOf = new GrowingNumbers(Uint32Array);
  #sizes = new GrowingNumbers(Float64Array);
  #mtimes = new GrowingNumbers(Float64Array);

  get count(): number {
    return this.#sizes.length;
  }

  add(file: ArchiveFile): void {
    const split = file.path.lastIndexOf(sep) + 1;
    const folder = file.path.slice(0, split);
    if (folder !== this.#lastFolder) {
      this.#folderEnds.push(this.#folders.append(folder));
      this.#lastFolder = folder;
    }
    this.#folderOf.push(this.#folderEnds.length - 1);
    this.#nameEnds.push(this.#names.append(file.path.slice(split)));
    this.#sizes.push(file.size);
    this.#mtimes.push(file.mtime);
  }

  /** The files added, in memory the reading threads can share. */
  build(): FileList {
    return {
      count: this.count,
      folders: this.#folders.view(),
      folderEnds: this.#folderEnds.view(),
      names: this.#names.view(),
      nameEnds: this.#nameEnds.view(),
      folderOf: this.#folderOf.view(),
      sizes: this.#sizes.view(),
      mtimes: this.#mtimes.view(),
    };
  }
}

/** A list's parts as Buffers: a reading thread receives them as plain Uint8Arrays (postMessage does not keep Buffer's class). */
function buffersOf(files: FileList): { folders: Buffer; names: Buffer } {
  return { folders: asBuffer(files.folders), names: asBuffer(files.names) };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function startOf(ends: Uint32Array, index: number): number {
  return index === 0 ? 0 : ends[index - 1];
}

export function pathAt(files: FileList, index: number): string {
  const { folders, names } = buffersOf(files);
  const folder = files.folderOf[index];
  return folders.toString('utf8', startOf(files.folderEnds, folder), files.folderEnds[folder]) + names.toString('utf8', startOf(files.nameEnds, index), files.nameEnds[index]);
}

/** The bytes of file `index`'s path, in `scratch` if they fit there (else in a new buffer). */
function pathBytes(files: FileList, parts: { folders: Buffer; names: Buffer }, index: number, scratch: Buffer): Buffer {
  const folder = files.folderOf[index];
  const folderStart = startOf(files.folderEnds, folder);
  const folderLength = files.folderEnds[folder] - folderStart;
  const nameStart = startOf(files.nameEnds, index);
  const length = folderLength + files.nameEnds[index] - nameStart;
  const into = length <= scratch.length ? scratch : Buffer.allocUnsafe(length);
  parts.folders.copy(into, 0, folderStart, folderStart + folderLength);
  parts.names.copy(into, folderLength, nameStart, files.nameEnds[index]);
  return into.subarray(0, length);
}

/**
 * A list's paths in the order of their bytes (the store's order of strings), met with paths asked
 * for in that order. A walk lists files nearly in that order (folder by folder, names sorted; only
 * a name that sorts before its folder's "/" is out of place), so sorting costs about a pass.
 */
export class InByteOrder {
  readonly #files: FileList;
  readonly #parts: { folders: Buffer; names: Buffer };
  readonly #order: number[];
  readonly #scratch = [Buffer.allocUnsafe(4096), Buffer.allocUnsafe(4096)];
  #next = 0;

  constructor(files: FileList) {
    this.#files = files;
    this.#parts = buffersOf(files);
    const { names } = this.#parts;
    const { folderOf, nameEnds } = files;
    this.#order = Array.from({ length: files.count }, (_, index) => index).sort((a, b) =>
      // In one folder the names alone tell.
      folderOf[a] === folderOf[b]
        ? names.compare(names, startOf(nameEnds, b), nameEnds[b], startOf(nameEnds, a), nameEnds[a])
        : this.#pathBytes(a, 0).compare(this.#pathBytes(b, 1)),
    );
  }

  #pathBytes(index: number, scratch: number): Buffer {
    return pathBytes(this.#files, this.#parts, index, this.#scratch[scratch]);
  }

  /** The index of `path` in the list, or -1 when it is not there; ask in the order of the paths' bytes. */
  find(path: string): number {
    const bytes = Buffer.from(path);
    while (this.#next < this.#order.length) {
      const index = this.#order[this.#next];
      const order = this.#pathBytes(index, 0).compare(bytes);
      if (order > 0) return -1;
      this.#next += 1;
      if (order === 0) return index;
    }
    return -1;
  }
}

export function fileAt(files: FileList, index: number): ArchiveFile {
  return { path: pathAt(files, index), size: files.sizes[index], mtime: files.mtimes[index] };
}

export function totalSize(files: FileList): number {
  return files.sizes.reduce((sum, size) => sum + size, 0);
}

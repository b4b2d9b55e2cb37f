import { describe, expect, it } from 'vitest';
import { InByteOrder, pathAt } from './file-list.ts';
import { packFiles } from './testing.ts';

const file = (path: string, size = 1) => ({ path, size, mtime: 0 });
/** Paths in the order of their UTF-8 bytes, the order the store returns them in. */
const byBytes = (paths: string[]) => [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('file list', () => {
  it('meets paths asked in the order of their bytes with its own, also where text and bytes sort otherwise', () => {
    // As JavaScript strings z < é < 😀 < U+E000 < U+FFFD; as UTF-8 bytes 😀 comes last. As a walk lists
    // them: folder by folder, so /a/z/1 before /a/é, and /a.x (a "." sorts before "/") after /a/*.
    const listed = ['/a', '/a/z', '/a/z/1', '/a/é', '/a/😀', '/a/\uE000', '/a/\uFFFD', '/a.x', '/b'];
    const known = byBytes(['/a/z', '/a/y', '/a/😀', '/a/\uE000', '/a.x', '/a.w', '/a/z/1', '/c', '/', '/a/\uFFFE']);
    const inOrder = new InByteOrder(packFiles(listed.map((path) => file(path))));
    expect(known.map((path) => inOrder.find(path))).toEqual(known.map((path) => listed.indexOf(path)));
    expect(new InByteOrder(packFiles([])).find('/a')).toBe(-1);
  });

  it('packs any number of files, their paths of any length, with sizes and mtimes in order', () => {
    const files = Array.from({ length: 5000 }, (_, index) => ({ path: `/${'é'.repeat(index % 97)}/${index}`, size: index * 3, mtime: index * 7 }));
    files.push({ path: `/${'x'.repeat(200_000)}`, size: 1, mtime: 2 }); // longer than the builder's first buffer
    // Folders written once for the files that follow one another in them, and again when come back to.
    for (const path of ['/x/1', '/x/2', '/y/1', '/x/3', '/x/y/1', '/x/', '/1', 'plain', '']) files.push({ path, size: 5, mtime: 6 });
    const packed = packFiles(files);
    expect(packed.count).toBe(files.length);
    expect(files.every((file, index) => pathAt(packed, index) === file.path && packed.sizes[index] === file.size && packed.mtimes[index] === file.mtime)).toBe(true);
    expect(packFiles([]).count).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { indexIn, indexOfPath, pathAt } from './file-list.ts';
import { packFiles } from './testing.ts';

const file = (path: string, size = 1) => ({ path, size, mtime: 0 });
/** Paths in the order of their UTF-8 bytes, the order the store returns them in. */
const byBytes = (paths: string[]) => [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('file list', () => {
  // As JavaScript strings z < é < 😀 < U+E000 < U+FFFD; as UTF-8 bytes 😀 comes last.
  const paths = byBytes(['/a/z', '/a/é', '/a/😀', '/a/\uE000', '/a/\uFFFD', '/a', '/a/z/1', '/b']);

  it('finds each path of a list sorted by bytes, also where text and bytes sort otherwise', () => {
    const sorted = packFiles(paths.map((path) => file(path)));
    expect(paths.map((path) => indexOfPath(sorted, path))).toEqual(paths.map((_, index) => index));
    expect(['/a/y', '/a/z/', '/', '/c', '/a/\uE001', ''].map((path) => indexOfPath(sorted, path))).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(indexOfPath(packFiles([]), '/a')).toBe(-1);
  });

  it('finds the paths of another list, in any order, by their bytes', () => {
    const sorted = packFiles(paths.map((path) => file(path)));
    const listed = ['/b', '/a/😀', '/new', '/a/é'];
    const other = packFiles(listed.map((path) => file(path)));
    expect(listed.map((_, index) => indexIn(sorted, other, index))).toEqual([paths.indexOf('/b'), paths.indexOf('/a/😀'), -1, paths.indexOf('/a/é')]);
  });

  it('finds the paths of another list the same with the place of the path before it as a hint', () => {
    const sorted = packFiles(paths.map((path) => file(path)));
    // Mostly in order, as a walk lists them: new paths between known ones, one out of order, one repeated.
    const listed = ['/a', '/a/new', '/a/z', '/b', '/a/z/1', '/a/é', '/a/é', '/a/😀', '/zz'];
    const other = packFiles(listed.map((path) => file(path)));
    const found: number[] = [];
    for (let index = 0, previous = -1; index < other.count; index++) {
      found.push(indexIn(sorted, other, index, previous));
      if (found[index] >= 0) previous = found[index];
    }
    expect(found).toEqual(listed.map((path) => paths.indexOf(path)));
  });

  it('packs any number of files, their paths of any length, with sizes and mtimes in order', () => {
    const files = Array.from({ length: 5000 }, (_, index) => ({ path: `/${'é'.repeat(index % 97)}/${index}`, size: index * 3, mtime: index * 7 }));
    files.push({ path: `/${'x'.repeat(200_000)}`, size: 1, mtime: 2 }); // longer than the builder's first buffer
    const packed = packFiles(files);
    expect(packed.count).toBe(files.length);
    expect(files.every((file, index) => pathAt(packed, index) === file.path && packed.sizes[index] === file.size && packed.mtimes[index] === file.mtime)).toBe(true);
    expect(packFiles([]).count).toBe(0);
  });
});

import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.ts';

const temp = mkdtempSync(join(tmpdir(), 'lacuna-mkdir-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('creates a folder and the folders above it, and is content when they exist', async () => {
    const deep = join(temp, 'a', 'b', 'c');
    await makeDirectory(deep);
    await makeDirectory(deep);
    await Promise.all([makeDirectory(join(deep, 'd')), makeDirectory(join(deep, 'd', 'e'))]);
    expect(statSync(join(deep, 'd', 'e')).isDirectory()).toBe(true);
  });

  it('fails with the system error where a file stands in the way, or is the path, or a link to nothing is', async () => {
    writeFileSync(join(temp, 'file'), '');
    await expect(makeDirectory(join(temp, 'file', 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(temp, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR', message: `ENOTDIR: not a directory, mkdir '${join(temp, 'file')}'` });
    symlinkSync(join(temp, 'nowhere'), join(temp, 'dangling'));
    await expect(makeDirectory(join(temp, 'dangling'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // node's recursive mkdir never returns here (procfs answers ENOENT); a hang fails by the test's timeout.
  it.skipIf(process.platform !== 'linux')('fails, rather than hangs, where the system says a new folder is missing though its parent exists (/proc)', async () => {
    await expect(makeDirectory('/proc/lacuna-test/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

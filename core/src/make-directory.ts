import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates the folder `path` and those above it that are missing (`mkdir -p`). Node's own
 * recursive mkdir never returns where a file system refuses a new folder by saying it is missing
 * (ENOENT) though the folder above it exists, as /proc does: `lacuna demo /proc/x` and
 * `--store /proc/x` hung with no output. Here such a folder fails with the system's error.
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let folder = resolve(path); !(await exists(folder)); folder = dirname(folder)) {
    missing.push(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of missing.reverse()) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  // What stands there may be a file, or a link to nothing (EEXIST above, or no folder at all).
  const made = await stat(path).catch(() => null);
  if (!made?.isDirectory()) {
    const code = made ? 'ENOTDIR' : 'ENOENT';
    throw Object.assign(new Error(`${code}: ${made ? 'not a directory' : 'no such file or directory'}, mkdir '${path}'`), { code, path });
  }
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

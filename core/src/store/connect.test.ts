import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The embedded engine (npm chdb) is an optional dependency: an install without it (the Docker
 * image, or a platform chdb has no build for) must say what to install when an embedded store is
 * asked for. Its absence is simulated by a module mock whose loading fails as Node's does.
 */
describe('an embedded store without the embedded engine installed', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-no-chdb-'));
  afterEach(() => {
    vi.doUnmock('chdb/connection');
    vi.resetModules();
    rmSync(temp, { recursive: true, force: true });
  });

  it('is refused with an error that names the package to install and the server alternative, and creates nothing', async () => {
    vi.resetModules();
    // Vitest reports a throwing factory as its own error; what matters is what the message adds.
    vi.doMock('chdb/connection', () => {
      throw Object.assign(new Error("Cannot find package 'chdb' imported from /app/core/src/store/connect.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    const { connectStore, StoreUnavailableError } = await import('./connect.ts');
    const target = join(temp, 'store');
    const failure = await connectStore({ kind: 'embedded', target }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    const message = (failure as Error).message;
    expect(message).toContain(target);
    expect(message).toContain('npm install chdb');
    expect(message).toContain('LACUNA_STORE');
    expect(existsSync(target)).toBe(false);
  });
});

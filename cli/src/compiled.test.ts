import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The compiled CLI (vitest's global setup compiles it from these sources), as `lacuna` runs it.
const BIN = fileURLToPath(new URL('../bin/lacuna.js', import.meta.url));

function run(bin: string, args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, LACUNA_STORE: '', LACUNA_DEBUG: '' } }, (error, stdout, stderr) =>
      done({ status: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('the compiled lacuna command', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lacuna-compiled-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('lists its commands', async () => {
    const { status, stdout } = await run(BIN, ['--help'], cwd);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: lacuna COMMAND/);
    expect(stdout).toMatch(/^ {2}scan {2,}/m);
  });

  it('opens the embedded store and reports on it', async () => {
    // A scan of an empty folder makes the store at ./data/lacuna; a report alone would not (no store there).
    mkdirSync(join(cwd, 'nothing'));
    expect((await run(BIN, ['scan', 'nothing'], cwd)).status).toBe(0);
    const { status, stdout, stderr } = await run(BIN, ['segments', '--format', 'json'], cwd);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('scans an archive, reading its files on threads', async () => {
    const archive = join(cwd, 'demo');
    expect((await run(BIN, ['demo', archive], cwd)).status).toBe(0);
    const onThreads = await run(BIN, ['scan', archive, '--read-threads', '2', '--format', 'json', '--store', join(cwd, 'threads')], cwd);
    const here = await run(BIN, ['scan', archive, '--read-threads', '0', '--format', 'json', '--store', join(cwd, 'here')], cwd);
    expect(onThreads.stderr).toBe('');
    const figures = (text: string) => {
      const { filesScanned, records, segments, failures } = JSON.parse(text) as { filesScanned: number; records: number; segments: number; failures: unknown[] };
      return { filesScanned, records, segments, failures };
    };
    expect(figures(onThreads.stdout)).toEqual(figures(here.stdout));
    expect(figures(onThreads.stdout).records).toBeGreaterThan(1000);
  });

  it('stops quietly when what reads its output stops early (lacuna availability | head)', async () => {
    const child = spawn(process.execPath, [BIN, 'availability', '--by', 'hour', '--store', join(cwd, 'threads')], { cwd });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString())));
    child.stdout.destroy();
    const status = await new Promise<number | null>((done) => child.on('close', done));
    expect(first).toMatch(/^channel +hour +percent/);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('refuses a report too large to make, saying how large, with the exit status of a bad request', async () => {
    const { status, stdout, stderr } = await run(BIN, ['availability', '--by', 'hour', '--start', '1850-01-01', '--end', '2000-01-01', '--store', join(cwd, 'threads')], cwd);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^lacuna: availability by hour would be [\d,]+ rows \([\d,]+ channels × 1,314,864 hours\), more than the 1,000,000 made at once/); // 150 years, 36 of them leap years
    expect(status).toBe(2);
  });

  it('says how to build it when it was not built', async () => {
    const checkout = join(cwd, 'unbuilt');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    copyFileSync(BIN, join(checkout, 'bin', 'lacuna.js'));
    const { status, stderr } = await run(join(checkout, 'bin', 'lacuna.js'), ['--help'], cwd);
    expect(status).toBe(1);
    expect(stderr).toBe(`lacuna: ${resolve(checkout, 'dist/lacuna.js')} is missing: run "npm install" (or "npm run build") in ${resolve(checkout, '..')}\n`);
  });
});

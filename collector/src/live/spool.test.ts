/** The spool directory belongs to one process at a time. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

describe('spool directory lock', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-spool-lock-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('refuses a second spool on a directory in use, naming it, and lets it go on close', async () => {
    const dir = join(temp, 'shared');
    const first = await Spool.open(dir);
    expect(readFileSync(join(dir, 'spool.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await expect(Spool.open(dir)).rejects.toThrow(`the spool directory ${dir} is in use by this process; a spool serves one process: give this one its own --spool`);
    await first.close();
    const second = await Spool.open(dir);
    await second.close();
  });

  it('refuses a directory another running process holds', async () => {
    const dir = join(temp, 'other');
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid!;
    try {
      await Spool.open(dir).then((spool) => spool.close());
      writeFileSync(join(dir, 'spool.lock'), `${pid}\n`);
      await expect(Spool.open(dir)).rejects.toThrow(`is in use by process ${pid}`);
    } finally {
      sleeper.kill();
    }
  });

  it('takes over a lock left by a process that is gone, or by an earlier run with this pid (a container restart)', async () => {
    const gone = spawnSync('true').pid!;
    for (const [name, pid] of [['crashed', gone], ['restarted', process.pid]] as const) {
      const dir = join(temp, name);
      await Spool.open(dir).then((spool) => spool.close());
      writeFileSync(join(dir, 'spool.lock'), `${pid}\n`);
      const spool = await Spool.open(dir);
      expect(readFileSync(join(dir, 'spool.lock'), 'utf8')).toBe(`${process.pid}\n`);
      await spool.close();
    }
  });
});

/**
 * Issue 11 case 1 end to end: an archive with one record whose sample rate no series has
 * (factor and multiplier −32768, which once put an end in the year 3e10 into the store and made
 * every report and request fail). The scan names the file, `lacuna files --errors` names it, the
 * reports run, and every endpoint answers for the other channels.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoArchive } from '@lacuna/collector';
import { Store } from '@lacuna/core';
import { runExporter } from './commands/serve.ts';
import type { Io } from './context.ts';
import { lacuna } from './testing/run.ts';

describe('an archive with a record of an impossible sample rate', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-bad-input-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('is scanned with the file named as damaged, and everything else answers', { timeout: 300_000 }, async () => {
    const archive = join(temp, 'archive');
    const store = join(temp, 'store');
    const end = Date.UTC(2024, 4, 10, 12) * 1000;
    await writeDemoArchive(archive, { days: 3, end });
    const bad = readdirSync(archive, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /^XA\.ALPHA\.00\.LHZ\.D\.\d{4}\.\d{3}$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort()[0];
    const bytes = readFileSync(bad);
    bytes.writeInt16BE(-32768, 512 + 32);
    bytes.writeInt16BE(-32768, 512 + 34);
    writeFileSync(bad, bytes);

    const scan = await lacuna('scan', archive, '--store', store);
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stdout).toContain(`${bad}: sample rate 9.31e-10 Hz is below one sample a year (3.16e-8 Hz) (factor -32768, multiplier -32768) (at byte 512)`);
    const errors = await lacuna('files', '--errors', '--format', 'json', '--store', store);
    expect(JSON.parse(errors.stdout)).toEqual([expect.objectContaining({ path: bad, status: 'error', error_offset: 512 })]);
    for (const report of ['segments', 'gaps', 'availability']) expect((await lacuna(report, '--store', store)).status, report).toBe(0);

    const opened = await Store.open({ kind: 'embedded', target: store });
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Io;
    const exporter = await runExporter(opened, { listen: '127.0.0.1:0' }, quiet, []);
    try {
      const range = 'from=2024-05-08T00:00:00Z&to=2024-05-10T12:00:00Z';
      for (const path of [
        `/api/v1/timeline?channel=*&${range}`,
        `/api/v1/stats?channel=*&${range}`,
        `/api/v1/completion?channel=*&${range}`,
        '/fdsnws/availability/1/query?net=*&start=2024-05-08&end=2024-05-11',
        '/fdsnws/availability/1/extent?net=*',
        '/available/XA.ALPHA.00.LHZ',
        '/metrics',
      ]) {
        expect(`${path} ${(await fetch(`${exporter.url}${path}`)).status}`).toBe(`${path} 200`);
      }
    } finally {
      await exporter.close();
      await opened.close();
    }
  });
});

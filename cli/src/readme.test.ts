import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSeries, writeDemoArchive } from '@lacuna/collector';
import { FakeSeedLinkServer } from '@lacuna/collector/testing';
import { runProcess, type ProcessRun } from './testing/run.ts';

/**
 * The README's command examples, run as a person would type them: each line of every code block
 * marked `<!-- readme-examples … -->` is given to a shell, in a folder where the demo archive was
 * written (as `npm start` leaves it), with `lacuna` on the PATH. The SeedLink server of the
 * seedlink-info example is played by the collector's test double on loopback.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'cli/bin/lacuna.js');
const MARKER = /<!-- readme-examples[^>]*-->\n```sh\n([\s\S]*?)```/g;

function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(MARKER)].flatMap((match) => match[1].split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')));
}

function shell(line: string, cwd: string): Promise<ProcessRun> {
  return runProcess('sh', ['-c', line], { cwd, env: { ...process.env, PATH: `${join(cwd, 'bin')}:${process.env.PATH}`, LACUNA_STORE: '', LACUNA_LISTEN: '' } });
}

describe('the README and docs/ stand alone', () => {
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

  it('name no path outside the repository, and every link they make leads to a file in it', () => {
    expect(pages).toEqual(expect.arrayContaining(['docs/definitions.md', 'docs/architecture.md', 'docs/storage.md']));
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      expect(text, page).not.toMatch(/\.\.\/shared|\/work\/|DESIGN\.md/);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const path = resolve(dirname(join(ROOT, page)), target.replace(/#.*$/, ''));
        expect(path.startsWith(`${ROOT}/`), `${page}: ${target}`).toBe(true);
        expect(existsSync(path), `${page}: ${target}`).toBe(true);
      }
    }
  });
});

describe('the README examples', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lacuna-readme-'));
  let seedlink: FakeSeedLinkServer;
  beforeAll(async () => {
    await writeDemoArchive(join(cwd, 'data/demo'), { days: 4 });
    mkdirSync(join(cwd, 'bin'));
    symlinkSync(BIN, join(cwd, 'bin/lacuna'));
    seedlink = await new FakeSeedLinkServer('ringserver').listen(0);
    seedlink.add(encodeSeries({ network: 'GE', station: 'APE', location: '', channel: 'BHZ', start: Date.UTC(2024, 4, 1) * 1000, sampleRate: 20, totalSamples: 2000 }));
  });
  afterAll(async () => {
    await seedlink.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('are found in the README', () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(examples.every((line) => line.startsWith('lacuna '))).toBe(true);
  });

  it('each run as written, in order, exit 0 and print what they were asked for', async () => {
    for (const example of readmeExamples()) {
      const line = example.replace('geofon.gfz.de:18000', `127.0.0.1:${seedlink.port}`);
      const run = await shell(line, cwd);
      expect(run.stderr, example).not.toMatch(/^lacuna: /m);
      expect(run.status, `${example}\n${run.stderr}`).toBe(0);
      expect(run.stdout.trim(), example).not.toBe('');
    }
  });
});

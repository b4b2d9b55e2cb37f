import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressLine, terminalProgress } from './progress.ts';

const MB = 1024 * 1024;

describe('scan progress', () => {
  it('says what the listing has found so far, then files, MB, rate and time left while reading', () => {
    expect(progressLine({ phase: 'listing', filesTotal: 0, filesDone: 52_000, bytesTotal: 0, bytesDone: 300 * MB, elapsedMs: 4000 })).toBe('listing the archive: 52000 files, 300 MB found so far');
    expect(progressLine({ phase: 'reading', filesTotal: 100, filesDone: 25, bytesTotal: 400 * MB, bytesDone: 100 * MB, elapsedMs: 2000 })).toBe('scanning 25/100 files, 100/400 MB, 50 MB/s, ETA 0:06');
  });

  it('writes one line on a terminal, replaced as it goes and cleared at the end; nothing to a pipe', () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.WriteStream;
    let written = '';
    (terminal as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = terminalProgress(terminal);
    progress.update({ phase: 'listing', filesTotal: 0, filesDone: 1000, bytesTotal: 0, bytesDone: MB, elapsedMs: 100 });
    progress.update({ phase: 'reading', filesTotal: 2, filesDone: 2, bytesTotal: 2 * MB, bytesDone: 2 * MB, elapsedMs: 160 }); // the last file: shown however soon after the last line
    progress.clear();
    expect(written).toBe('\r\x1b[Klisting the archive: 1000 files, 1 MB found so far\r\x1b[Kscanning 2/2 files, 2/2 MB, 13 MB/s, ETA 0:00\r\x1b[K');

    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let piped = '';
    (pipe as unknown as PassThrough).on('data', (chunk: Buffer) => (piped += chunk.toString()));
    terminalProgress(pipe).update({ phase: 'listing', filesTotal: 0, filesDone: 1000, bytesTotal: 0, bytesDone: MB, elapsedMs: 100 });
    expect(piped).toBe('');
  });
});

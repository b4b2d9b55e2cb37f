import type { ScanProgress } from '@lacuna/collector';

const MB = 1024 * 1024;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The progress line: while listing, what was found so far; while reading, files, MB, MB/s and ETA. */
export function progressLine(p: ScanProgress): string {
  if (p.phase === 'listing') return `listing the archive: ${p.filesDone} files, ${(p.bytesDone / MB).toFixed(0)} MB found so far`;
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.bytesDone / MB / seconds : 0;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / MB / rate : Infinity;
  return `scanning ${p.filesDone}/${p.filesTotal} files, ${(p.bytesDone / MB).toFixed(0)}/${(p.bytesTotal / MB).toFixed(0)} MB, ${rate.toFixed(0)} MB/s, ETA ${duration(eta)}`;
}

/**
 * Progress for long work, on a terminal only (a pipe or a log stays quiet), at most five times a
 * second, on one line that the final summary replaces.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  let shown = false;
  return {
    update(p: ScanProgress) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 200 && (p.phase === 'listing' || p.filesDone < p.filesTotal)) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${progressLine(p)}`);
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

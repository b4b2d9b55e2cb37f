/**
 * A reading thread of the archive scan (readers.ts): reads the files it is sent into their
 * segments (scan-file.ts) and sends each file's scan back, tagged with the request's id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ToleranceRule } from '@lacuna/core';
import { scanFile } from './scan-file.ts';
import type { ArchiveFile } from './walk.ts';

export interface ReadRequest {
  id: number;
  file: ArchiveFile;
}

const rules = (workerData as { rules: ToleranceRule[] }).rules;

parentPort!.on('message', ({ id, file }: ReadRequest) => {
  void scanFile(file, rules).then((scan) => parentPort!.postMessage({ id, scan }));
});

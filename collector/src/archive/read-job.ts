/**
 * What the archive scan's storing thread (readers.ts) and its reading threads (read-worker.ts)
 * share: a job's list of files and the counters by which the threads take them.
 */
import type { FileScan } from '@lacuna/core';
import type { FileList } from './file-list.ts';

/** In a job's `progress`: the index of the next file to take. */
export const READ_CLAIMED = 0;
/** In a job's `progress`: files before this index may be taken (the rest wait: readers.ts READ_WINDOW)... */
export const READ_LIMIT = 1;
/** ...plus this many: files taken and left unread (skipped), which are not waited for. */
export const READ_PASSED = 2;
/** Counters in a job's `progress`. */
export const READ_COUNTERS = 3;

export interface ReadJob {
  files: FileList;
  progress: Int32Array;
  /** 1 for a file to leave unread. */
  skipped: Uint8Array;
}

/** A file's scan and its index in the job's list, or (without one) this thread has taken its last file of the job. */
export type ReadResult = { scan: FileScan; index: number } | { scan?: undefined };

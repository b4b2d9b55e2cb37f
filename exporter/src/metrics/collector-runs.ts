import type { Store } from '@lacuna/core';
import type { Micros } from '@lacuna/core';

/**
 * The collector's health as the collector_runs table records it, so the exporter reports it
 * whether the collector runs in this process or in another one against the same store.
 */
export interface CollectorHealth {
  /** Finished scans by outcome (a run still `running`, or killed before it finished, is not counted). */
  scans: { ok: number; failed: number };
  /** Files read, and files that could not be read, summed over all runs. */
  filesScanned: number;
  filesFailed: number;
  /** Durations of finished scans: `counts[i]` lasted ≤ `bounds[i]` seconds (cumulative). */
  duration: { bounds: readonly number[]; counts: number[]; count: number; sumSeconds: number };
  /** When the newest successful scan finished; null when none has. */
  lastSuccessfulScan: Micros | null;
}

/** From a sub-second incremental rescan to a day-long first scan of a large archive. */
export const SCAN_DURATION_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/** Reads the collector's health in two queries (collector_runs is a ReplacingMergeTree: FINAL). */
export async function collectorHealth(store: Store): Promise<CollectorHealth> {
  const bounds = SCAN_DURATION_BUCKETS;
  const [[totals], buckets] = await Promise.all([
    store.rows<{ ok: number; failed: number; files_scanned: number; files_failed: number; last_ok_us: number | null }>(
      `SELECT countIf(status = 'ok') AS ok, countIf(status = 'failed') AS failed,
              sum(files_scanned) AS files_scanned, sum(files_failed) AS files_failed,
              toUnixTimestamp64Micro(maxIf(finished_at, status = 'ok')) AS last_ok_us
       FROM collector_runs FINAL`,
    ),
    // Each finished run's bucket: the index (1-based) of the first bound it fits under, 0 for none.
    store.rows<{ bucket: number; runs: number; total_seconds: number }>(
      `SELECT arrayFirstIndex(bound -> duration <= bound, {bounds:Array(Float64)}) AS bucket, count() AS runs, sum(duration) AS total_seconds
       FROM (SELECT (toUnixTimestamp64Micro(assumeNotNull(finished_at)) - toUnixTimestamp64Micro(started_at)) / 1e6 AS duration
             FROM collector_runs FINAL
             WHERE status IN ('ok', 'failed') AND finished_at IS NOT NULL)
       GROUP BY bucket`,
      { bounds: [...bounds] },
    ),
  ]);
  const perBucket = new Array<number>(bounds.length).fill(0);
  let count = 0;
  let sumSeconds = 0;
  for (const row of buckets) {
    if (row.bucket > 0) perBucket[row.bucket - 1] += row.runs;
    count += row.runs;
    sumSeconds += row.total_seconds;
  }
  let running = 0;
  const counts = perBucket.map((runs) => (running += runs));
  return {
    scans: { ok: totals?.ok ?? 0, failed: totals?.failed ?? 0 },
    filesScanned: totals?.files_scanned ?? 0,
    filesFailed: totals?.files_failed ?? 0,
    duration: { bounds, counts, count, sumSeconds },
    // maxIf over no row gives NULL, or the epoch on some versions: both mean "never".
    lastSuccessfulScan: totals?.last_ok_us ? totals.last_ok_us : null,
  };
}

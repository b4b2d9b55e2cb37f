export { collectorHealth, SCAN_DURATION_BUCKETS, type CollectorHealth } from './collector-runs.ts';
export { MetricFamily, formatValue } from './exposition.ts';
export { DEFAULT_REFRESH_INTERVAL_MS, METRICS_CONTENT_TYPE, MetricsRefresher, type MetricsOptions, type RefreshResult, type ScrapeBody } from './refresher.ts';
export { metricsRouter } from './router.ts';
export { METRICS_LEVELS, parseMetricsLevel, renderStoreMetrics, STORE_METRICS_HELP, type MetricsLevel } from './store-metrics.ts';

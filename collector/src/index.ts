// The collector's entry point: what the CLI, the exporter and the benchmarks use.
export * from './mseed/index.ts';
export * from './demo/index.ts';
export * from './metadata/index.ts';
export * from './archive/scan.ts';
export * from './archive/scan-file.ts';
export * from './archive/walk.ts';
export * from './archive/layouts.ts';
export * from './live/writer.ts';
export { isRunning } from './live/spool.ts';
export * from './live/expected-streams.ts';
export * from './filedrop/filename.ts';
export * from './filedrop/pipeline.ts';
export * from './seedlink/protocol.ts';
export * from './seedlink/client.ts';
export * from './seedlink/info.ts';
export * from './seedlink/source.ts';

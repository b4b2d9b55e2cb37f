// The collector's entry points, as the package exports them (the CLI imports the modules directly).
export * from './mseed/index.ts';
export * from './demo/index.ts';
export * from './metadata/index.ts';
export { scanArchive, ScanRootError, type ScanOptions, type ScanProgress, type ScanReport } from './archive/scan.ts';
export { compileLayout, LayoutError, type Layout } from './archive/layouts.ts';
export { LiveWriter } from './live/writer.ts';
export { SeedLinkSource } from './seedlink/source.ts';

export {
  DEMO_MANIFEST,
  MAX_DEMO_DAYS,
  writeDemoArchive,
  type DemoExpectedAlert,
  type DemoLiveChannel,
  type DemoChannelInfo,
  type DemoGap,
  type DemoGapSize,
  type DemoManifest,
  type DemoOptions,
  type DemoOverlap,
} from './demo.ts';
export { sdsRelativePath } from './sds.ts';
export { writeSyntheticArchive, type SyntheticArchiveOptions, type SyntheticArchiveResult } from './synthetic.ts';
export { extendDemoArchive, readDemoManifest, startDemoDigitiser, type DemoDigitiser } from './live.ts';

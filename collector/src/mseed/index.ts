export {
  MseedFormatError,
  parseRecordHeader,
  scanMseedFile,
  MAX_V2_RECORD_LENGTH,
  MIN_V2_RECORD_LENGTH,
  MAX_V3_RECORD_LENGTH,
  type MseedRecordHeader,
  type MseedRecordCallback,
  type MseedScanOptions,
  type MseedScanResult,
} from './reader.ts';
export { encodeMseed2Record, encodeMseed3Record, encodeSeries, maxSamplesPerRecord, type RecordSpec } from './writer.ts';
export { crc32c } from './crc32c.ts';

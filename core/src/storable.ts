/**
 * THE rule for what data the store can hold: one place, used at every boundary where data enters
 * (the miniSEED reader for files and SeedLink packets, push ingest, channel metadata). Data that
 * breaks it is refused where it enters, with the reason, so that nothing downstream (the segment
 * engine, inserts, rollups, every reader of the store) ever meets a time it cannot represent.
 *
 * Times: the store's DateTime64(6) holds 1900-01-01 .. 2299-12-31, and a time is an integer
 * number of microseconds in a JS number, exact only up to Number.MAX_SAFE_INTEGER
 * (2255-06-05T23:47:34.740991Z). A storable time is a safe integer in both ranges.
 *
 * Sample rates: finite and positive, at most 1 MHz (times are whole microseconds: above that,
 * consecutive samples share a time and every record boundary would look like an overlap) and at
 * least one sample a year (a "rate" below that is a damaged header: SEED's factor and multiplier
 * both −32768 give 9.3e-10 Hz, one sample per 34 years, and a 1e-30 Hz blockette 100 one per
 * 3e22 years). A record's last sample and the end of what it covers (last sample + Δ) must be
 * storable times too.
 */
import { MICROS_PER_SECOND, type Micros } from './model.ts';
import { daysBeforeYear, formatTime } from './time.ts';

/** 1900-01-01T00:00:00Z, the earliest time the store holds. */
export const EARLIEST_STORABLE_TIME: Micros = daysBeforeYear(1900) * 86_400 * MICROS_PER_SECOND;
/** 2255-06-05T23:47:34.740991Z: the last exact microsecond in a JS number (the store's own range runs to 2299). */
export const LATEST_STORABLE_TIME: Micros = Number.MAX_SAFE_INTEGER;
/** One sample a (leap) year, in Hz. */
export const LOWEST_SAMPLE_RATE = 1 / (366 * 86_400);
/** One sample a microsecond, in Hz. */
export const HIGHEST_SAMPLE_RATE = MICROS_PER_SECOND;

const RANGE = `${formatTime(EARLIEST_STORABLE_TIME)} .. ${formatTime(LATEST_STORABLE_TIME)}`;

function describeTime(t: number): string {
  return Number.isSafeInteger(t) ? formatTime(t) : `${t} µs`;
}

/** Why `t` (epoch µs) cannot be stored, or null when it can. `what` names it in the reason ("start"). */
export function timeProblem(t: number, what = 'time'): string | null {
  if (!Number.isSafeInteger(t)) {
    return Number.isFinite(t) && Number.isInteger(t)
      ? `${what} ${t} µs is outside the storable range ${RANGE}`
      : `${what} ${t} is not a whole number of microseconds`;
  }
  if (t < EARLIEST_STORABLE_TIME || t > LATEST_STORABLE_TIME) {
    return `${what} ${describeTime(t)} is outside the storable range ${RANGE}`;
  }
  return null;
}

/** Why a sample rate (Hz) cannot be stored, or null when it can. */
export function sampleRateProblem(rate: number): string | null {
  if (!Number.isFinite(rate) || rate <= 0) return `sample rate ${rate} Hz is not a positive finite number`;
  if (rate < LOWEST_SAMPLE_RATE) return `sample rate ${rate.toPrecision(3)} Hz is below one sample a year (${LOWEST_SAMPLE_RATE.toPrecision(3)} Hz)`;
  if (rate > HIGHEST_SAMPLE_RATE) return `sample rate ${rate.toPrecision(3)} Hz is above one sample a microsecond (${HIGHEST_SAMPLE_RATE} Hz)`;
  return null;
}

/** A run of samples as it enters: first sample time, count, rate; `end` (the last sample) when the source gives it. */
export interface IncomingData {
  start: number;
  samples: number;
  sampleRate: number;
  end?: number;
}

/**
 * Why a record, packet or pushed segment cannot be stored, or null when it can. A record without
 * samples or without a rate (sample rate 0: log records, opaque data) holds no timed samples, so
 * only its start is checked; the segment engine ignores it.
 */
export function dataProblem(data: IncomingData): string | null {
  const startProblem = timeProblem(data.start, 'start');
  if (startProblem !== null) return startProblem;
  if (!Number.isSafeInteger(data.samples) || data.samples < 0) return `sample count ${data.samples} is not a whole number ≥ 0`;
  if (data.samples === 0 || data.sampleRate === 0) return null;
  const rateProblem = sampleRateProblem(data.sampleRate);
  if (rateProblem !== null) return rateProblem;
  const period = MICROS_PER_SECOND / data.sampleRate;
  const end = data.end ?? data.start + Math.round((data.samples - 1) * period);
  const endProblem = timeProblem(end, 'last sample');
  if (endProblem !== null) return `${endProblem} (${data.samples} samples at ${data.sampleRate} Hz)`;
  if (end < data.start) return `last sample ${describeTime(end)} is before the start ${describeTime(data.start)}`;
  const coveredEndProblem = timeProblem(Math.round(end + period), 'end of the last sample interval');
  if (coveredEndProblem !== null) return coveredEndProblem;
  return null;
}

/**
 * Time axes of both panels, pure: ticks on calendar boundaries of the dashboard's zone (round
 * hours, midnights, Mondays, month and year starts, or days of the year), as far apart as their
 * measured labels need, and no label that overlaps another or a reserved stretch.
 */
import { localFields, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_MS, MICROS_PER_SECOND, utcOfLocal, zoneOffsetUs } from './time';

export interface AxisTick {
  us: number;
  x: number;
  /** Null where the label would overlap another: the tick mark is still drawn. */
  label: string | null;
}

export interface AxisRequest {
  fromUs: number;
  toUs: number;
  /** The plot's pixel range: labels stay inside it. */
  left: number;
  right: number;
  xOf: (us: number) => number;
  /** IANA zone (`UTC`, `Europe/Berlin`). */
  zone: string;
  /** Width of a label in the axis font, CSS pixels. */
  measure: (text: string) => number;
  /** No ticks finer than this (a grid's bucket). */
  minStepUs?: number;
  /** Days of the year (`2024.061`) instead of dates. */
  dayOfYear?: boolean;
  /** x ranges no label may cover (the zone's name). */
  reserved?: ReadonlyArray<readonly [number, number]>;
}

/** Space between neighbouring labels, CSS pixels. */
export const LABEL_GAP = 12;

type Unit = 'ms' | 's' | 'm' | 'h' | 'day' | 'month' | 'year';

interface Step {
  /** Approximate length, for choosing. */
  us: number;
  unit: Unit;
  count: number;
}

const MONTH_US = 30.44 * MICROS_PER_DAY;
const YEAR_US = 365.25 * MICROS_PER_DAY;

const STEPS: Step[] = [
  ...[1, 10, 100].map((count) => ({ us: count * MICROS_PER_MS, unit: 'ms' as const, count })),
  ...[1, 5, 15, 30].map((count) => ({ us: count * MICROS_PER_SECOND, unit: 's' as const, count })),
  ...[1, 5, 15, 30].map((count) => ({ us: count * MICROS_PER_MINUTE, unit: 'm' as const, count })),
  ...[1, 3, 6, 12].map((count) => ({ us: count * MICROS_PER_HOUR, unit: 'h' as const, count })),
  // Days: every day, every other day, Mondays, the 1st and 16th.
  ...[1, 2, 7, 15].map((count) => ({ us: count * MICROS_PER_DAY, unit: 'day' as const, count })),
  ...[1, 3, 6].map((count) => ({ us: count * MONTH_US, unit: 'month' as const, count })),
  ...[1, 2, 5, 10, 20, 50, 100].map((count) => ({ us: count * YEAR_US, unit: 'year' as const, count })),
];

const DAY_OF_YEAR_STEPS: Step[] = [1, 2, 5, 10, 20, 50, 100].map((count) => ({ us: count * MICROS_PER_DAY, unit: 'day' as const, count }));

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function dayOfYear(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
}

/** The label of a tick at `us` for a step: the date at midnights, the time of day otherwise. */
function labelOf(us: number, step: Step, zone: string, doy: boolean): string {
  const f = localFields(us, zone);
  const date = doy ? `${pad(f.year, 4)}.${pad(dayOfYear(f.year, f.month, f.day), 3)}` : `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
  switch (step.unit) {
    case 'year':
      return pad(f.year, 4);
    case 'month':
      return doy ? date : `${pad(f.year, 4)}-${pad(f.month, 2)}`;
    case 'day':
      return date;
    default: {
      const midnight = f.hour === 0 && f.minute === 0 && f.second === 0 && Math.floor(us / MICROS_PER_MS) % 1000 === 0;
      if (midnight && step.unit !== 'ms') return date;
      const hm = `${pad(f.hour, 2)}:${pad(f.minute, 2)}`;
      if (step.unit === 'h' || step.unit === 'm') return hm;
      if (step.unit === 's') return `${hm}:${pad(f.second, 2)}`;
      return `${hm}:${pad(f.second, 2)}.${pad(Math.floor(us / MICROS_PER_MS) % 1000, 3)}`;
    }
  }
}

/** The widest label a step can have (sample texts in the same digits). */
function widestLabel(step: Step, measure: (text: string) => number, doy: boolean): number {
  const date = doy ? '0000.000' : '0000-00-00';
  const samples: Record<Unit, string[]> = {
    ms: ['00:00:00.000'],
    s: ['00:00:00', date],
    m: ['00:00', date],
    h: ['00:00', date],
    day: [date],
    month: [doy ? date : '0000-00'],
    year: ['0000'],
  };
  return Math.max(...samples[step.unit].map(measure));
}

function chooseStep(request: AxisRequest): Step {
  const pixelsPerUs = (request.right - request.left) / (request.toUs - request.fromUs);
  const steps = (request.dayOfYear ? [...DAY_OF_YEAR_STEPS, ...STEPS.filter((s) => s.unit === 'year')] : STEPS).filter((s) => s.us >= (request.minStepUs ?? 0));
  for (const step of steps) {
    if (step.us * pixelsPerUs >= widestLabel(step, request.measure, request.dayOfYear ?? false) + LABEL_GAP) return step;
  }
  return steps[steps.length - 1];
}

/** Tick times (UTC µs) of a step within [from, to], on the zone's calendar. */
function tickTimes(step: Step, fromUs: number, toUs: number, zone: string, doy: boolean): number[] {
  const out: number[] = [];
  const push = (us: number) => {
    if (us >= fromUs && us <= toUs && us !== out[out.length - 1]) out.push(us);
  };
  if (step.unit !== 'day' && step.unit !== 'month' && step.unit !== 'year') {
    // Round local wall-clock times; each converted back at its own offset (DST).
    const size = step.us;
    const localFrom = fromUs + zoneOffsetUs(fromUs, zone);
    const localTo = toUs + zoneOffsetUs(toUs, zone);
    for (let local = Math.ceil(localFrom / size) * size; local <= localTo; local += size) push(utcOfLocal(local, zone));
    return out;
  }
  const first = localFields(fromUs, zone);
  const midnight = (year: number, month: number, day: number) => utcOfLocal(Date.UTC(year, month - 1, day) * MICROS_PER_MS, zone);
  if (step.unit === 'day') {
    for (let day = first.day; ; day++) {
      const us = midnight(first.year, first.month, day);
      if (us > toUs) break;
      const date = new Date(Date.UTC(first.year, first.month - 1, day));
      const epochDay = Math.round(date.getTime() / 86_400_000);
      const keep = doy
        ? step.count === 1 || dayOfYear(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()) % step.count === 0
        : step.count === 1 || (step.count === 2 && epochDay % 2 === 0) || (step.count === 7 && date.getUTCDay() === 1) || (step.count === 15 && (date.getUTCDate() === 1 || date.getUTCDate() === 16));
      if (keep) push(us);
    }
    return out;
  }
  if (step.unit === 'month') {
    for (let month = first.month; ; month++) {
      const us = midnight(first.year, month, 1);
      if (us > toUs) break;
      if ((month - 1) % step.count === 0) push(us);
    }
    return out;
  }
  for (let year = Math.ceil(first.year / step.count) * step.count; ; year += step.count) {
    const us = midnight(year, 1, 1);
    if (us > toUs) break;
    push(us);
  }
  return out;
}

/**
 * The axis's ticks: the finest calendar step whose labels fit side by side, then every label
 * that would still touch its neighbour, the plot's edges or a reserved stretch left out.
 */
export function calendarTicks(request: AxisRequest): AxisTick[] {
  const { fromUs, toUs, left, right } = request;
  if (!(right > left && toUs > fromUs)) return [];
  const step = chooseStep(request);
  const doy = request.dayOfYear ?? false;
  const taken: Array<readonly [number, number]> = [...(request.reserved ?? [])];
  return tickTimes(step, fromUs, toUs, request.zone, doy).map((us) => {
    const x = request.xOf(us);
    const text = labelOf(us, step, request.zone, doy);
    const half = request.measure(text) / 2;
    const box = [x - half - LABEL_GAP / 2, x + half + LABEL_GAP / 2] as const;
    const fits = x - half >= left && x + half <= right && taken.every(([a, b]) => box[1] <= a || box[0] >= b);
    if (fits) taken.push(box);
    return { us, x, label: fits ? text : null };
  });
}

/** The name an axis shows for its zone: `UTC`, or the IANA name with its current offset. */
export function zoneCaption(zone: string, atUs: number): string {
  if (zone === 'UTC') return 'UTC';
  const offset = zoneOffsetUs(atUs, zone) / MICROS_PER_MINUTE;
  const sign = offset < 0 ? '−' : '+';
  const abs = Math.abs(offset);
  return `${zone} (UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60, 2)}` : ''})`;
}

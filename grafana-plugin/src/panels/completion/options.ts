import type { StateColorOverrides } from '../../shared/palette';
/** The completion map's options, as the panel editor stores them. */
export type CompletionSort = 'name' | 'availability';
export type ColorMode = 'thresholds' | 'gradient';

export interface CompletionOptions {
  sortBy: CompletionSort;
  /** Station header rows (with the station's mean per bucket) above their channels; they collapse. */
  groupByStation: boolean;
  rowHeight: number;
  /** thresholds: the colour of the highest step reached; gradient: red → yellow → green between min and max. */
  colorMode: ColorMode;
  /** Gradient: percent at the red end and at the green end. */
  gradientMin: number;
  gradientMax: number;
  showTotals: boolean;
  /** Axis labels: dates at month starts, Mondays or days; or days of the year (`2024.061`). */
  axisLabels: AxisLabels;
  /** Colours of states chosen in the panel editor (Grafana colour names or CSS colours); absent or empty: the default palette. */
  stateColors: StateColorOverrides;
}

export type AxisLabels = 'date' | 'dayOfYear';

export const DEFAULT_COMPLETION_OPTIONS: CompletionOptions = {
  sortBy: 'name',
  groupByStation: true,
  rowHeight: 16,
  colorMode: 'thresholds',
  gradientMin: 80,
  gradientMax: 100,
  showTotals: true,
  axisLabels: 'date',
  stateColors: {},
};

/** Threshold steps of the default field config: below 90% red, 90–99% orange, 99% up green. */
export const DEFAULT_THRESHOLD_STEPS = [
  { value: -Infinity, color: 'red' },
  { value: 90, color: 'orange' },
  { value: 99, color: 'green' },
];

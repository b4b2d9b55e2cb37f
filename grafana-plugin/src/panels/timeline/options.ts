import type { StateColorOverrides } from '../../shared/palette';
/** The timeline panel's options, as the panel editor stores them. */
export type SortOrder = 'name' | 'availability' | 'longestGap';

export interface TimelineOptions {
  sortBy: SortOrder;
  /** Group rows under network and station headers that collapse. */
  groupByStation: boolean;
  /** Row height in CSS pixels. */
  rowHeight: number;
  /** Colour missing time by gap length: short, medium (the missing colour) and long gaps. */
  colorGapsByLength: boolean;
  /** Gaps shorter than this many seconds are short. */
  shortGapSeconds: number;
  /** Gaps at least this many seconds long are long. */
  longGapSeconds: number;
  showLegend: boolean;
  /**
   * Link of a row's label, for drilldown: `${__row.channel}`, `${__row.network}`, `${__row.station}`,
   * `${__row.location}`, `${__row.code}`, plus dashboard variables and `${__from}`/`${__to}`.
   */
  rowLink: string;
  /** Colours of states chosen in the panel editor (Grafana colour names or CSS colours); absent or empty: the default palette. */
  stateColors: StateColorOverrides;
}

export const DEFAULT_TIMELINE_OPTIONS: TimelineOptions = {
  sortBy: 'name',
  groupByStation: true,
  rowHeight: 20,
  colorGapsByLength: false,
  shortGapSeconds: 60,
  longGapSeconds: 86_400,
  showLegend: true,
  rowLink: '',
  stateColors: {},
};

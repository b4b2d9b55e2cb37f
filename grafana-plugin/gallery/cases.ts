/** What the gallery's node side reports about the data it prepared, for choosing what to hover. */

/** One channel of the 30-channel case: the runs of samples it has, and what it shows. */
export interface CaseChannel {
  id: string;
  /** What a person should see on this row. */
  shows: string;
  /** [first sample, last sample + Δ) runs, µs. */
  runs: Array<[number, number]>;
  /** Metadata epoch start, µs (default: before the window). */
  epochStart?: number;
  /** A time worth hovering for the tooltip, µs. */
  hoverAt?: number;
}

export interface GalleryCase {
  fromUs: number;
  toUs: number;
  channels: CaseChannel[];
}

/**
 * What both panels' row lists share, pure: group headers that stay pinned under the axis while
 * their rows scroll by, and label sizes that follow the row height.
 */

/** A row as the pinning needs it: group headers have a depth below their children's. */
export interface NestedRow {
  depth: number;
  /** Whether the row heads a group (network or station). */
  isGroup: boolean;
}

/** The nesting of a row list: each row's header (-1 at the top level) and each header's last row. */
export interface RowNesting {
  parents: Int32Array;
  lastRow: Int32Array;
}

export function rowNesting(rows: readonly NestedRow[]): RowNesting {
  const parents = new Int32Array(rows.length);
  const lastRow = new Int32Array(rows.length);
  const openAtDepth: number[] = [];
  rows.forEach((row, i) => {
    openAtDepth.length = row.depth;
    parents[i] = row.depth > 0 ? (openAtDepth[row.depth - 1] ?? -1) : -1;
    lastRow[i] = i;
    for (let p = parents[i]; p >= 0; p = parents[p]) lastRow[p] = i;
    if (row.isGroup) openAtDepth[row.depth] = i;
  });
  return { parents, lastRow };
}

/**
 * The group headers to pin at the top of the rows area, outermost first, while the first row in
 * view belongs to them. A header leaves once its last row has gone under the pinned band, so
 * the next group's own header scrolls into place.
 */
export function pinnedHeaders(first: number, nesting: RowNesting): number[] {
  const chain: number[] = [];
  if (first <= 0 || first >= nesting.parents.length) return chain;
  for (let p = nesting.parents[first]; p >= 0; p = nesting.parents[p]) chain.unshift(p);
  return chain.filter((header, slot) => nesting.lastRow[header] >= first + slot);
}

export interface PinnedHeader {
  /** Row index of the header. */
  index: number;
  /** Canvas y of its top: its slot under the axis, or higher while its group's last row pushes it out. */
  top: number;
}

/**
 * Where the pinned headers are drawn, as CSS position: sticky would put them: each in its slot
 * below the axis (outermost first), pushed up by its group's end so the next group's header
 * takes over smoothly. `firstTop` is the canvas y of row `first`'s top.
 */
export function pinnedLayout(first: number, firstTop: number, nesting: RowNesting, rowsTop: number, rowHeight: number): PinnedHeader[] {
  return pinnedHeaders(first, nesting).map((index, slot) => {
    const groupBottom = firstTop + (nesting.lastRow[index] - first + 1) * rowHeight;
    return { index, top: Math.min(rowsTop + slot * rowHeight, groupBottom - rowHeight) };
  });
}

/** The pinned header under canvas y, or -1. Outer headers lie over inner ones pushed up beneath them. */
export function pinnedHeaderAt(y: number, pinned: readonly PinnedHeader[], rowHeight: number): number {
  for (const header of pinned) if (y >= header.top && y < header.top + rowHeight) return header.index;
  return -1;
}

/** A hit on a row, corrected for the pinned headers: where one covers the rows, the hit is on it. */
export function withPinnedHeader<T extends { rowIndex: number }>(hit: T, y: number, view: { first: number; firstTop: number }, nesting: RowNesting, rowsTop: number, rowHeight: number): T {
  if (hit.rowIndex < 0) return hit;
  const header = pinnedHeaderAt(y, pinnedLayout(view.first, view.firstTop, nesting, rowsTop, rowHeight), rowHeight);
  return header >= 0 ? { ...hit, rowIndex: header } : hit;
}

/**
 * The font size of row labels at a row height: the panel's size while it fits with a little air,
 * smaller below that, and no labels (0) below 8 px, where text only smears (the tooltip names the row).
 */
export function rowLabelSize(rowHeight: number, fontSize: number): number {
  const size = Math.min(fontSize, Math.floor(rowHeight - 3));
  return size >= 8 ? size : 0;
}

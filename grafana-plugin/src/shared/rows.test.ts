import { describe, expect, it } from 'vitest';
import { pinnedHeaderAt, pinnedHeaders, pinnedLayout, rowLabelSize, rowNesting, type NestedRow } from './rows';

// 0 XA · 1 XA.ALPHA · 2–4 its channels · 5 XA.BRAVO · 6–7 its channels · 8 YB · 9 YB.ZULU · 10 channel
const rows: NestedRow[] = [
  { depth: 0, isGroup: true },
  { depth: 1, isGroup: true },
  { depth: 2, isGroup: false },
  { depth: 2, isGroup: false },
  { depth: 2, isGroup: false },
  { depth: 1, isGroup: true },
  { depth: 2, isGroup: false },
  { depth: 2, isGroup: false },
  { depth: 0, isGroup: true },
  { depth: 1, isGroup: true },
  { depth: 2, isGroup: false },
];
const nesting = rowNesting(rows);

describe('pinned group headers', () => {
  it('knows each row’s header', () => {
    expect([...nesting.parents]).toEqual([-1, 0, 1, 1, 1, 0, 5, 5, -1, 8, 9]);
    expect([...nesting.lastRow]).toEqual([7, 4, 2, 3, 4, 7, 6, 7, 10, 10, 10]);
  });

  it('pins nothing at the top', () => {
    expect(pinnedHeaders(0, nesting)).toEqual([]);
  });

  it('pins the network and station of the rows scrolled to', () => {
    expect(pinnedHeaders(3, nesting)).toEqual([0, 1]);
    expect(pinnedHeaders(6, nesting)).toEqual([0, 5]);
  });

  it('lets the next station’s header scroll into place instead of pinning the last one', () => {
    // Row 4 is ALPHA's last channel; below the pinned network comes BRAVO's own header.
    expect(pinnedHeaders(4, nesting)).toEqual([0]);
    expect(pinnedHeaders(8, nesting)).toEqual([]);
  });

  it('works for one level of groups (the completion map’s stations)', () => {
    const flat: NestedRow[] = [
      { depth: 0, isGroup: true },
      { depth: 1, isGroup: false },
      { depth: 1, isGroup: false },
      { depth: 0, isGroup: true },
      { depth: 1, isGroup: false },
    ];
    expect(pinnedHeaders(2, rowNesting(flat))).toEqual([0]);
    expect(pinnedHeaders(3, rowNesting(flat))).toEqual([]);
    expect(pinnedHeaders(1, rowNesting(flat))).toEqual([0]);
  });
});

describe('pinned header positions', () => {
  it('sit in their slots below the axis, and the last rows of a group push its header up', () => {
    // Scrolled 7 px into row 3 (rows 20 px, axis 24 px): ALPHA's last row (4) ends at 24 - 7 + 40.
    expect(pinnedLayout(3, 17, nesting, 24, 20)).toEqual([
      { index: 0, top: 24 },
      { index: 1, top: 37 },
    ]);
    expect(pinnedLayout(6, 24, nesting, 24, 20)).toEqual([
      { index: 0, top: 24 },
      { index: 5, top: 44 },
    ]);
  });

  it('answer what is under the pointer, the outer header over the inner one pushed beneath it', () => {
    const pinned = pinnedLayout(3, 17, nesting, 24, 20);
    expect(pinnedHeaderAt(30, pinned, 20)).toBe(0);
    expect(pinnedHeaderAt(40, pinned, 20)).toBe(0);
    expect(pinnedHeaderAt(45, pinned, 20)).toBe(1);
    expect(pinnedHeaderAt(56, pinned, 20)).toBe(1);
    expect(pinnedHeaderAt(58, pinned, 20)).toBe(-1);
  });
});

describe('row labels', () => {
  it('keep the panel’s size where it fits, shrink below, and hide where text would smear', () => {
    expect(rowLabelSize(20, 12)).toBe(12);
    expect(rowLabelSize(13, 12)).toBe(10);
    expect(rowLabelSize(11, 12)).toBe(8);
    expect(rowLabelSize(8, 12)).toBe(0);
  });
});

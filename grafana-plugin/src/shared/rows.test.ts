import { describe, expect, it } from 'vitest';
import { rowNesting, pinnedHeaders, rowLabelSize, type NestedRow } from './rows';

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

describe('row labels', () => {
  it('keep the panel’s size where it fits, shrink below, and hide where text would smear', () => {
    expect(rowLabelSize(20, 12)).toBe(12);
    expect(rowLabelSize(13, 12)).toBe(10);
    expect(rowLabelSize(11, 12)).toBe(8);
    expect(rowLabelSize(8, 12)).toBe(0);
  });
});

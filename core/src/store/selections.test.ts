import { describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import { selectionsMatch } from './selections.ts';

describe('selectionsMatch', () => {
  it('passes every pattern and window as array parameters, one flag per pattern, whatever the number of selections', () => {
    const one = selectionsMatch([{ patterns: parseChannelPatterns('IU.ANMO.00.BHZ'), start: 10, end: 20 }]);
    const many = selectionsMatch(Array.from({ length: 1000 }, (_, k) => ({ patterns: parseChannelPatterns(`IU.S${k}.00.BHZ,IU.T${k}`), start: k, end: k + 10 })));
    expect(many.matched).toBe(one.matched);
    expect(many.patternSelection).toHaveLength(2000);
    expect(many.patternSelection.slice(0, 4)).toEqual([0, 0, 1, 1]);
    expect(many.params).toMatchObject({ hull_start: 0, hull_end: 1009 });
    expect((many.params.sel_sta as string[]).slice(0, 2)).toEqual(['S0', 'T0']);
    expect((many.params.sel_loc as string[]).slice(0, 2)).toEqual(['00', '%']);
  });

  it('narrows by exact networks and stations only when no pattern has a wildcard there; a selection without patterns takes every channel', () => {
    expect(selectionsMatch([{ patterns: parseChannelPatterns('IU.ANMO'), start: null, end: null }]).prefilter).toMatch(/^network IN \{sel_net:Array\(String\)\} AND station IN \{sel_sta:Array\(String\)\} AND /);
    const wild = selectionsMatch([
      { patterns: parseChannelPatterns('IU.AN*'), start: null, end: null },
      { patterns: [], start: 5, end: null },
    ]);
    expect(wild.prefilter).not.toMatch(/ IN /);
    expect(wild.params).toMatchObject({ sel_net: ['IU', '%'], sel_sta: ['AN%', '%'], sel_start: [-Number.MAX_SAFE_INTEGER, 5], sel_end: [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] });
  });
});

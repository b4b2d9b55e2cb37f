import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { channelKey, globToLike, matchesChannel, parseChannelKey, parseChannelPatterns } from './channel.ts';

const id = (network: string, station: string, location: string, channel: string) => ({
  network,
  station,
  location,
  channel,
});

describe('channelKey / parseChannelKey', () => {
  it('writes NET.STA.LOC.CHA and keeps an empty location empty', () => {
    expect(channelKey(id('IU', 'ANMO', '00', 'BHZ'))).toBe('IU.ANMO.00.BHZ');
    expect(channelKey(id('IU', 'ANMO', '', 'BHZ'))).toBe('IU.ANMO..BHZ');
  });

  it('parses four parts; -- means the empty location', () => {
    expect(parseChannelKey('IU.ANMO.00.BHZ')).toEqual(id('IU', 'ANMO', '00', 'BHZ'));
    expect(parseChannelKey('IU.ANMO..BHZ')).toEqual(id('IU', 'ANMO', '', 'BHZ'));
    expect(parseChannelKey('IU.ANMO.--.BHZ')).toEqual(id('IU', 'ANMO', '', 'BHZ'));
  });

  it('rejects anything else with a clear error', () => {
    expect(() => parseChannelKey('IU.ANMO.BHZ')).toThrow(
      'not a channel: "IU.ANMO.BHZ" (expected NET.STA.LOC.CHA, 4 dot-separated parts, got 3)',
    );
    expect(() => parseChannelKey('IU.ANMO.00.BHZ.X')).toThrow('got 5');
    expect(() => parseChannelKey('.ANMO.00.BHZ')).toThrow('not a channel: ".ANMO.00.BHZ" (empty network)');
    expect(() => parseChannelKey('IU.AN MO.00.BHZ')).toThrow('(station "AN MO" may hold only letters, digits, _ and -)');
    expect(() => parseChannelKey('IU.ANMO.00.')).toThrow('(empty channel)');
  });

  it('round-trips (property)', () => {
    const code = fc.stringMatching(/^[A-Z0-9_]{1,5}$/);
    fc.assert(
      fc.property(code, code, fc.oneof(fc.constant(''), code), code, (n, s, l, c) => {
        expect(parseChannelKey(channelKey(id(n, s, l, c)))).toEqual(id(n, s, l, c));
      }),
    );
  });
});

describe('parseChannelPatterns / matchesChannel', () => {
  it('fills missing trailing parts with *', () => {
    expect(parseChannelPatterns('IU')).toEqual([id('IU', '*', '*', '*')]);
    expect(parseChannelPatterns('IU.ANMO')).toEqual([id('IU', 'ANMO', '*', '*')]);
    expect(parseChannelPatterns('IU.ANMO.--')).toEqual([id('IU', 'ANMO', '', '*')]);
    expect(parseChannelPatterns('IU.ANMO.00.BH?, GE.*..HH*')).toEqual([
      id('IU', 'ANMO', '00', 'BH?'),
      id('GE', '*', '', 'HH*'),
    ]);
  });

  it('matches globs part by part', () => {
    const patterns = parseChannelPatterns('IU.ANMO.*.BH?,GE.W*.--.HHZ');
    expect(matchesChannel(patterns, id('IU', 'ANMO', '00', 'BHZ'))).toBe(true);
    expect(matchesChannel(patterns, id('IU', 'ANMO', '', 'BHN'))).toBe(true);
    expect(matchesChannel(patterns, id('IU', 'ANMO', '00', 'BHZZ'))).toBe(false);
    expect(matchesChannel(patterns, id('IU', 'ANMOX', '00', 'BHZ'))).toBe(false);
    expect(matchesChannel(patterns, id('GE', 'WLF', '', 'HHZ'))).toBe(true);
    expect(matchesChannel(patterns, id('GE', 'WLF', '00', 'HHZ'))).toBe(false);
    expect(matchesChannel(patterns, id('GE', 'W', '', 'HHZ'))).toBe(true);
    expect(matchesChannel(parseChannelPatterns('IU'), id('IU', 'X', '', 'Y'))).toBe(true);
    expect(matchesChannel(parseChannelPatterns('I?'), id('IU', 'X', '', 'Y'))).toBe(true);
    expect(matchesChannel(parseChannelPatterns('I?'), id('I', 'X', '', 'Y'))).toBe(false);
    expect(matchesChannel(parseChannelPatterns('iu'), id('IU', 'X', '', 'Y'))).toBe(false);
    expect(matchesChannel([], id('IU', 'X', '', 'Y'))).toBe(false);
  });

  it('treats _ and - literally', () => {
    const patterns = parseChannelPatterns('X_.A-B');
    expect(matchesChannel(patterns, id('X_', 'A-B', '', 'C'))).toBe(true);
    expect(matchesChannel(patterns, id('XY', 'A-B', '', 'C'))).toBe(false);
  });

  it('validates and names the offending pattern', () => {
    expect(() => parseChannelPatterns('IU.AN%O')).toThrow(
      'bad channel pattern "IU.AN%O" (station "AN%O" may hold only letters, digits, _, -, * and ?)',
    );
    expect(() => parseChannelPatterns("IU';DROP")).toThrow(`bad channel pattern "IU';DROP"`);
    expect(() => parseChannelPatterns('IU.A.B.C.D')).toThrow('bad channel pattern "IU.A.B.C.D" (5 dot-separated parts');
    expect(() => parseChannelPatterns('IU,,GE')).toThrow('bad channel pattern "" (empty');
    expect(() => parseChannelPatterns('')).toThrow('bad channel pattern "" (empty');
    expect(() => parseChannelPatterns('IU..00.BHZ')).toThrow('bad channel pattern "IU..00.BHZ" (empty station)');
    expect(() => parseChannelPatterns(Array(101).fill('IU').join(','))).toThrow(
      'too many channel patterns: 101, at most 100 are allowed',
    );
    expect(parseChannelPatterns(Array(100).fill('IU').join(','))).toHaveLength(100);
    expect(() => parseChannelPatterns('A'.repeat(1001))).toThrow('channel patterns too long: 1001 characters');
  });
});

/** Independent reference: a direct LIKE matcher (ClickHouse semantics: % any run, _ one char, \ escapes). */
function like(pattern: string, text: string): boolean {
  const go = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === text.length;
    const c = pattern[p]!;
    if (c === '%') return go(p + 1, t) || (t < text.length && go(p, t + 1));
    if (c === '_') return t < text.length && go(p + 1, t + 1);
    if (c === '\\') return t < text.length && text[t] === pattern[p + 1] && go(p + 2, t + 1);
    return t < text.length && text[t] === c && go(p + 1, t + 1);
  };
  return go(0, 0);
}

describe('globToLike', () => {
  it('escapes LIKE specials and turns * and ? into % and _', () => {
    expect(globToLike('BH?')).toBe('BH_');
    expect(globToLike('B*')).toBe('B%');
    expect(globToLike('A_B')).toBe('A\\_B');
    expect(globToLike('50%')).toBe('50\\%');
    expect(globToLike('a\\b')).toBe('a\\\\b');
    expect(globToLike('')).toBe('');
  });

  it('matches exactly what the glob matches (property)', () => {
    const chars = fc.constantFrom('A', 'B', '_', '%', '\\', '-');
    const text = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));
    const glob = fc.array(fc.oneof(chars, fc.constantFrom('*', '?')), { maxLength: 5 }).map((a) => a.join(''));
    fc.assert(
      fc.property(glob, text, (g, t) => {
        // Reference glob semantics, written out directly.
        const globMatch = (p: number, i: number): boolean => {
          if (p === g.length) return i === t.length;
          if (g[p] === '*') return globMatch(p + 1, i) || (i < t.length && globMatch(p, i + 1));
          if (g[p] === '?') return i < t.length && globMatch(p + 1, i + 1);
          return i < t.length && g[p] === t[i] && globMatch(p + 1, i + 1);
        };
        expect(like(globToLike(g), t)).toBe(globMatch(0, 0));
      }),
    );
  });
});

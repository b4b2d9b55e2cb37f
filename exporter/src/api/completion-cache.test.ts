import { describe, expect, it } from 'vitest';
import type { ChannelEpoch } from '@lacuna/core';
import { CompletionCache, selectionFingerprint } from './completion-cache.ts';

const id = (station: string) => ({ network: 'XX', station, location: '', channel: 'LHZ' });
const epoch = (station: string, end: number | null, sampleRate: number | null): ChannelEpoch => ({ ...id(station), start: 0, end, sampleRate, latitude: 1, longitude: 2, elevation: null, warnS: null, failS: null });

describe('completion cache', () => {
  it('answers only while the fingerprint holds', () => {
    const cache = new CompletionCache();
    const rows = { percent: ['[100]'], completeness: ['[1]'], overlaps: ['[]'] };
    cache.set('k', 'v1', rows);
    expect(cache.get('k', 'v1')).toBe(rows);
    expect(cache.get('k', 'v2')).toBeUndefined();
    expect(cache.get('k', 'v1')).toBeUndefined(); // a stale entry is dropped
  });

  it('keeps at most maxEntries entries and maxBytes, dropping the least recently used', () => {
    const cache = new CompletionCache(2, 1000);
    const rows = (n: number) => ({ percent: ['x'.repeat(n)], completeness: [], overlaps: [] });
    cache.set('a', 'v', rows(10));
    cache.set('b', 'v', rows(10));
    cache.get('a', 'v');
    cache.set('c', 'v', rows(10));
    expect([cache.get('a', 'v') !== undefined, cache.get('b', 'v') !== undefined, cache.get('c', 'v') !== undefined]).toEqual([true, false, true]);
    cache.set('d', 'v', rows(495)); // 990 bytes: the others go
    expect(cache.size).toBe(1);
    cache.set('e', 'v', rows(600)); // larger than the cache: not kept
    expect(cache.get('e', 'v')).toBeUndefined();
  });

  it('fingerprints the channels and what of their epochs fills days without rollups', () => {
    const base = selectionFingerprint([id('A'), id('B')], new Map([['XX.A..LHZ', [epoch('A', null, 1)]]]));
    expect(selectionFingerprint([id('A'), id('B')], new Map([['XX.A..LHZ', [{ ...epoch('A', null, 1), latitude: 9 }]]]))).toBe(base);
    expect(selectionFingerprint([id('A')], new Map([['XX.A..LHZ', [epoch('A', null, 1)]]]))).not.toBe(base);
    expect(selectionFingerprint([id('A'), id('B')], new Map([['XX.A..LHZ', [epoch('A', 5, 1)]]]))).not.toBe(base);
    expect(selectionFingerprint([id('A'), id('B')], new Map([['XX.A..LHZ', [epoch('A', null, 2)]]]))).not.toBe(base);
  });
});

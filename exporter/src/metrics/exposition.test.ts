import { describe, expect, it } from 'vitest';
import { MetricFamily, formatValue } from './exposition.ts';
import { parseMetricsLevel } from './store-metrics.ts';

// Expected texts written from the exposition format's rules (text format 0.0.4).
describe('exposition text', () => {
  it('writes HELP, TYPE and samples, escaping HELP and label values as the format says', () => {
    const family = new MetricFamily('lacuna_test_seconds', 'gauge', 'Line one\nback\\slash "quoted"');
    family.add({ network: 'XA', station: 'a"b', location: '', channel: 'c\\d\ne' }, 1.5);
    family.add({}, 2);
    expect(family.render()).toBe(
      [
        '# HELP lacuna_test_seconds Line one\\nback\\\\slash "quoted"',
        '# TYPE lacuna_test_seconds gauge',
        'lacuna_test_seconds{network="XA",station="a\\"b",location="",channel="c\\\\d\\ne"} 1.5',
        'lacuna_test_seconds 2',
        '',
      ].join('\n'),
    );
  });

  it('keeps every sample of a family of many thousand, whole and in order, whatever its characters', () => {
    // Lines of one to three bytes per character, long and short, across many pages of bytes.
    const family = new MetricFamily('lacuna_test_ratio', 'gauge', 'Many.');
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const station = i % 3 === 0 ? `Ü${i}` : i % 3 === 1 ? `観測${'x'.repeat(i % 200)}` : `S${i}`;
      family.add({ network: 'XA', station }, i / 7);
      expected.push(`lacuna_test_ratio{network="XA",station="${station}"} ${i / 7}`);
    }
    expect(family.size).toBe(20_000);
    expect(family.render()).toBe(`# HELP lacuna_test_ratio Many.\n# TYPE lacuna_test_ratio gauge\n${expected.join('\n')}\n`);
    expect(family.samples()).toBe(`${expected.join('\n')}\n`);
  });

  it('spells out infinities and NaN', () => {
    expect([Infinity, -Infinity, NaN, 0, -0.25, 1e21].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0', '-0.25', '1e+21']);
  });

  it('writes a histogram from cumulative bucket counts with the +Inf bucket, sum and count', () => {
    const text = new MetricFamily('lacuna_test_duration_seconds', 'histogram', 'Durations.').addHistogram({ status: 'ok' }, [1, 10], [2, 5], 6, 123.5).render();
    expect(text.split('\n').slice(2)).toEqual([
      'lacuna_test_duration_seconds_bucket{status="ok",le="1"} 2',
      'lacuna_test_duration_seconds_bucket{status="ok",le="10"} 5',
      'lacuna_test_duration_seconds_bucket{status="ok",le="+Inf"} 6',
      'lacuna_test_duration_seconds_sum{status="ok"} 123.5',
      'lacuna_test_duration_seconds_count{status="ok"} 6',
      '',
    ]);
  });

  it('declares a family without samples, and refuses bad metric and label names', () => {
    expect(new MetricFamily('lacuna_none', 'gauge', 'Nothing yet.').render()).toBe('# HELP lacuna_none Nothing yet.\n# TYPE lacuna_none gauge\n');
    expect(() => new MetricFamily('lacuna-bad', 'gauge', 'x')).toThrow('"lacuna-bad"');
    expect(() => new MetricFamily('lacuna_ok', 'gauge', 'x').add({ 'bad-label': 'v' }, 1)).toThrow('"bad-label"');
    expect(() => new MetricFamily('lacuna_ok', 'gauge', 'x').add({ __name__: 'v' }, 1)).toThrow('"__name__"');
  });

  it('reads a metrics level and rejects anything else naming it', () => {
    expect(['channel', ' station', 'network'].map(parseMetricsLevel)).toEqual(['channel', 'station', 'network']);
    expect(() => parseMetricsLevel('stations')).toThrow('"stations"');
  });
});

import { describe, expect, it } from 'vitest';
import { formatMultiValue } from '../grafana-plugin/src/datasource/query.ts';
import { ALL, escapeRegex, interpolate, references, variableOptions, type TemplateVariable } from './grafana-interpolation.ts';

/**
 * The test interpolator against what Grafana documents (the examples of "Advanced variable format
 * options", servers = test1, test2) and what its source does for "All".
 */
function variable(current: string[] | typeof ALL, extra: Partial<TemplateVariable> = {}): TemplateVariable {
  return { name: 'servers', type: 'query', multi: true, includeAll: true, options: ['test1', 'test2', 'test.3'], current, ...extra };
}
const one = (v: TemplateVariable) => new Map([[v.name, v]]);

describe('Grafana interpolation, as the tests replay it', () => {
  it('formats several values as the documentation shows', () => {
    const vars = one(variable(['test1', 'test2']));
    expect(interpolate('${servers:csv}', vars)).toBe('test1,test2');
    expect(interpolate('${servers:pipe}', vars)).toBe('test1|test2');
    expect(interpolate('${servers:regex}', vars)).toBe('(test1|test2)');
    expect(interpolate('${servers:glob}', vars)).toBe('{test1,test2}');
    expect(interpolate('${servers:raw}', vars)).toBe('test1,test2');
    expect(interpolate('${servers:text}', vars)).toBe('test1 + test2');
    expect(interpolate('${servers:percentencode}', vars)).toBe('%7Btest1%2Ctest2%7D');
    // No format is glob; so is a format Grafana does not know (it logs an error and falls back).
    expect(interpolate('$servers ${servers} [[servers]] ${servers:nosuch}', vars)).toBe('{test1,test2} {test1,test2} {test1,test2} {test1,test2}');
  });

  it('regex-escapes each value, alone or in a group', () => {
    expect(escapeRegex('a.b*c(d)|e/f')).toBe('a\\.b\\*c\\(d\\)\\|e\\/f');
    expect(interpolate('${servers:regex}', one(variable(['test.3'])))).toBe('test\\.3');
    expect(interpolate('${servers:regex}', one(variable(['test.3', 'test1'])))).toBe('(test\\.3|test1)');
  });

  it('gives one selected value as it is, in every format but regex', () => {
    const vars = one(variable(['test1']));
    for (const format of ['csv', 'pipe', 'glob', 'raw', 'text']) expect(interpolate(`\${servers:${format}}`, vars), format).toBe('test1');
  });

  it('passes a custom all value verbatim in every format and through a format function, except text', () => {
    const vars = one(variable(ALL, { allValue: '*' }));
    for (const format of ['regex', 'glob', 'pipe', 'csv', 'raw']) expect(interpolate(`\${servers:${format}}`, vars), format).toBe('*');
    expect(interpolate('${servers:text}', vars)).toBe('All');
    expect(interpolate('${servers}', vars, () => 'called')).toBe('*');
  });

  it('gives "All" without a custom all value as every option, formatted', () => {
    const vars = one(variable(ALL));
    expect(interpolate('${servers:regex}', vars)).toBe('(test1|test2|test\\.3)');
    expect(interpolate('${servers}', vars)).toBe('{test1,test2,test.3}');
    expect(interpolate('${servers:text}', vars)).toBe('All');
    // No options at all: an empty group, which a PromQL regex matcher accepts (and matches nothing).
    expect(interpolate('${servers:regex}', one(variable(ALL, { options: [] })))).toBe('()');
  });

  it('lets an explicit format win over the caller\'s, and hands the caller\'s format function the values', () => {
    const vars = one(variable(['test1', 'test2']));
    expect(interpolate('${servers:csv}', vars, formatMultiValue)).toBe('test1,test2');
    expect(interpolate('${servers}', vars, formatMultiValue)).toBe('{test1|test2}');
    expect(interpolate('${servers}', vars, (value, described) => `${described.name}:${JSON.stringify(value)}:${described.multi}`)).toBe('servers:["test1","test2"]:true');
  });

  it('leaves references to unknown variables and built-ins as written', () => {
    expect(interpolate('rate(x[$__rate_interval]) ${nosuch:regex}', one(variable(['test1'])))).toBe('rate(x[$__rate_interval]) ${nosuch:regex}');
    expect(references('a{n=~"${network:regex}"} $station [[x:csv]] ${y}')).toEqual([
      { name: 'network', format: 'regex' },
      { name: 'station', format: undefined },
      { name: 'x', format: 'csv' },
      { name: 'y', format: undefined },
    ]);
  });

  it('builds a query variable\'s options through its regex: a capture group, named groups, duplicates once', () => {
    expect(variableOptions(['XA.ALPHA', 'XA.BETA', 'YB.ALPHA', 'nodot'], '/^[^.]+\\.([^.]+)$/')).toEqual(['ALPHA', 'BETA']);
    expect(variableOptions(['XA.ALPHA'], '/(?<text>[^.]+)\\.(?<value>.+)/')).toEqual(['ALPHA']);
    expect(variableOptions(['XA', 'YB'], '')).toEqual(['XA', 'YB']);
    expect(variableOptions(['XA', 'YB', 'XAB'], 'X.')).toEqual(['XA']);
  });
});

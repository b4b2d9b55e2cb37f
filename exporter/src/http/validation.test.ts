import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validate } from './validation.ts';

const schema = z.strictObject({ from: z.string().optional(), to: z.string().optional(), channel: z.string().optional() });

describe('validate: a 400 that says what to change', () => {
  it('names a parameter given more than once, not "expected string, received array"', () => {
    expect(() => validate(schema, { from: ['-1d', '-2d'] })).toThrow(/^parameter from: given 2 times; give it once$/);
    // What express's query parser makes of one given more than 20 times, or with brackets.
    expect(() => validate(schema, { from: { 0: '-1d', 21: '-2d' } })).toThrow(/^parameter from: given many times or with brackets; give it once, as from=…$/);
    expect(() => validate(schema, { from: { x: '-1d' } })).toThrow(/^parameter from: given many times or with brackets/);
  });

  it('lists the parameters it takes with an unknown one', () => {
    expect(() => validate(schema, { begin: '-1d' })).toThrow(/^unknown parameter: begin \(known: from, to, channel\)$/);
    expect(() => validate(schema, { begin: '-1d', end: 'now' })).toThrow(/^unknown parameters: begin, end \(known: from, to, channel\)$/);
  });

  it('keeps the schema\'s own message for a wrong value', () => {
    expect(() => validate(z.strictObject({ n: z.coerce.number().int() }), { n: '1.5' })).toThrow(/^parameter n: /);
  });
});

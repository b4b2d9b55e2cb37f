/** Bounded fuzzing of the reader, the SeedLink framing and the metadata parsers (`npm run fuzz` runs the same targets for long). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_FUZZ_TARGETS, type FuzzTarget } from './fuzz-targets.ts';

describe.each(COLLECTOR_FUZZ_TARGETS as readonly FuzzTarget<unknown>[])('fuzzing $name', (target) => {
  it('never crashes and stores nothing outside the store\'s range', () => {
    fc.assert(
      fc.property(target.input, (input) => {
        expect(target.run(input), target.show(input)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

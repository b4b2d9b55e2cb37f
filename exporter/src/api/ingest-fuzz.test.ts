/** Bounded fuzzing of the push ingest body (`npm run fuzz` runs the same target for long). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ingestTarget } from '../testing/fuzz-target.ts';

it('the ingest body reader never crashes and accepts nothing outside the store\'s range', () => {
  fc.assert(
    fc.property(ingestTarget.input, (input) => {
      expect(ingestTarget.run(input), ingestTarget.show(input)).toEqual([]);
    }),
    { numRuns: 1000 },
  );
});

import { describe, expect, it } from 'vitest';
import { SharedAnswers } from './shared-answers.ts';

/** A computation that counts its runs and finishes when told. */
function slow(json: string) {
  let runs = 0;
  let finish: () => void = () => undefined;
  const compute = () => {
    runs += 1;
    return new Promise<string>((resolve) => {
      finish = () => resolve(json);
    });
  };
  return { compute, finish: () => finish(), runs: () => runs };
}

describe('answers shared between requests', () => {
  it('gives identical requests arriving meanwhile the answer being computed', async () => {
    const shared = new SharedAnswers(async () => 'v1');
    const work = slow('{"rows":[]}');
    const first = shared.answer('/timeline?channel=XA', work.compute);
    const second = shared.answer('/timeline?channel=XA', work.compute);
    await new Promise((resolve) => setImmediate(resolve));
    work.finish();
    expect(await Promise.all([first, second])).toEqual(['{"rows":[]}', '{"rows":[]}']);
    expect(work.runs()).toBe(1);
  });

  it('answers again while the data version holds and the answer is young, afresh otherwise', async () => {
    let version = 'v1';
    let now = 1_000;
    const shared = new SharedAnswers(async () => version, { maxAgeMs: 1000, clock: () => now });
    let runs = 0;
    const compute = async () => `{"run":${++runs}}`;
    expect(await shared.answer('/stats', compute)).toBe('{"run":1}');
    now += 500;
    expect(await shared.answer('/stats', compute)).toBe('{"run":1}');
    expect(await shared.answer('/stats?channel=XA', compute)).toBe('{"run":2}');
    version = 'v2';
    expect(await shared.answer('/stats', compute)).toBe('{"run":3}');
    now += 1001;
    expect(await shared.answer('/stats', compute)).toBe('{"run":4}');
  });

  it('computes a kept answer again in the background past half its age, so that no request waits for it', async () => {
    let now = 0;
    const shared = new SharedAnswers(async () => 'v1', { maxAgeMs: 1000, clock: () => now });
    let runs = 0;
    const compute = async () => `{"run":${++runs}}`;
    expect(await shared.answer('/timeline', compute)).toBe('{"run":1}');
    now = 400;
    expect(await shared.answer('/timeline', compute)).toBe('{"run":1}');
    expect(runs).toBe(1);
    now = 600;
    expect(await shared.answer('/timeline', compute)).toBe('{"run":1}'); // given at once, renewed behind it
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(2);
    now = 1500; // the first answer would have expired; the renewed one (from 600) holds
    expect(await shared.answer('/timeline', compute)).toBe('{"run":2}');
  });

  it('shares a failure with the requests that waited for it, and keeps none', async () => {
    const shared = new SharedAnswers(async () => 'v1');
    let runs = 0;
    const failing = async () => {
      runs += 1;
      throw new Error('parameter from: not a time');
    };
    const answers = await Promise.allSettled([shared.answer('/gaps?from=x', failing), shared.answer('/gaps?from=x', failing)]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(1);
    await expect(shared.answer('/gaps?from=x', failing)).rejects.toThrow('not a time');
    expect(runs).toBe(2);
    expect(shared.size).toBe(0);
  });

  it('keeps at most its bytes, the least recently used going first', async () => {
    const shared = new SharedAnswers(async () => 'v1', { maxBytes: 2 * 2 * 1000 });
    const text = (c: string) => async () => c.repeat(1000);
    await shared.answer('a', text('a'));
    await shared.answer('b', text('b'));
    await shared.answer('a', text('x')); // a is kept: used again, now the most recent
    await shared.answer('c', text('c')); // b goes
    expect(shared.size).toBe(2);
    expect(await shared.answer('a', text('y'))).toBe('a'.repeat(1000));
    expect(await shared.answer('b', text('z'))).toBe('z'.repeat(1000));
    await shared.answer('huge', async () => 'h'.repeat(5000)); // larger than all it may keep: not kept
    expect(await shared.answer('huge', async () => 'again')).toBe('again');
  });
});

import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.ts';
import { Turns } from './turns.ts';

/** A response double: headers set on it, and 'close' when its client leaves. */
function response() {
  const headers: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    headers,
    set(name: string, value: string) {
      headers[name] = value;
      return res;
    },
  });
  return res;
}

/** Work the test ends when it wants; `started` says whether it began. */
function work(name: string, log: string[]) {
  let end = () => undefined as void;
  const done = new Promise<void>((resolve) => (end = resolve));
  return { run: async () => (log.push(name), await done, name), end: () => end() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns', () => {
  it('runs at most so many at once, the next in order as each ends, and refuses at once beyond the waiting line', async () => {
    const turns = new Turns({ running: 2, waiting: 3 });
    const started: string[] = [];
    const pieces = ['a', 'b', 'c', 'd', 'e'].map((name) => work(name, started));
    const results = pieces.map((piece) => turns.run(response() as unknown as Response, piece.run));
    const refused = response();
    await expect(turns.run(refused as unknown as Response, async () => 'f')).rejects.toMatchObject({ status: 503 });
    expect(refused.headers['Retry-After']).toBe('10');
    await settle();
    expect([started, turns.waiting]).toEqual([['a', 'b'], 3]);
    for (const [ended, piece] of pieces.entries()) {
      piece.end();
      await settle();
      expect(started).toEqual(['a', 'b', 'c', 'd', 'e'].slice(0, Math.min(5, ended + 3)));
    }
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(turns.waiting).toBe(0);
  });

  it('takes a waiting request whose client left out of the line, and keeps a running one its turn until its work ends', async () => {
    const turns = new Turns({ running: 1, waiting: 5 });
    const started: string[] = [];
    const [first, gone, third] = ['first', 'gone', 'third'].map((name) => work(name, started));
    const firstRes = response();
    const goneRes = response();
    const running = turns.run(firstRes as unknown as Response, first.run);
    const leaving = turns.run(goneRes as unknown as Response, gone.run);
    const waiting = turns.run(response() as unknown as Response, third.run);
    await settle();
    goneRes.emit('close');
    await expect(leaving).rejects.toBeInstanceOf(HttpError);
    // The running request's client leaves too (or its deadline answers it): its queries still run, so its turn holds.
    firstRes.emit('close');
    await settle();
    expect([started, turns.waiting]).toEqual([['first'], 1]);
    first.end();
    await settle();
    expect(started).toEqual(['first', 'third']);
    third.end();
    expect([await running, await waiting]).toEqual(['first', 'third']);
  });
});

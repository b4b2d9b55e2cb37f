import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { admission } from './admission.ts';

/** A server whose requests run until the test lets them finish, one by one. */
async function gatedServer(running: number, waiting: number) {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const turns = admission({ running, waiting, refuse: (_req, res) => void res.status(503).json({ error: 'busy' }) });
  const app = express();
  app.use(turns);
  app.get('/:name', async (req, res) => {
    started.push(req.params.name);
    await new Promise<void>((open) => gates.push(open));
    res.json({ name: req.params.name });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    for (const open of gates.splice(0)) open(); // what a failed test left running
    return new Promise((done) => server.close(done));
  };
  return { url, started, gates, waiting: turns.waiting, close };
}

/** Waits (polling) until `condition` holds; fails after 10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
  }
}

describe('admission: requests take turns', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('runs at most so many at once, lets the next through as each ends, and refuses at once beyond the waiting line', async () => {
    const server = await gatedServer(2, 3);
    close = server.close;
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const answers = names.map((name) => fetch(`${server.url}/${name}`).then((response) => response.status));
    let settled = 0;
    for (const answer of answers) void answer.then(() => (settled += 1));
    // Two running, three waiting: the other two are refused without waiting.
    await until(() => server.started.length === 2 && server.waiting() === 3 && settled === 2);
    for (let ended = 1; ended <= 5; ended++) {
      server.gates.shift()!();
      // The next one in line starts as one ends, never more than two at once.
      await until(() => settled === 2 + ended && server.started.length === Math.min(5, 2 + ended));
      expect([server.started.length - ended, server.waiting()]).toEqual([Math.min(2, 5 - ended), Math.max(0, 3 - ended)]);
    }
    expect((await Promise.all(answers)).sort()).toEqual([200, 200, 200, 200, 200, 503, 503]);
  });

  it('drops a request from the line when its client leaves, and lets the next one through', async () => {
    const server = await gatedServer(1, 5);
    close = server.close;
    const first = fetch(`${server.url}/first`);
    await until(() => server.started.length === 1);
    const leaving = new AbortController();
    const gone = fetch(`${server.url}/gone`, { signal: leaving.signal }).catch(() => 'aborted');
    await until(() => server.waiting() === 1);
    const third = fetch(`${server.url}/third`);
    await until(() => server.waiting() === 2);
    leaving.abort();
    await until(() => server.waiting() === 1);
    server.gates.shift()!();
    await until(() => server.started.length === 2);
    expect(server.started).toEqual(['first', 'third']);
    server.gates.shift()!();
    expect([(await first).status, await gone, (await third).status]).toEqual([200, 'aborted', 200]);
  });
});

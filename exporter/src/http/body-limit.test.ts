import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { describe, expect, it } from 'vitest';
import { declaredBodyLimit } from './body-limit.ts';

/** POSTs `sent` declaring `declared` bytes, and never sends the rest. */
function post(url: string, declared: number, sent: string): Promise<{ status?: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const sending = request(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': String(declared) } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        sending.destroy();
        resolve({ status: response.statusCode, body, connection: response.headers.connection });
      });
    });
    sending.on('error', reject);
    sending.write(sent);
    if (declared === Buffer.byteLength(sent)) sending.end();
  });
}

describe('declaredBodyLimit', () => {
  it('refuses at once a body declared too large, as the body parser would once all of it came, and takes one within the limit', async () => {
    const app = express();
    app.post('/', declaredBodyLimit(64), express.text({ type: () => true, limit: 64 }), (req: Request, res: Response) => void res.send(`read ${String(req.body).length}`));
    app.use((error: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => void res.status(error.status ?? 500).send(String(error.type)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(await post(url, 10 ** 12, 'a line')).toEqual({ status: 413, body: 'entity.too.large', connection: 'close' });
      expect(await post(url, 65, 'x')).toMatchObject({ status: 413, body: 'entity.too.large' });
      expect(await post(url, 5, 'lines')).toMatchObject({ status: 200, body: 'read 5' });
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});

import type { NextFunction, Request, Response } from 'express';

/**
 * Refuses at once a request whose declared body (Content-Length) is larger than `limit`, with the
 * error express's body parsers give (413, type entity.too.large), and closes the connection. Those
 * parsers give it only once the whole body has come: a POST declaring 1 TB and sending a line
 * waited for ever.
 */
export function declaredBodyLimit(limit: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length'));
    if (!(declared > limit)) return next();
    res.set('Connection', 'close');
    next(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large', expected: declared, limit }));
  };
}

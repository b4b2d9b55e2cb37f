import type { NextFunction, Request, Response } from 'express';

/**
 * Lets at most `running` requests through at once; the others wait their turn in order, and one
 * that would wait behind `waiting` others is answered at once with `refuse` (a 503 saying the
 * store is busy). A request that ends while waiting (its client gone, or its deadline answered)
 * leaves the line. `waiting()`: how many wait now. Fifty heavy FDSN queries at once each got a share of the two cores: nearly all
 * ran past the 60 s deadline, /healthz took 6 s and the collector's scan 250 s instead of 0.1.
 */
export function admission(options: { running: number; waiting: number; refuse: (req: Request, res: Response) => void }) {
  let running = 0;
  const line: (() => void)[] = [];
  const admitNext = () => {
    while (running < options.running && line.length > 0) line.shift()!();
  };
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const admit = () => {
      running += 1;
      res.on('close', () => {
        running -= 1;
        admitNext();
      });
      next();
    };
    if (running < options.running && line.length === 0) return admit();
    if (line.length >= options.waiting) return options.refuse(req, res);
    line.push(admit);
    res.on('close', () => {
      const at = line.indexOf(admit);
      if (at >= 0) line.splice(at, 1);
    });
  };
  return Object.assign(middleware, { waiting: () => line.length });
}

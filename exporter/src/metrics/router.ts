import { Router } from 'express';
import type { Store } from '@lacuna/core';
import { MetricsRefresher } from './refresher.ts';

/**
 * GET /metrics: the cached exposition, gzip-compressed when the scraper accepts it (Prometheus
 * does). Unauthenticated, as Prometheus scrape targets usually are; the bearer token guards
 * /api, /fdsnws and /available only. Without a refresher in the context, one with the defaults is started on
 * the first scrape.
 */
export function metricsRouter(context: { store: Store; metrics?: MetricsRefresher }): Router {
  const router = Router();
  let own: MetricsRefresher | undefined;
  router.get('/metrics', async (req, res) => {
    const refresher = context.metrics ?? (own ??= new MetricsRefresher(context.store).start());
    const gzip = /\bgzip\b/i.test(req.get('accept-encoding') ?? '');
    const scraped = await refresher.scrape({ gzip });
    res.status(200);
    res.set('Content-Type', scraped.contentType);
    res.set('Cache-Control', 'no-store');
    res.set('Vary', 'Accept-Encoding');
    if (scraped.encoding) res.set('Content-Encoding', scraped.encoding);
    res.set('Content-Length', String(scraped.length));
    // write()/end(), not send(): no copy and no ETag hashing of a multi-megabyte body per scrape;
    // corked, so that the hundreds of parts of a plain body leave in one writev.
    res.cork();
    if (req.method !== 'HEAD') for (const part of scraped.parts) res.write(part);
    res.end();
  });
  return router;
}

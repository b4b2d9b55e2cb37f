import { createHash, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import express, { type NextFunction, type Request, type Response } from 'express';
import { MAX_REPORT_SEGMENTS, type Store } from '@lacuna/core';
import { describeError } from './http/errors.ts';
import { Turns } from './http/turns.ts';
import { fdsnAvailabilityRouter } from './fdsnws/router.ts';
import { errorDocument } from './fdsnws/errors.ts';
import { metricsRouter } from './metrics/router.ts';
import type { MetricsRefresher } from './metrics/refresher.ts';
import type { Micros } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import { apiRouter, rejectDroppedParameters } from './api/router.ts';
import { reportsRouter } from './api/reports.ts';
import { ooiRouter } from './ooi/router.ts';
import type { LiveSink } from '@lacuna/core';
import { ingestRouter } from './api/ingest.ts';
import { apiIndex, landingPage } from './landing.ts';

/** What every route needs: the store and the configured limits. */
export interface ExporterContext {
  store: Store;
  /** Bearer token required on /api, /fdsnws and /available when set (LACUNA_API_TOKEN). */
  token?: string;
  limits: ExporterLimits;
  /** Computes and caches /metrics (started by its owner); when absent, one with the defaults starts on the first scrape. */
  metrics?: MetricsRefresher;
  /** The current time in µs for /api/v1 and /available (default: the clock); tests pin it. */
  now?: () => Micros;
  /** Join tolerance rules for /api/v1 and /available (default 0.5Δ), as the CLI's --tolerance. */
  tolerance?: readonly ToleranceRule[];
  /**
   * Share /api/v1 answers between requests while the store's data is unchanged, and keep
   * completion matrices' whole days while their rollups are (default true; false: every request
   * computes afresh, as benchmarks of the computation want).
   */
  cache?: boolean;
  /** Where POST /api/v1/ingest puts pushed batches (the collector's live writer); absent: ingest is off. */
  ingest?: LiveSink;
}

/** Bounds that keep any one request from taking the server down. */
export interface ExporterLimits {
  /** Longest time range a query may span, in days. */
  maxRangeDays: number;
  /** Most rows (or spans) a response may hold. */
  maxRows: number;
  /** Most stored segments one request may read where the time range does not bound it (an FDSN extent). */
  maxSegmentsRead: number;
  /** How long a request may take before it is answered 503 (default REQUEST_DEADLINE_MS). */
  requestDeadlineMs?: number;
}

/** Every request is answered within this: a clear 503 rather than a client left waiting. */
export const REQUEST_DEADLINE_MS = 60_000;

/** Requests for FDSN availability and reports that may wait for their turn; more are refused at once. */
const HEAVY_REQUESTS_WAITING = 32;

/** A 503 with `message`: an FDSN error document under /fdsnws, JSON elsewhere. */
function unavailable(req: Request, res: Response, message: string): void {
  if (req.originalUrl.startsWith('/fdsnws')) res.status(503).type('text/plain').send(errorDocument(503, message, req.originalUrl, Date.now() * 1000));
  else res.status(503).json({ error: message });
}

/** Answers a request that has not been answered within `ms` with a 503 saying so; what its handler sends later goes nowhere. */
function deadline(ms: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      unavailable(req, res, `the request took longer than ${ms / 1000} s and was given up; ask for fewer channels or a shorter time range, or try again when the store is less busy`);
    }, ms);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    next();
  };
}

export const DEFAULT_LIMITS: ExporterLimits = { maxRangeDays: 3660, maxRows: 1_000_000, maxSegmentsRead: MAX_REPORT_SEGMENTS };

/**
 * Compares the Authorization header's token with the token in constant time (hashes of equal
 * length), so response times tell nothing of the token. The scheme's name is read in any case
 * (RFC 9110): `bearer` as `Bearer`.
 */
function bearerAuth(token: string) {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const [, scheme, given] = /^(\S+) +(.*)$/.exec(req.get('authorization') ?? '') ?? [];
    if (scheme?.toLowerCase() === 'bearer' && timingSafeEqual(digest(given), expected)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="lacuna"').status(401).json({ error: 'a valid bearer token is required' });
  };
}

/**
 * The exporter: /metrics, /api/v1, /fdsnws/availability/1, /available, /healthz, /readyz.
 * Routes are mounted below; errors never carry stack traces to clients.
 */
export function createApp(context: ExporterContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.use(deadline(context.limits.requestDeadlineMs ?? REQUEST_DEADLINE_MS));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const problem = await context.store.readiness();
    res.status(problem === null ? 200 : 503).json({ status: problem ?? 'ready' });
  });

  const facts = async () => ({ store: context.store.location, ready: await context.store.ready(), token: context.token !== undefined });
  app.get('/', async (_req, res) => {
    res.type('html').send(landingPage(await facts()));
  });

  if (context.token) {
    for (const guarded of ['/api', '/fdsnws', '/available']) app.use(guarded, bearerAuth(context.token));
  }

  // Requests that read much of the store (no answer shared between them) take turns.
  const heavy = new Turns({ running: availableParallelism(), waiting: HEAVY_REQUESTS_WAITING });

  // Routes of each part of the exporter are mounted here.
  app.use(metricsRouter(context));
  app.use('/fdsnws/availability/1', fdsnAvailabilityRouter(context, heavy));
  app.get('/api/v1', async (_req, res) => {
    res.json(apiIndex(await facts()));
  });
  app.use('/api/v1/ingest', ingestRouter(context));
  app.use('/api/v1/reports', rejectDroppedParameters, reportsRouter(context, heavy));
  app.use('/api/v1', apiRouter(context));
  app.use('/available', ooiRouter(context));

  app.use((req, res) => {
    const path = req.path.length > 200 ? `${req.path.slice(0, 200)}…` : req.path;
    res.status(404).json({ error: `no such endpoint: ${req.method} ${path}; the endpoints are listed at /api/v1 (and at / in a browser)` });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return; // answered already: past its deadline
    const { status, message } = describeError(error, req);
    res.status(status).json({ error: message });
  });
  return app;
}

export interface RunningExporter {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (port 0: any free port). */
export async function startExporter(context: ExporterContext, options: { host: string; port: number }): Promise<RunningExporter> {
  const app = createApp(context);
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port, options.host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.on('error', reject);
  });
}

/**
 * /fdsnws/availability/1/: the FDSN availability web service 1.0 (query, extent, version,
 * application.wadl). The router orchestrates: parameters (params.ts) → stored segments (the store)
 * → spans and extents (spans.ts) → a body (formats.ts). Every error answers in the FDSN error
 * document (errors.ts), never with a stack trace.
 *
 * Limits (context.limits), refused with 413 (well formed, but larger than one response may be):
 * a query selection whose stored data, within its window, spans more than maxRangeDays; an extent
 * selection that would read more than maxSegmentsRead stored segments (an extent answers one row per
 * channel, so "what is there, all time" is a fair question however long the archive); a response
 * of more than maxRows rows (unless `limit` asks for no more than that). Malformed or
 * out-of-range values are 400.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { MICROS_PER_DAY, MICROS_PER_SECOND, type Micros, type StoredExtent } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import type { Interval } from '@lacuna/core';
import type { ExporterContext, ExporterLimits } from '../app.ts';
import { declaredBodyLimit } from '../http/body-limit.ts';
import type { Turns } from '../http/turns.ts';
import { badRequest, describeError, HttpError } from '../http/errors.ts';
import { errorDocument, SERVICE_PATH, SERVICE_VERSION } from './errors.ts';
import { formatExtents, formatSpans } from './formats.ts';
import { parseGetParameters, parsePostBody, type AvailabilityRequest, type Selection } from './params.ts';
import { buildExtents, buildSpans, distinctSpans, orderExtents, orderSpans, spanTolerance } from './spans.ts';
import { applicationWadl } from './wadl.ts';

/** POST bodies beyond this are refused (413) before they are read. */
const MAX_POST_BYTES = 256 * 1024;

const USAGE = `Lacuna FDSN availability web service ${SERVICE_VERSION}

query            contiguous time spans per channel (GET or POST)
extent           earliest and latest data, span count and restriction per channel (GET or POST)
version          the service version
application.wadl the parameters, in WADL

Parameters: network (net), station (sta), location (loc, -- for empty), channel (cha): comma lists
with wildcards * and ?; starttime (start), endtime (end): YYYY-MM-DD[Thh:mm:ss[.ffffff]] UTC;
quality: D,R,Q,M or *; merge: samplerate, quality, overlap (overlap on query only);
mergegaps (query): seconds; show=latestupdate (query); orderby; limit; includerestricted;
format: text, geocsv, json, request; nodata: 204 or 404.
POST body: optional key=value lines, then one selection per line: NET STA LOC CHA START [END].
Spans are clipped to the request window; Updated is when the newest data of a span was first seen.
`;

export function fdsnAvailabilityRouter(context: ExporterContext, heavy: Turns): Router {
  const router = express.Router();
  const readBody = [declaredBodyLimit(MAX_POST_BYTES), express.text({ type: () => true, limit: MAX_POST_BYTES })];

  router.get('/', (_req, res) => {
    res.type('text/plain').send(USAGE);
  });
  router.get('/version', (_req, res) => {
    res.type('text/plain').send(SERVICE_VERSION);
  });
  router.get('/application.wadl', (req, res) => {
    res.type('application/xml').send(applicationWadl(`${req.protocol}://${req.get('host') ?? 'localhost'}${SERVICE_PATH}`));
  });

  for (const endpoint of ['query', 'extent'] as const) {
    router.get(`/${endpoint}`, async (req, res) => {
      const parameters = new URL(req.originalUrl, 'http://localhost').searchParams;
      const request = parseGetParameters(endpoint, parameters);
      await heavy.run(res, () => answer(context, request, req, res));
    });
    router.post(`/${endpoint}`, ...readBody, async (req, res) => {
      if (new URL(req.originalUrl, 'http://localhost').search !== '') {
        throw badRequest('the parameters of a POST request go in its body, not in the URL');
      }
      const request = parsePostBody(endpoint, typeof req.body === 'string' ? req.body : '');
      await heavy.run(res, () => answer(context, request, req, res));
    });
  }

  // A known resource asked with another method (PUT, DELETE…) is 405 with the methods it takes, as HTTP says, not 404.
  const allowed = (path: string, methods: string) =>
    router.all(path, (req, res, next) => {
      res.set('Allow', methods);
      next(new HttpError(405, `${req.method} is not allowed on ${req.path}: use ${methods.replace(/, (\w+)$/, ' or $1')}`));
    });
  for (const path of ['/', '/version', '/application.wadl']) allowed(path, 'GET, HEAD');
  for (const endpoint of ['query', 'extent']) allowed(`/${endpoint}`, 'GET, HEAD, POST');

  router.use((req, _res, next) => {
    next(new HttpError(404, `no such resource: ${req.path}; the service offers query, extent, version and application.wadl`));
  });
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return; // answered already: past its deadline (app.ts)
    const { status, message } = describeError(error, req);
    res
      .status(status)
      .type('text/plain')
      .set('X-Content-Type-Options', 'nosniff')
      .send(errorDocument(status, message, req.originalUrl, Date.now() * 1000));
  });
  return router;
}

/**
 * The part of the store to read for a selection: its window narrowed to the stored data of its
 * channels there (`stored`, so an unbounded side costs nothing beyond the data), or null when
 * nothing is there; a 413 when that is more than one request may read.
 */
function storeWindow(context: ExporterContext, endpoint: AvailabilityRequest['endpoint'], selection: Selection, stored: StoredExtent | null): Interval | null {
  if (stored === null) return null;
  const start = Math.max(selection.start ?? -Infinity, stored.start);
  // stored.end is the last sample's time; the store's window end is exclusive.
  const end = Math.min(selection.end ?? Infinity, stored.end + 1);
  if (end <= start) return null;
  if (endpoint === 'extent') {
    if (stored.segments > context.limits.maxSegmentsRead) {
      throw new HttpError(
        413,
        `parameters network, station, location, channel, starttime, endtime: the selection holds ${stored.segments} stored segments, ` +
          `more than the ${context.limits.maxSegmentsRead} one extent request may read; narrow the channels or the time window`,
      );
    }
    return { start, end };
  }
  const maxRange = context.limits.maxRangeDays * MICROS_PER_DAY;
  if (end - start > maxRange) {
    const days = Math.ceil((end - start) / MICROS_PER_DAY);
    throw new HttpError(
      413,
      `parameters starttime, endtime: the selected channels have data from ${formatTime(start)} to ${formatTime(end - 1)} ` +
        `(${days} days), more than the ${context.limits.maxRangeDays} days one request may cover; narrow starttime and endtime, or the channels`,
    );
  }
  return { start, end };
}

/**
 * Every selection is read in two queries whatever their number (core selections.ts; a POST of
 * 1,000 lines took 92 s at two queries per line): what each holds, then the pieces of all (core
 * span-pieces.ts: the stored segments, runs that surely join as one), each window widened by a day
 * (or mergegaps) so that data across its edges joins as it would inside.
 */
async function answer(context: ExporterContext, request: AvailabilityRequest, req: Request, res: Response): Promise<void> {
  const extents = await context.store.selectionExtents(request.selections);
  const lookaround = Math.max(MICROS_PER_DAY, (request.mergeGaps ?? 0) * MICROS_PER_SECOND);
  const wanted = request.selections
    .map((selection, index) => ({ selection, window: storeWindow(context, request.endpoint, selection, extents[index]) }))
    .filter((entry): entry is { selection: Selection; window: Interval } => entry.window !== null);
  const pieces = await context.store.spanPieces(
    wanted.map(({ selection, window }) => ({
      patterns: selection.patterns,
      around: { start: window.start - lookaround, end: window.end + lookaround },
      window: { start: selection.start, end: selection.end },
    })),
    { tolerance: spanTolerance(request.mergeGaps), mergeQuality: request.mergeQuality, mergeSampleRate: request.mergeSampleRate, qualities: request.qualities },
  );
  const spans = wanted.flatMap(({ selection }, index) => buildSpans(pieces[index], { ...request, window: { start: selection.start, end: selection.end } }));
  const distinct = distinctSpans(spans);
  if (distinct.length === 0) {
    if (request.nodata === 404) throw new HttpError(404, 'no data matches the selection');
    res.status(204).end();
    return;
  }
  const columns = { showQuality: !request.mergeQuality, showSampleRate: !request.mergeSampleRate };
  const created: Micros = Date.now() * 1000;
  const formatted =
    request.endpoint === 'query'
      ? formatSpans(rowsToShow(orderSpans(distinct, request.orderBy), request, context.limits), request.format, {
          ...columns,
          showUpdated: request.showLatestUpdate,
          created,
        })
      : formatExtents(rowsToShow(orderExtents(buildExtents(distinct), request.orderBy), request, context.limits), request.format, {
          ...columns,
          created,
        });
  res.type(formatted.contentType).send(formatted.body);
}

/** The first `limit` rows; more than maxRows rows without a limit that small is refused. */
function rowsToShow<T>(rows: T[], request: AvailabilityRequest, limits: ExporterLimits): T[] {
  if (rows.length > limits.maxRows && (request.limit === null || request.limit > limits.maxRows)) {
    throw new HttpError(413, `result too large: ${rows.length} rows, at most ${limits.maxRows} per response; set limit or narrow the selection`);
  }
  return request.limit === null ? rows : rows.slice(0, request.limit);
}

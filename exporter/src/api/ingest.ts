/**
 * POST /api/v1/ingest: HTTP push of segments and heartbeats by non-seismic (or any) sources.
 *
 * Body: JSON (`application/json`: one item, an array of items, or `{"items": [...]}`) or NDJSON
 * (`application/x-ndjson`: one item per line). An item:
 *
 *   {"stream": "CE01ISSM-MFD37-03-CTDBPC000/telemetered", "start": "2024-05-01T00:00:00Z",
 *    "end": "2024-05-01T00:09:59Z", "samples": 600}
 *
 * - `stream`: a stream id (core stream-id.ts maps it onto network, station, location, channel);
 * - `start`, `end`: ISO 8601 times of the first and the last sample;
 * - `samples` (optional): the number of samples. With samples it is a segment: its rate is
 *   (samples − 1) / (end − start); a one-sample segment (start = end) takes `rate` (Hz, optional
 *   field) or the stream's expected rate. Without samples it is a heartbeat: the stream is alive
 *   and its newest data is at `end`; it moves latency and state, not coverage.
 * - `quality` (optional): D, R, Q or M (default D).
 *
 * Answer: 200 `{accepted, rejected: [{index, reason}], batch, outcome}` (index from 0, in body
 * order; outcome `stored`, `spooled` when the store is away, or `duplicate` when the same batch
 * was stored before: a batch's id is a hash of its accepted items in any order, so posting it
 * again, even reordered, stores nothing twice). 400 with the same body when no item is accepted. The bearer token
 * (LACUNA_API_TOKEN) is required; without one configured, ingest is refused (403).
 */
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { channelKey, type ChannelId } from '@lacuna/core';
import { LiveAccumulator } from '@lacuna/core';
import type { LiveSink } from '@lacuna/core';
import { streamChannel } from '@lacuna/core';
import { MICROS_PER_SECOND, type Micros } from '@lacuna/core';
import { dataProblem, parseTime, timeProblem } from '@lacuna/core';
import { declaredBodyLimit } from '../http/body-limit.ts';
import { HttpError } from '../http/errors.ts';

export const INGEST_SOURCE = 'push';
export const MAX_INGEST_ITEMS = 10_000;
export const MAX_INGEST_BYTES = 10 * 1024 * 1024;
/** How far past the receipt an item's end may be (clocks differ a little, not by more). */
const MAX_FUTURE_US = 10 * 60 * MICROS_PER_SECOND;

const itemSchema = z
  .object({
    stream: z.string(),
    start: z.string(),
    end: z.string(),
    samples: z.number().int().min(1).optional(),
    rate: z.number().positive().finite().optional(),
    quality: z.enum(['D', 'R', 'Q', 'M']).optional(),
  })
  .strict();

type Item = z.infer<typeof itemSchema>;

/** An item ready to store: a segment (samples > 0) or a heartbeat (samples 0). */
export interface IngestItem {
  stream: string;
  start: Micros;
  end: Micros;
  samples: number;
  rate: number;
  quality: string;
}

export interface IngestOptions {
  token?: string;
  /** Where batches go (the collector's LiveWriter); absent: ingest is not enabled here. */
  ingest?: LiveSink;
  now?: () => Micros;
}

function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return `${issue.path.join('.') || 'item'}: ${issue.message}`;
}

/** The rate a stream is expected to have (expected streams), null when none is set. */
type ExpectedRate = (id: ChannelId) => number | null;

/** Checks one item; returns what to store or the reason it is refused. */
function checkItem(raw: unknown, expectedRate: ExpectedRate, receivedAt: Micros): IngestItem | string {
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success) return reasonOf(parsed.error);
  const item: Item = parsed.data;
  let id;
  let start: Micros;
  let end: Micros;
  try {
    id = streamChannel(item.stream);
    start = parseTime(item.start);
    end = parseTime(item.end);
  } catch (error) {
    return (error as Error).message;
  }
  const timesProblem = timeProblem(start, 'start') ?? timeProblem(end, 'end');
  if (timesProblem !== null) return timesProblem;
  if (end < start) return `end ${item.end} is before start ${item.start}`;
  if (end > receivedAt + MAX_FUTURE_US) return `end ${item.end} is ${Math.round((end - receivedAt) / MICROS_PER_SECOND)} s in the future`;
  const quality = item.quality ?? 'D';
  if (item.samples === undefined) return { stream: item.stream, start, end, samples: 0, rate: 0, quality };
  let rate: number;
  if (item.samples === 1) {
    if (end !== start) return `one sample: end must equal start (got ${item.start} and ${item.end})`;
    const expected = expectedRate(id);
    if (item.rate === undefined && expected === null) return 'a one-sample segment needs its rate: give rate (Hz), or an expected_rate for the stream';
    rate = item.rate ?? expected!;
  } else {
    if (end === start) return `${item.samples} samples need end after start`;
    rate = ((item.samples - 1) * MICROS_PER_SECOND) / (end - start);
    if (item.rate !== undefined && Math.abs(1 - rate / item.rate) >= 1e-4) {
      return `rate ${item.rate} Hz does not fit ${item.samples} samples from start to end (${rate.toPrecision(6)} Hz)`;
    }
  }
  const problem = dataProblem({ start, end, samples: item.samples, sampleRate: rate });
  if (problem !== null) return problem;
  return { stream: item.stream, start, end, samples: item.samples, rate, quality };
}

/** The items of a request body, with what could not even be read as an item. */
function itemsOf(body: unknown): { items: unknown[]; unreadable: Map<number, string> } {
  const unreadable = new Map<number, string>();
  if (typeof body === 'string') {
    const lines = body.split(/\r?\n/).filter((line) => line.trim() !== '');
    const items = lines.map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        unreadable.set(index, `not JSON: ${(error as Error).message}`);
        return undefined;
      }
    });
    return { items, unreadable };
  }
  if (Array.isArray(body)) return { items: body, unreadable };
  if (body !== null && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) return { items: (body as { items: unknown[] }).items, unreadable };
  if (body !== null && typeof body === 'object') return { items: [body], unreadable };
  throw new HttpError(400, 'the body must be an item, an array of items or {"items": [...]}');
}

/**
 * Reads a parsed request body (a JSON value, or NDJSON text): every item checked, in body order.
 * Throws HttpError for a body that holds no items or too many.
 */
export function readIngestBody(body: unknown, expectedRate: ExpectedRate, receivedAt: Micros): { items: number; accepted: IngestItem[]; rejected: { index: number; reason: string }[] } {
  const { items, unreadable } = itemsOf(body);
  if (items.length === 0) throw new HttpError(400, 'no items in the body');
  if (items.length > MAX_INGEST_ITEMS) throw new HttpError(413, `${items.length} items in one request, at most ${MAX_INGEST_ITEMS}: send smaller batches`);
  const rejected: { index: number; reason: string }[] = [];
  const accepted: IngestItem[] = [];
  items.forEach((item, index) => {
    const checked = unreadable.get(index) ?? checkItem(item, expectedRate, receivedAt);
    if (typeof checked === 'string') rejected.push({ index, reason: checked });
    else accepted.push(checked);
  });
  return { items: items.length, accepted, rejected };
}

/**
 * A batch id from its accepted items: the same items, the same id (48 bits of SHA-256), in any
 * order and however often an item repeats, so a retry that reorders the items is a duplicate.
 */
function batchId(accepted: readonly IngestItem[]): number {
  const hash = createHash('sha256');
  const items = new Set(accepted.map((item) => `${item.stream}\n${item.start}\n${item.end}\n${item.samples}\n${item.rate}\n${item.quality}\n`));
  for (const item of [...items].sort()) hash.update(item);
  return hash.digest().readUIntBE(0, 6);
}

export function ingestRouter(options: IngestOptions): Router {
  const router = express.Router();
  let received = 0;
  let malformed = 0;

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!options.token) {
      res.status(403).json({ error: 'push ingest is refused: no API token is configured; set LACUNA_API_TOKEN where the exporter runs and send it as "Authorization: Bearer <token>"' });
      return;
    }
    // The token itself is checked by the app's guard on /api (app.ts), before this router.
    if (!options.ingest) {
      res.status(503).json({ error: 'push ingest is not enabled in this exporter (it runs in lacuna start and lacuna serve)' });
      return;
    }
    next();
  });
  router.post(
    '/',
    declaredBodyLimit(MAX_INGEST_BYTES),
    express.json({ limit: MAX_INGEST_BYTES, strict: false }),
    express.text({ type: ['application/x-ndjson', 'application/jsonl', 'application/json-seq'], limit: MAX_INGEST_BYTES }),
    async (req: Request, res: Response) => {
      if (!req.is(['application/json', 'application/x-ndjson', 'application/jsonl', 'application/json-seq'])) {
        throw new HttpError(415, 'Content-Type must be application/json or application/x-ndjson');
      }
      if (req.get('content-length') === '0') throw new HttpError(400, 'the body is empty: send an item, a list of them, or {"items": [...]}');
      const sink = options.ingest!;
      const receivedAt = options.now?.() ?? Date.now() * 1000;
      const { items, accepted, rejected } = readIngestBody(req.body, (id) => sink.thresholdsFor(id)?.expectedRate ?? null, receivedAt);
      received += accepted.length;
      malformed += rejected.length;
      if (accepted.length === 0) {
        res.status(400).json({ error: `none of the ${items} items was accepted`, accepted: 0, rejected });
        return;
      }

      const live = new LiveAccumulator();
      for (const item of accepted) {
        const id = streamChannel(item.stream);
        const key = channelKey(id);
        if (item.samples === 0) live.addHeartbeat(id, item.end, receivedAt, key, item.stream);
        else live.add(id, item.start, item.samples, item.rate, item.quality, receivedAt, key, item.stream);
      }
      const { pieces, latest } = live.drain();
      const id = batchId(accepted);
      const outcome = await sink.submit({
        source: INGEST_SOURCE,
        id,
        contentAddressed: true,
        createdAt: receivedAt,
        pieces,
        latest,
        health: { kind: 'push', up: true, received, malformed, reconnects: 0, at: receivedAt },
      });
      res.status(200).json({ accepted: accepted.length, rejected, batch: String(id), outcome });
    },
  );
  router.all('/', (_req: Request, res: Response) => {
    res.set('Allow', 'POST').status(405).json({ error: 'push ingest takes POST with a JSON body of items (README, HTTP push)' });
  });
  // Bodies that are not JSON (or too large) get a message naming the body.
  router.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return next(new HttpError(400, `the body is not valid JSON: ${e.message}`));
    if (e.type === 'entity.too.large') return next(new HttpError(413, `the body is larger than ${MAX_INGEST_BYTES} bytes: send smaller batches`));
    next(error);
  });
  return router;
}

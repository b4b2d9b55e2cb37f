/**
 * ooi-status compatibility: `GET /available/:channel` answers the availability JSON of
 * ooi-status's `/available/<refdes>` for one Lacuna channel (NET.STA.LOC.CHA; `--` for an empty
 * location), with optional `start_time` / `stop_time`. See ../api/README.md.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { channelKey, parseChannelKey } from '@lacuna/core';
import { MICROS_PER_DAY, type Micros } from '@lacuna/core';
import { channelExtents, channelKeysFilter, segmentsAround } from '@lacuna/core';
import { toleranceFor } from '@lacuna/core';
import type { ExporterContext } from '../app.ts';
import { rollupsReady } from '../api/data.ts';
import { timeParam } from '../api/params.ts';
import { rejectDroppedParameters } from '../api/router.ts';
import { reduceSpans } from '../api/spans.ts';
import { channelTimeline } from '../api/timeline.ts';
import { badRequest, HttpError } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { deploymentsIn, deploymentsMeasure, OOI_CATEGORIES, rfc1123ToIso, streamTriples, type OoiMeasure } from './format.ts';

/** ooi-status's resolution: gaps under 0.1 % of the window are not shown (threshold = span / 1000). */
export const OOI_POINTS = 1000;

/** The API's times, and RFC 1123 as ooi-status writes them. */
const ooiTimeParam = (now: Micros) => timeParam(now, { read: rfc1123ToIso, example: 'RFC 1123 such as Fri, 25 Jul 2014 21:05:00 GMT' });

export function ooiRouter(context: ExporterContext): Router {
  const router = express.Router();
  router.use(rejectDroppedParameters);
  router.get('/:channel', async (req, res) => {
    const now = context.now?.() ?? Date.now() * 1000;
    const q = validate(z.strictObject({ start_time: ooiTimeParam(now).optional(), stop_time: ooiTimeParam(now).optional() }), req.query);
    let id;
    try {
      id = parseChannelKey(req.params.channel);
    } catch (error) {
      throw badRequest(`parameter channel: ${(error as Error).message}`);
    }
    const key = channelKey(id);
    const store = context.store;
    await rollupsReady(store, context.tolerance);
    const filter = channelKeysFilter([id]);
    const [extents, epochs] = await Promise.all([channelExtents(store, filter), store.epochs([id])]);
    const extent = extents.get(key);
    if (extent === undefined && epochs.length === 0) throw new HttpError(404, `channel ${key} is not known here (no data, no metadata)`);

    // Time bounds as ooi-status sets them: upper = stop_time or now, never after now; lower =
    // start_time, else the first deployment (metadata epoch), else the first data; then both
    // tightened to the deployments in range.
    let upper = Math.min(q.stop_time ?? now, now);
    let lower = q.start_time ?? Math.min(...epochs.map((e) => e.start), extent?.first ?? Infinity);
    const deployments = deploymentsIn(epochs, lower, upper);
    if (deployments.length > 0) {
      lower = Math.min(...deployments.map((d) => d.start));
      upper = Math.max(...deployments.map((d) => d.end));
    }
    if (upper - lower > context.limits.maxRangeDays * MICROS_PER_DAY) {
      throw badRequest(`parameter start_time: the range spans more than ${context.limits.maxRangeDays} days`);
    }

    const availability: OoiMeasure[] = [];
    if (deployments.length > 0) availability.push(deploymentsMeasure(deployments));
    let data;
    if (upper > lower) {
      const window = { start: lower, end: upper };
      const segments = await segmentsAround(store, filter, window, extents);
      const threshold = (upper - lower) / OOI_POINTS;
      const timeline = channelTimeline(segments.get(key) ?? [], epochs, {
        window,
        bucket: Math.max(1, Math.ceil(threshold)),
        tolerance: toleranceFor(context.tolerance ?? [], id),
      });
      data = streamTriples(reduceSpans(timeline.spans, window, OOI_POINTS), lower, threshold);
    } else {
      data = streamTriples([], lower);
    }
    availability.push({ measure: key, categories: OOI_CATEGORIES, data });
    res.json({ availability });
  });
  return router;
}

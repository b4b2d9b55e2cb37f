/**
 * ooi-status compatibility: `GET /available/:refdes` answers the availability JSON of
 * ooi-status's `/available/<refdes>`: for a reference designator (SUBSITE-NODE-SENSOR, split as
 * stream ids split it) one measure per stream of the instrument, named "<method> <stream>"; for
 * a channel key (NET.STA.LOC.CHA) that one channel. Optional `start_time`, `stop_time`, `method`,
 * `stream`. The differences from ooi-status are listed in ../api/README.md.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { channelKey, parseChannelKey, parseChannelPatterns, streamChannel, type ChannelPattern, type Segment } from '@lacuna/core';
import { formatTime, MICROS_PER_DAY, type Micros } from '@lacuna/core';
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
import { deploymentsIn, deploymentsMeasure, OOI_CATEGORIES, rfc1123ToIso, streamOf, streamTriples, type OoiMeasure } from './format.ts';

/** ooi-status's resolution: gaps under 0.1 % of the window are not shown (threshold = span / 1000). */
export const OOI_POINTS = 1000;

/** The API's times, and RFC 1123 as ooi-status writes them. */
const ooiTimeParam = (now: Micros) => timeParam(now, { read: rfc1123ToIso, example: 'RFC 1123 such as Fri, 25 Jul 2014 21:05:00 GMT' });

/** What `/available/:refdes` names: a reference designator (its streams), or one channel by key. */
function selectedChannels(text: string): { patterns: ChannelPattern[]; name: string } {
  if (text.includes('.')) {
    try {
      const id = parseChannelKey(text);
      return { patterns: parseChannelPatterns(channelKey(id).replace(/\.\./, '.--.')), name: `channel ${channelKey(id)}` };
    } catch (error) {
      throw badRequest(`parameter refdes: ${(error as Error).message}`);
    }
  }
  let id;
  try {
    id = streamChannel(text);
  } catch (error) {
    throw badRequest(`parameter refdes: ${(error as Error).message.replace(/^bad stream id/, 'bad reference designator')}`);
  }
  return { patterns: parseChannelPatterns(`${id.network}.${id.station}.${id.location || '--'}.*`), name: `reference designator ${text}` };
}

export function ooiRouter(context: ExporterContext): Router {
  const router = express.Router();
  router.use(rejectDroppedParameters);
  router.get('/:refdes', async (req, res) => {
    const now = context.now?.() ?? Date.now() * 1000;
    const q = validate(
      z.strictObject({
        start_time: ooiTimeParam(now).optional(),
        stop_time: ooiTimeParam(now).optional(),
        method: z.string().max(100).optional(),
        stream: z.string().max(100).optional(),
      }),
      req.query,
    );
    const { patterns, name } = selectedChannels(req.params.refdes);
    const store = context.store;
    await rollupsReady(store, context.tolerance);
    const [known, epochs] = await Promise.all([store.channels(patterns), store.epochs(patterns)]);
    if (known.length === 0) throw new HttpError(404, `${name} is not known here (no data, no metadata)`);
    // The streams asked for, as ooi-status filters them: method and stream by equality; without a method, none whose method starts with "bad".
    const streams = known
      .map((id) => ({ id, ...streamOf(id) }))
      .filter(({ method, stream }) => (q.method === undefined ? !method.startsWith('bad') : method === q.method) && (q.stream === undefined || stream === q.stream))
      .sort((a, b) => (a.measure < b.measure ? -1 : a.measure > b.measure ? 1 : 0));
    const filter = channelKeysFilter(streams.map((s) => s.id));
    const extents = await channelExtents(store, filter);

    // Time bounds as ooi-status sets them: upper = stop_time or now, never after now; lower =
    // start_time, else the first deployment (metadata epoch), else the first data; then both
    // tightened to the deployments (the instrument's epochs, merged) in range.
    if (q.start_time !== undefined && q.stop_time !== undefined && q.stop_time <= q.start_time) throw badRequest('parameter stop_time: must be after start_time');
    let upper = Math.min(q.stop_time ?? now, now);
    let lower = q.start_time ?? Math.min(...epochs.map((e) => e.start), ...[...extents.values()].map((extent) => extent.first), upper);
    const deployments = deploymentsIn(epochs, lower, upper);
    if (deployments.length > 0) {
      lower = Math.min(...deployments.map((d) => d.start));
      upper = Math.max(...deployments.map((d) => d.end));
    }
    if (upper - lower > context.limits.maxRangeDays * MICROS_PER_DAY) {
      const span = `span ${Number(((upper - lower) / MICROS_PER_DAY).toFixed(1))} days (from ${formatTime(lower)} to ${formatTime(upper)}), more than the ${context.limits.maxRangeDays} days one request may cover`;
      // Without start_time the window is the deployments': a request that named no time must not be told its start_time is wrong.
      throw badRequest(q.start_time === undefined ? `${name}: its deployments and data ${span}; give start_time and stop_time` : `parameters start_time, stop_time: they ${span}`);
    }

    const availability: OoiMeasure[] = [];
    if (deployments.length > 0) availability.push(deploymentsMeasure(deployments));
    const window = { start: lower, end: upper };
    const segments = upper > lower && streams.length > 0 ? await segmentsAround(store, filter, window, extents) : new Map<string, Segment[]>();
    const threshold = (upper - lower) / OOI_POINTS;
    for (const { id, measure } of streams) {
      const key = channelKey(id);
      const own = epochs.filter((epoch) => channelKey(epoch) === key);
      // A channel with epochs is expected only within them, and outside every deployment ooi-status shows nothing at all.
      const outside = own.length > 0 && deployments.length === 0;
      let data;
      if (upper > lower && !outside) {
        const timeline = channelTimeline(segments.get(key) ?? [], own, {
          window,
          bucket: Math.max(1, Math.ceil(threshold)),
          tolerance: toleranceFor(context.tolerance ?? [], id),
        });
        data = streamTriples(reduceSpans(timeline.spans, window, OOI_POINTS), lower, threshold);
      } else {
        data = streamTriples([], lower);
      }
      availability.push({ measure, categories: OOI_CATEGORIES, data });
    }
    res.json({ availability });
  });
  return router;
}

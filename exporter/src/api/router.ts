/**
 * /api/v1: validates each request's parameters (400 naming the parameter), resolves its time
 * range against the limits, and answers from endpoints.ts. See README.md beside this file.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ExporterContext } from '../app.ts';
import { badRequest } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { CompletionCache } from './completion-cache.ts';
import { channelsResponse, completionResponse, gapsResponse, latencyResponse, stationsResponse, statsResponse, timelineResponse, type ApiEnvironment } from './endpoints.ts';
import { channelsSchema, completionSchema, gapsSchema, latencySchema, resolveRange, stationsSchema, statsSchema, timelineSchema } from './params.ts';

/**
 * The query parser silently drops some keys (`__proto__`, `constructor[…]`); a strict API says
 * so instead: a raw key with no parsed counterpart is an unknown parameter.
 */
export function rejectDroppedParameters(req: Request, _res: Response, next: NextFunction): void {
  const at = req.originalUrl.indexOf('?');
  if (at >= 0) {
    const parsed = req.query as Record<string, unknown>;
    for (const key of new URLSearchParams(req.originalUrl.slice(at + 1)).keys()) {
      const name = key.replace(/\[.*$/, '');
      if (!Object.hasOwn(parsed, name)) return next(badRequest(`unknown parameter: ${name}`));
    }
  }
  next();
}

export function apiRouter(context: ExporterContext): Router {
  const router = express.Router();
  router.use(rejectDroppedParameters);
  const completionCache = context.completionCache === false ? undefined : new CompletionCache();
  const environment = (): ApiEnvironment => ({
    store: context.store,
    limits: context.limits,
    tolerance: context.tolerance ?? [],
    now: context.now?.() ?? Date.now() * 1000,
    completionCache,
  });

  router.get('/channels', async (req, res) => {
    const env = environment();
    const q = validate(channelsSchema(), req.query);
    res.json(await channelsResponse(env, q.pattern ?? [], q.level ?? 'channel'));
  });

  router.get('/timeline', async (req, res) => {
    const env = environment();
    const q = validate(timelineSchema(env.now), req.query);
    res.json(await timelineResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.maxPoints));
  });

  router.get('/completion', async (req, res) => {
    const env = environment();
    const q = validate(completionSchema(env.now), req.query);
    const body = await completionResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.bucket ?? 'day');
    // Sent as it is: no ETag over megabytes of JSON (res.send would hash the whole body).
    res.status(200).type('application/json').end(body.json);
  });

  router.get('/gaps', async (req, res) => {
    const env = environment();
    const q = validate(gapsSchema(env.now), req.query);
    res.json(await gapsResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.minGap));
  });

  router.get('/stats', async (req, res) => {
    const env = environment();
    const q = validate(statsSchema(env.now), req.query);
    res.json(await statsResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now)));
  });

  router.get('/latency', async (req, res) => {
    const env = environment();
    const q = validate(latencySchema(env.now), req.query);
    res.json(await latencyResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.step));
  });

  router.get('/stations', async (req, res) => {
    const env = environment();
    const q = validate(stationsSchema(), req.query);
    res.json(await stationsResponse(env, q.channel ?? [], q.window));
  });

  return router;
}

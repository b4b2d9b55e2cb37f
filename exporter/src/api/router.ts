/**
 * /api/v1: validates each request's parameters (400 naming the parameter), resolves its time
 * range against the limits, and answers from endpoints.ts. See README.md beside this file.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ExporterContext } from '../app.ts';
import { badRequest } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { dataVersion } from '@lacuna/core';
import { CompletionCache } from './completion-cache.ts';
import { channelsResponse, completionResponse, gapsResponse, latencyResponse, RawJson, stationsResponse, statsResponse, timelineResponse, type ApiEnvironment } from './endpoints.ts';
import { SharedAnswers } from './shared-answers.ts';
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
  const caching = context.cache !== false;
  const completionCache = caching ? new CompletionCache() : undefined;
  const now = () => context.now?.() ?? Date.now() * 1000;
  // Answers age on the exporter's clock: one pinned (tests) never ages them.
  const shared = caching ? new SharedAnswers(() => dataVersion(context.store), { clock: () => now() / 1000 }) : null;
  const environment = (version?: string): ApiEnvironment => ({
    store: context.store,
    limits: context.limits,
    tolerance: context.tolerance ?? [],
    now: now(),
    completionCache,
    version,
  });

  /**
   * Answers GET `path` with `compute`'s body, shared between identical requests (the same URL)
   * while the data is unchanged (shared-answers.ts), its window-independent reads shared with
   * other requests at the same data version (data.ts). The JSON text is sent as it is: no ETag
   * hashing of megabytes of it on every request.
   */
  const answer = (path: string, compute: (env: ApiEnvironment, query: Request['query']) => Promise<unknown>) =>
    router.get(path, async (req, res) => {
      const json = async (version?: string) => {
        const body = await compute(environment(version), req.query);
        return body instanceof RawJson ? body.json : JSON.stringify(body);
      };
      res.status(200).type('application/json').end(shared ? await shared.answer(req.originalUrl, json) : await json());
    });

  answer('/channels', (env, query) => {
    const q = validate(channelsSchema(), query);
    return channelsResponse(env, q.pattern ?? [], q.level ?? 'channel');
  });

  answer('/timeline', (env, query) => {
    const q = validate(timelineSchema(env.now), query);
    return timelineResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.maxPoints);
  });

  answer('/completion', (env, query) => {
    const q = validate(completionSchema(env.now), query);
    return completionResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.bucket ?? 'day');
  });

  answer('/gaps', (env, query) => {
    const q = validate(gapsSchema(env.now), query);
    return gapsResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.minGap);
  });

  answer('/stats', (env, query) => {
    const q = validate(statsSchema(env.now), query);
    return statsResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now));
  });

  answer('/latency', (env, query) => {
    const q = validate(latencySchema(env.now), query);
    return latencyResponse(env, q.channel ?? [], resolveRange(q, env.limits, env.now), q.step);
  });

  answer('/stations', (env, query) => {
    const q = validate(stationsSchema(), query);
    return stationsResponse(env, q.channel ?? [], q.window);
  });

  return router;
}

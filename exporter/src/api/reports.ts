/**
 * /api/v1/reports/{segments,gaps,availability,files}: the rows of the CLI's report commands,
 * computed by the same function (core readReport) on the store this process holds. The CLI
 * asks here when a running `lacuna start` or `lacuna serve` holds its embedded store, so the
 * rows are what it would print on a stopped store: the request carries the CLI's own options,
 * and nothing of this server's configuration (its --tolerance) changes them.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { parseToleranceRule, readFileReport, readReport, REPORT_KINDS, ReportTooLargeError, type ReportKind } from '@lacuna/core';
import type { ExporterContext } from '../app.ts';
import { badRequest } from '../http/errors.ts';
import type { Turns } from '../http/turns.ts';
import { validate } from '../http/validation.ts';
import { patternsParam, timeParam } from './params.ts';

const flag = z.enum(['true', 'false']).transform((text) => text === 'true');

const toleranceParam = z
  .union([z.string(), z.array(z.string()).max(100)])
  .transform((value, ctx) => {
    try {
      return (Array.isArray(value) ? value : [value]).map(parseToleranceRule);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

function reportSchema(now: number) {
  return z.strictObject({
    channel: patternsParam.optional(),
    start: timeParam(now).optional(),
    end: timeParam(now).optional(),
    by: z.enum(['day', 'hour']).optional(),
    overlaps: flag.optional(),
    'keep-quality': flag.optional(),
    tolerance: toleranceParam.optional(),
  });
}

export function reportsRouter(context: ExporterContext, heavy: Turns): Router {
  const router = express.Router();
  router.get('/files', async (req, res) => {
    const q = validate(z.strictObject({ errors: flag.optional() }), req.query);
    res.json({ rows: await readFileReport(context.store, q.errors ?? false) });
  });
  router.get('/:kind', async (req, res, next) => {
    const kind = req.params.kind;
    if (!(REPORT_KINDS as readonly string[]).includes(kind)) return next();
    const now = context.now?.() ?? Date.now() * 1000;
    const q = validate(reportSchema(now), req.query);
    if (q.start !== undefined && q.end !== undefined && q.end <= q.start) throw badRequest('parameter end: must be after start');
    const request = { patterns: q.channel ?? [], start: q.start, end: q.end, by: q.by ?? 'day', overlaps: q.overlaps ?? false, keepQuality: q['keep-quality'] ?? false, tolerance: q.tolerance ?? [] } as const;
    const rows = await heavy.run(res, () => readReport(context.store, kind as ReportKind, request, now)).catch((error: unknown) => {
      throw error instanceof ReportTooLargeError ? badRequest(error.message) : error;
    });
    res.json({ rows });
  });
  return router;
}

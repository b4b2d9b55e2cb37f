import type { z } from 'zod';
import { badRequest } from './errors.ts';

/**
 * Validates a request's query (or body) against a zod schema; the first problem becomes a 400
 * whose message names the parameter. Schemas are strict objects, so unknown parameters are
 * rejected too.
 */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') throw badRequest(`unknown parameter${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`);
  const name = issue.path.join('.') || 'request';
  throw badRequest(`parameter ${name}: ${issue.message}`);
}

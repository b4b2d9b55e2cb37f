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
  if (issue.code === 'unrecognized_keys') {
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    const known = shape ? ` (known: ${Object.keys(shape).join(', ')})` : '';
    throw badRequest(`unknown parameter${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}${known}`);
  }
  const name = issue.path.join('.') || 'request';
  // A query parameter given twice arrives as a list: say so rather than "expected string, received array".
  const given = issue.path.length === 1 ? (input as Record<PropertyKey, unknown> | null)?.[issue.path[0]] : undefined;
  if (Array.isArray(given)) {
    throw badRequest(`parameter ${name}: ${given.length > 1 ? `given ${given.length} times` : 'given as a list'}; give it once`);
  }
  // Given more than 20 times, or with brackets (channel[x]=…), it arrives as an object.
  if (typeof given === 'object' && given !== null) throw badRequest(`parameter ${name}: given many times or with brackets; give it once, as ${name}=…`);
  throw badRequest(`parameter ${name}: ${issue.message}`);
}

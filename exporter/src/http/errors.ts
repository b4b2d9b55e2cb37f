/** A client error: the status and a message that names the parameter and what is wrong. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);

/**
 * What a request's error answers: an HttpError's status and message, a 4xx that express itself
 * raised (an unreadable or oversized body), else 500 "internal error" with the details logged
 * here and never sent.
 */
export function describeError(error: unknown, request: { method: string; path: string }): { status: number; message: string } {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: (error as Error).message };
  console.error(`exporter: ${request.method} ${request.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return { status: 500, message: 'internal error' };
}

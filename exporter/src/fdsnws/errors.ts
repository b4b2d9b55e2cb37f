/**
 * The FDSN web services' error document (text/plain): status line, message, usage pointer, the
 * request, when it was submitted and the service version, blocks separated by a blank line.
 * Clients rely on the status code and the first line.
 */
import { STATUS_CODES } from 'node:http';
import type { Micros } from '@lacuna/core';
import { formatTime } from '@lacuna/core';

/** The version of the FDSN availability specification this service implements. */
export const SERVICE_VERSION = '1.0.0';
export const SERVICE_PATH = '/fdsnws/availability/1/';

/** The request is echoed back, cut short: a hostile URL of many kilobytes is not worth repeating. */
const MAX_ECHOED_REQUEST = 1000;

export function errorDocument(status: number, message: string, request: string, submitted: Micros): string {
  const echoed = request.length > MAX_ECHOED_REQUEST ? `${request.slice(0, MAX_ECHOED_REQUEST)}…` : request;
  return [
    `Error ${status}: ${STATUS_CODES[status] ?? 'Error'}`,
    message,
    `Usage details are available from ${SERVICE_PATH}`,
    `Request:\n${echoed}`,
    `Request Submitted:\n${formatTime(submitted)}`,
    `Service version:\n${SERVICE_VERSION}`,
  ].join('\n\n') + '\n';
}

import { describe, expect, it } from 'vitest';
import { errorDocument } from './errors.ts';

describe('FDSN error document', () => {
  it('has the common layout: status line, message, usage, request, submission time, version', () => {
    const submitted = Date.UTC(2024, 2, 2, 10, 0, 0, 123) * 1000 + 456;
    expect(errorDocument(400, 'invalid value in parameter: orderby', '/fdsnws/availability/1/query?net=XX&orderby=foo', submitted)).toBe(
      [
        'Error 400: Bad Request',
        '',
        'invalid value in parameter: orderby',
        '',
        'Usage details are available from /fdsnws/availability/1/',
        '',
        'Request:',
        '/fdsnws/availability/1/query?net=XX&orderby=foo',
        '',
        'Request Submitted:',
        '2024-03-02T10:00:00.123456Z',
        '',
        'Service version:',
        '1.0.0',
        '',
      ].join('\n'),
    );
  });

  it('echoes at most 1000 characters of a long request', () => {
    const document = errorDocument(400, 'bad', `/q?sta=${'A'.repeat(10_000)}`, 0);
    expect(document.startsWith('Error 400: Bad Request\n')).toBe(true);
    expect(document.length).toBeLessThan(1300);
  });
});

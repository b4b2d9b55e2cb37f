/**
 * Hostile and malformed input to /api/v1: every bad request is a 400 whose message names the
 * parameter, nothing reaches SQL but parameters, and the store is unharmed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exporterFixture, type ExporterFixture } from '../testing/fixture.ts';

const END = Date.UTC(2024, 4, 10, 12, 0, 0) * 1000;
const RANGE = 'from=2024-05-08&to=2024-05-10';

describe('/api/v1 with hostile input', () => {
  let fixture: ExporterFixture;
  let url: string;
  const status = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };
  const expect400 = async (path: string, parameter: string) => {
    const { status: code, body } = await status(path);
    expect({ path, code }).toEqual({ path, code: 400 });
    expect(body.error, path).toMatch(new RegExp(`^(parameter ${parameter}:|unknown parameters?: .*${parameter})`));
    expect(body.error).not.toMatch(/at .*\.ts|ClickHouse|SELECT/);
  };

  beforeAll(async () => {
    fixture = await exporterFixture({ end: END });
    ({ url } = await fixture.serve({ now: () => END }));
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  it('rejects injection strings and oversized patterns in channel and pattern', async () => {
    await expect400(`/api/v1/timeline?channel=${encodeURIComponent("XA' OR 1=1 --")}&${RANGE}`, 'channel');
    await expect400(`/api/v1/gaps?channel=${encodeURIComponent('XA.ALPHA.00.LHZ); DROP TABLE segments; --')}&${RANGE}`, 'channel');
    await expect400(`/api/v1/completion?channel=${'A'.repeat(1001)}&${RANGE}`, 'channel');
    await expect400(`/api/v1/stats?channel=${Array.from({ length: 101 }, (_, i) => `N${i}`).join(',')}&${RANGE}`, 'channel');
    await expect400(`/api/v1/channels?pattern=${encodeURIComponent('%')}`, 'pattern');
    await expect400(`/api/v1/latency?channel=${encodeURIComponent('XA\\')}&${RANGE}`, 'channel');
  });

  it('rejects malformed dates and absurd ranges', async () => {
    await expect400('/api/v1/timeline?from=2024-13-01&to=2024-05-10', 'from');
    await expect400('/api/v1/timeline?from=2024-05-01&to=yesterday', 'to');
    await expect400('/api/v1/completion?from=0001-01-01&to=2024-05-10', 'from');
    await expect400('/api/v1/gaps?from=-999999999999d', 'from');
    await expect400('/api/v1/stats?from=99999999999999999', 'from');
    await expect400(`/api/v1/latency?from=${'2'.repeat(65)}`, 'from');
    await expect400('/api/v1/timeline?from=2024-05-10&to=2024-05-01', 'to');
    await expect400('/api/v1/timeline?from=1700-01-01&to=2200-01-01', 'from');
    const { url: narrow } = await fixture.serve({ now: () => END, limits: { maxRangeDays: 2, maxRows: 1_000_000, maxSegmentsRead: 2_000_000 } });
    const response = await fetch(`${narrow}/api/v1/completion?from=2024-05-01&to=2024-05-10`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^parameter from: .*at most 2/);
    // ooi-status without start_time covers the deployments: too long a one is not blamed on a start_time never given.
    const whole = await fetch(`${narrow}/available/XA.ALPHA.00.LHZ`);
    expect(whole.status).toBe(400);
    expect(((await whole.json()) as { error: string }).error).toMatch(
      /^channel XA\.ALPHA\.00\.LHZ: its deployments and data span 4(\.\d+)? days \(from \S+Z to \S+Z\), more than the 2 days one request may cover; give start_time and stop_time$/,
    );
    const given = await fetch(`${narrow}/available/XA.ALPHA.00.LHZ?start_time=2024-05-01T00:00:00&stop_time=2024-05-10T00:00:00`);
    expect(given.status).toBe(400);
    expect(((await given.json()) as { error: string }).error).toMatch(/^parameters start_time, stop_time: .* span \d+(\.\d+)? days .*, more than the 2 days one request may cover$/);
  });

  it('rejects out-of-range numbers and unknown choices', async () => {
    for (const value of ['1e9', '1000000000', '0', '-1', '1.5', '10001', 'NaN', '']) await expect400(`/api/v1/timeline?${RANGE}&maxPoints=${value}`, 'maxPoints');
    await expect400(`/api/v1/completion?${RANGE}&bucket=week`, 'bucket');
    await expect400(`/api/v1/channels?level=planet`, 'level');
    for (const value of ['0', '-5', 'abc', '0.5']) await expect400(`/api/v1/latency?${RANGE}&step=${value}`, 'step');
    await expect400(`/api/v1/latency?from=2020-01-01&to=2024-05-10&step=1s`, 'step');
    await expect400(`/api/v1/gaps?${RANGE}&minGap=-1`, 'minGap');
    await expect400(`/api/v1/stations?window=0d`, 'window');
    await expect400(`/api/v1/stations?window=${encodeURIComponent('1h; DROP')}`, 'window');
    // Numbers whose arithmetic left the range of times were a 500 (issue 11 case 5).
    await expect400(`/api/v1/latency?${RANGE}&step=999999999d`, 'step');
    await expect400(`/api/v1/gaps?${RANGE}&minGap=999999999d`, 'minGap');
    await expect400(`/api/v1/stations?window=9999999w`, 'window');
    await expect400(`/api/v1/stations?window=99999999d`, 'window');
  });

  it('rejects unknown, repeated and nested parameters', async () => {
    await expect400(`/api/v1/timeline?${RANGE}&maxpoints=10`, 'maxpoints');
    await expect400(`/api/v1/stations?from=2024-05-01`, 'from');
    await expect400(`/api/v1/gaps?${RANGE}&channel=XA&channel=YB`, 'channel');
    await expect400(`/api/v1/gaps?${RANGE}&channel[a]=XA`, 'channel');
    await expect400(`/api/v1/completion?${RANGE}&__proto__=1`, '__proto__');
  });

  it('bounds responses by the row limit', async () => {
    const { url: small } = await fixture.serve({ now: () => END, limits: { maxRangeDays: 3660, maxRows: 5, maxSegmentsRead: 2_000_000 } });
    for (const [path, parameter] of [
      [`/api/v1/timeline?${RANGE}&maxPoints=1000`, 'channel'],
      [`/api/v1/completion?${RANGE}&bucket=hour`, 'channel'],
      [`/api/v1/gaps?from=2024-05-01&to=2024-05-10`, 'minGap'],
    ] as const) {
      const response = await fetch(`${small}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(((await response.json()) as { error: string }).error).toMatch(new RegExp(`^parameter ${parameter}: .*at most 5 `));
    }
  });

  it('still answers normally afterwards (nothing was harmed)', async () => {
    const { status: code, body } = await status(`/api/v1/gaps?channel=XA,YB,ZC&from=2024-05-06&to=2024-05-10T12:00:00Z`);
    expect(code).toBe(200);
    expect((body as unknown as { gaps: unknown[] }).gaps.length).toBe(fixture.manifest.gaps.length);
  });
});

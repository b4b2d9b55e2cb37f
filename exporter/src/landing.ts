/**
 * What a person finds at the exporter's root: `/` (HTML) and `/api/v1` (JSON) list every
 * endpoint with what it answers, the store and its readiness, and the version. One list serves
 * both, so neither can forget an endpoint the other names.
 */
import exporterPackage from '../package.json' with { type: 'json' };
import type { StoreLocation } from '@lacuna/core';

export const LACUNA_VERSION: string = exporterPackage.version;

export interface Endpoint {
  method: 'GET' | 'POST' | 'GET, POST';
  path: string;
  /** A path that answers as it is (no parameter to fill in), linked from the page. */
  link?: string;
  description: string;
}

export const ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: '/metrics', link: '/metrics', description: 'Prometheus metrics: availability, gaps, latency and state per channel, station and network; the collector\'s health' },
  { method: 'GET', path: '/api/v1', link: '/api/v1', description: 'this list as JSON' },
  { method: 'GET', path: '/api/v1/channels', link: '/api/v1/channels', description: 'channel, station or network names, for template variables' },
  { method: 'GET', path: '/api/v1/timeline', link: '/api/v1/timeline', description: 'availability timeline rows: present, missing, sparse and not-expected spans per channel' },
  { method: 'GET', path: '/api/v1/completion', link: '/api/v1/completion', description: 'percent availability per channel and day or hour' },
  { method: 'GET', path: '/api/v1/gaps', link: '/api/v1/gaps', description: 'gaps per channel in a window' },
  { method: 'GET', path: '/api/v1/stats', link: '/api/v1/stats', description: 'availability, gaps, sample completeness and latency per channel' },
  { method: 'GET', path: '/api/v1/latency', link: '/api/v1/latency', description: 'latency per channel over time' },
  { method: 'GET', path: '/api/v1/stations', link: '/api/v1/stations', description: 'state and availability per station' },
  { method: 'GET', path: '/api/v1/reports/{segments|gaps|availability|files}', link: '/api/v1/reports/files', description: 'the rows of the lacuna report commands (how they read a store this process holds)' },
  { method: 'POST', path: '/api/v1/ingest', description: 'push segments and heartbeats of live streams (bearer token)' },
  { method: 'GET, POST', path: '/fdsnws/availability/1/query', link: '/fdsnws/availability/1/', description: 'FDSN availability 1.0: time spans per channel (also extent, version, application.wadl)' },
  { method: 'GET', path: '/available/{reference designator}', description: 'ooi-status availability: one measure per stream of an instrument' },
  { method: 'GET', path: '/healthz', link: '/healthz', description: 'the process answers' },
  { method: 'GET', path: '/readyz', link: '/readyz', description: 'the store is reachable and its schema current' },
];

export interface LandingFacts {
  store: StoreLocation;
  ready: boolean;
  /** Whether /api, /fdsnws and /available want a bearer token. */
  token: boolean;
}

/** The /api/v1 index. */
export function apiIndex(facts: LandingFacts) {
  return {
    apiVersion: 1,
    version: LACUNA_VERSION,
    store: { kind: facts.store.kind, target: facts.store.target, ready: facts.ready },
    tokenRequired: facts.token,
    endpoints: ENDPOINTS.map(({ method, path, description }) => ({ method, path, description })),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The landing page at `/`. */
export function landingPage(facts: LandingFacts): string {
  const rows = ENDPOINTS.map(({ method, path, link, description }) => {
    const name = link ? `<a href="${escapeHtml(link)}">${escapeHtml(path)}</a>` : escapeHtml(path);
    return `<tr><td>${method}</td><td><code>${name}</code></td><td>${escapeHtml(description)}</td></tr>`;
  });
  const store = `${facts.store.kind === 'embedded' ? 'embedded ClickHouse' : 'ClickHouse server'} at <code>${escapeHtml(facts.store.target)}</code>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lacuna ${escapeHtml(LACUNA_VERSION)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.ready { color: #1a7f37; } .unready { color: #b42318; }
</style>
</head>
<body>
<h1>Lacuna ${escapeHtml(LACUNA_VERSION)}</h1>
<p>Which channels have data, where the gaps are, and how late the data is.</p>
<p>Store: ${store}: <strong class="${facts.ready ? 'ready' : 'unready'}">${facts.ready ? 'ready' : 'unreachable or not migrated'}</strong>.${facts.token ? ' <code>/api</code>, <code>/fdsnws</code> and <code>/available</code> want a bearer token.' : ''}</p>
<table>
<thead><tr><th>method</th><th>path</th><th>what it answers</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

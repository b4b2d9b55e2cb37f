/**
 * Bundles the harness page (entry.tsx with the panels' code) with esbuild into
 * test-output/harness/, ready for headless Chromium to open from a file URL.
 */
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PLUGIN_DIR = path.resolve(import.meta.dirname, '..');
export const OUTPUT_DIR = path.join(PLUGIN_DIR, 'test-output');
const HARNESS_DIR = path.join(OUTPUT_DIR, 'harness');

/**
 * Bundles a browser page's entry (React, @grafana/* and all) into `dir`/page.js beside an
 * index.html that runs it; `style` is the page's CSS.
 */
export async function bundlePage(entry: string, dir: string, title: string, style: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: path.join(dir, 'page.js'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    jsx: 'transform',
    minify: true,
    logLevel: 'error',
    loader: { '.svg': 'text', '.css': 'empty', '.woff': 'empty', '.woff2': 'empty' },
  });
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>${style}</style></head>
<body><div id="root"></div><script src="page.js"></script></body></html>`
  );
}

/** Builds the harness page and returns its file URL. */
export async function buildHarness(): Promise<string> {
  await bundlePage(path.join(import.meta.dirname, 'entry.tsx'), HARNESS_DIR, 'Lacuna panels', 'html,body{margin:0;padding:0;font-family:Inter,Helvetica,Arial,sans-serif}');
  return `file://${path.join(HARNESS_DIR, 'index.html')}`;
}

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

/** Builds the page and returns its file URL. */
export async function buildHarness(): Promise<string> {
  mkdirSync(HARNESS_DIR, { recursive: true });
  await build({
    entryPoints: [path.join(import.meta.dirname, 'entry.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: path.join(HARNESS_DIR, 'harness.js'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    jsx: 'transform',
    minify: true,
    logLevel: 'error',
    loader: { '.svg': 'text', '.css': 'empty' },
  });
  writeFileSync(
    path.join(HARNESS_DIR, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>Lacuna panels</title>
<style>html,body{margin:0;padding:0;font-family:Inter,Helvetica,Arial,sans-serif}</style></head>
<body><div id="root"></div><script src="harness.js"></script></body></html>`
  );
  return `file://${path.join(HARNESS_DIR, 'index.html')}`;
}

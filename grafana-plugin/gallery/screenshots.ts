/**
 * npm run screenshots — the gallery: both panels rendered through the BUILT plugin from RUNNING
 * exporters, in headless Chromium, into grafana-plugin/test-output/gallery/ (git-ignored).
 *
 * Three exporters, each started as a user would (`lacuna start` / `lacuna serve`, token on):
 *   demo     the demo of `lacuna start` (21 days, 32 channels, planted faults);
 *   case30   30 channels over 7 days (gallery/node/case.ts): 1-sample, 1-minute, 1-hour and
 *            1-day gaps, hourly 1-sample gaps, an overlap, a dead station, a channel that never
 *            had data, a late channel, a channel installed mid-window;
 *   network  2,000 channels over 7 days (core's synthetic network, for the scale benchmark).
 * A small page server stands in for Grafana: it serves the built plugin and a host page
 * (gallery/host.tsx) and proxies the datasource's route to the exporters with the bearer token.
 * Each picture is taken dark and light; most with a tooltip open. The list of pictures, with
 * what each should show, goes to index.md beside them.
 *
 * Options: --no-build (reuse cli/dist and grafana-plugin/dist), --keep (leave the exporters' work
 * folder for a look afterwards).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumAvailable, CHROMIUM_PATH, openHarness, type HarnessBrowser } from '../harness/browser.ts';
import { bundlePage } from '../harness/build.ts';
import type { GalleryCase } from './cases.ts';
import type { GalleryRender } from './host.tsx';

const PLUGIN_DIR = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(PLUGIN_DIR, '..');
const OUT = path.join(PLUGIN_DIR, 'test-output', 'gallery');
const WORK = path.join(OUT, 'work');
const TOKEN = 'gallery-token';
const DAY_MS = 86_400_000;
const args = new Set(process.argv.slice(2));

const children: ChildProcess[] = [];
function log(message: string): void {
  process.stderr.write(`screenshots: ${message}\n`);
}

/** Runs a command to its end; its output goes to a log file in the work folder. */
function run(name: string, command: string, commandArgs: string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: options.cwd ?? REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(path.join(WORK, `${name}.log`), `${stdout}\n${stderr}`);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${name} failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a long-running `lacuna` command on a free port, in its own folder (its ./data: the demo
 * archive, the spool), and waits until its API lists channels.
 */
async function startExporter(name: string, lacunaArgs: string[]): Promise<string> {
  const cwd = path.join(WORK, name);
  mkdirSync(cwd, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(WORK, `${name}.log`);
  const child = spawn(process.execPath, [path.join(REPO, 'cli/bin/lacuna.js'), ...lacunaArgs, '--listen', `127.0.0.1:${port}`], {
    cwd,
    env: { ...process.env, LACUNA_API_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  child.on('close', () => writeFileSync(logFile, output));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name}: lacuna exited (${child.exitCode}): ${output.trim().split('\n').slice(-5).join('\n')}`);
    try {
      const response = await fetch(`${url}/api/v1/channels?level=channel`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (response.ok) {
        const { values } = (await response.json()) as { values: string[] };
        // `lacuna start` answers before its first scan is done; it reports the scan when done.
        if (values.length > 0 && (lacunaArgs[0] !== 'start' || /scanned \d+ of \d+ files/.test(output))) {
          log(`${name}: ${url} serves ${values.length} channels (${((Date.now() - started) / 1000).toFixed(0)} s)`);
          return url;
        }
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 15 * 60_000) throw new Error(`${name}: no channels after 15 minutes; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.svg': 'image/svg+xml', '.html': 'text/html', '.map': 'application/json' };

/** The page server: the host page, the built plugin, and the datasource proxy route as Grafana's (token added). */
function servePages(exporters: Record<string, string>, hostDir: string): Promise<{ server: Server; url: string }> {
  const dist = path.join(PLUGIN_DIR, 'dist');
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const proxied = /^\/api\/datasources\/proxy\/uid\/([\w-]+)\/lacuna(\/.*)$/.exec(url.pathname);
    if (proxied) {
      const [, uid, rest] = proxied;
      const target = exporters[uid.replace(/-badtoken$/, '')];
      if (!target) {
        res.writeHead(404).end(JSON.stringify({ message: `no datasource ${uid}` }));
        return;
      }
      try {
        const response = await fetch(`${target}${rest}${url.search}`, { headers: { authorization: `Bearer ${uid.endsWith('-badtoken') ? 'not-the-token' : TOKEN}` } });
        res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `Bad Gateway: ${(error as Error).message}` }));
      }
      return;
    }
    const file = url.pathname.startsWith('/public/plugins/lacuna-availability-app/')
      ? path.join(dist, url.pathname.slice('/public/plugins/lacuna-availability-app/'.length))
      : path.join(hostDir, url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
    if (!file.startsWith(dist) && !file.startsWith(hostDir)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

async function buildHost(): Promise<string> {
  const dir = path.join(WORK, 'host');
  const style = 'html,body{margin:0;padding:0;font-family:Inter,Helvetica,Arial,sans-serif}#root{margin:16px;position:relative;box-sizing:content-box}';
  await bundlePage(path.join(import.meta.dirname, 'host.tsx'), dir, 'Lacuna gallery', style);
  return dir;
}

interface Shot {
  name: string;
  shows: string;
  render: GalleryRender;
  /** Where to open the tooltip: a channel's row at a time (ms); or a row index of the first rows. */
  hover?: { channel: string; atMs: number } | { rowIndex: number; atMs: number };
  scrollTop?: number;
}

/** The canvas's plot: where times fall, CSS pixels in the page. */
async function plotOf(page: Page, shot: Shot) {
  const box = (await page.getByRole('img').boundingBox())!;
  const { panel, fromMs, toMs } = shot.render;
  if (panel === 'timeline') {
    const left = box.x + Math.round(Math.min(260, Math.max(110, box.width * 0.2)));
    const right = box.x + box.width - 76;
    return { box, xOf: (ms: number) => left + ((ms - fromMs) / (toMs - fromMs)) * (right - left) };
  }
  const left = box.x + Math.round(Math.min(240, Math.max(100, box.width * 0.18)));
  const right = box.x + box.width - 76;
  const first = Math.floor(fromMs / DAY_MS);
  const columns = Math.ceil(toMs / DAY_MS) - first;
  return { box, xOf: (ms: number) => left + ((Math.floor(ms / DAY_MS) - first + 0.5) / columns) * (right - left) };
}

/** Hovers the label column row by row until the tooltip names the channel; returns that row's y. */
async function rowOf(page: Page, box: { x: number; y: number; height: number }, channel: string, rowHeight: number): Promise<number | null> {
  for (let y = box.y + 24 + rowHeight / 2; y < box.y + box.height; y += rowHeight) {
    await page.mouse.move(box.x + 30, y);
    const tooltip = page.getByTestId('lacuna-tooltip');
    if ((await tooltip.count()) > 0 && ((await tooltip.textContent()) ?? '').split('\n')[0] === channel) return y;
  }
  return null;
}

async function take(page: Page, shot: Shot): Promise<string> {
  const result = await page.evaluate((request) => window.gallery.render(request), shot.render);
  let note = `${result.frames} frames${result.errors.length ? `, errors: ${result.errors.join('; ')}` : ''}`;
  if (shot.scrollTop) {
    await page.getByTestId(`lacuna-${shot.render.panel}-scroller`).evaluate((el, top) => {
      el.scrollTop = top;
      el.dispatchEvent(new Event('scroll'));
    }, shot.scrollTop);
    await page.waitForTimeout(100);
  }
  if (shot.hover) {
    const { box, xOf } = await plotOf(page, shot);
    const rowHeight = Number(shot.render.options?.rowHeight ?? (shot.render.panel === 'timeline' ? 20 : 16));
    const y = 'channel' in shot.hover ? await rowOf(page, box, shot.hover.channel, rowHeight) : box.y + 24 + (shot.hover.rowIndex + 0.5) * rowHeight;
    if (y === null) note += `; ${(shot.hover as { channel: string }).channel} not found among the rows in view`;
    else await page.mouse.move(xOf(shot.hover.atMs), y);
  } else await page.mouse.move(1, 1);
  const file = path.join(OUT, `${shot.name}.png`);
  const panel = (await page.locator('#root').boundingBox())!;
  await page.screenshot({ path: file, clip: { x: panel.x - 8, y: panel.y - 8, width: panel.width + 16, height: panel.height + 16 } });
  return note;
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(`the gallery needs Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  if (!args.has('--no-build')) {
    log('building the CLI and the plugin (npm run build, npm run build:plugin)');
    await run('build-cli', 'npm', ['run', 'build']);
    await run('build-plugin', 'npm', ['run', 'build:plugin']);
  }
  if (!existsSync(path.join(PLUGIN_DIR, 'dist/panels/timeline/module.js'))) throw new Error('grafana-plugin/dist is missing: run without --no-build');

  log('writing the 30-channel archive and the 2,000-channel store');
  const case30 = JSON.parse(await run('case30-write', process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'node/case.ts'), path.join(WORK, 'case30')])) as GalleryCase & { metadata: string };
  const network = JSON.parse(await run('network-fill', process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'node/network.ts'), path.join(WORK, 'network-store')])) as { fromUs: number; toUs: number };

  log('starting three exporters (the demo writes and scans its archive first: a minute or more)');
  const [demoUrl, case30Url, networkUrl] = await Promise.all([
    startExporter('demo', ['start', '--store', path.join(WORK, 'demo-store')]),
    startExporter('case30', ['start', '--archive', path.join(WORK, 'case30'), '--metadata', case30.metadata, '--store', path.join(WORK, 'case30-store')]),
    startExporter('network', ['serve', '--store', path.join(WORK, 'network-store')]),
  ]);
  const demoRoot = path.join(WORK, 'demo');
  const manifest = JSON.parse(readFileSync(path.join(demoRoot, 'data/demo/demo-manifest.json'), 'utf8')) as {
    start: number;
    end: number;
    gaps: Array<{ channel: string; start: number; end: number; size: string }>;
    deadChannel: { channel: string; lastSample: number };
  };

  const pages = await servePages({ demo: demoUrl, case30: case30Url, network: networkUrl }, await buildHost());
  const browser: HarnessBrowser = await openHarness(pages.url, { width: 1400, height: 900 }, { ready: 'gallery' });
  const lines = ['# Lacuna panels: the gallery', '', `Made by \`npm run screenshots\` on ${new Date().toISOString()}: the built plugin, running exporters, headless Chromium.`, ''];
  try {
    const ms = (us: number) => Math.round(us / 1000);
    const demoWindow = { fromMs: ms(manifest.end) - 21 * DAY_MS, toMs: ms(manifest.end) };
    const caseWindow = { fromMs: ms(case30.fromUs), toMs: ms(case30.toUs) };
    const networkWindow = { fromMs: ms(network.fromUs), toMs: ms(network.toUs) };
    const hourGap = manifest.gaps.find((g) => g.size === 'hours') ?? manifest.gaps[0];
    const hover = (channel: string) => {
      const c = case30.channels.find((x) => x.id === channel)!;
      return { channel, atMs: ms(c.hoverAt!) };
    };
    const shots: Shot[] = [];
    for (const theme of ['dark', 'light'] as const) {
      const full = { theme, width: 1200, height: 760 };
      shots.push(
        { name: `demo-timeline-${theme}`, shows: 'the demo over 21 days; tooltip on a planted gap of hours', render: { source: 'demo', panel: 'timeline', ...full, ...demoWindow }, hover: { channel: hourGap.channel, atMs: ms((hourGap.start + hourGap.end) / 2) } },
        { name: `demo-completion-${theme}`, shows: 'the demo by day; tooltip on the dead channel’s last day', render: { source: 'demo', panel: 'completion', ...full, ...demoWindow }, hover: { channel: manifest.deadChannel.channel, atMs: demoWindow.toMs - DAY_MS / 2 } },
        { name: `case30-timeline-${theme}`, shows: 'every planted case; tooltip on the 1-sample gap', render: { source: 'case30', panel: 'timeline', ...full, ...caseWindow }, hover: hover('GL.GAPS.00.LH1') },
        { name: `case30-timeline-dead-${theme}`, shows: 'tooltip on the dead station: since when', render: { source: 'case30', panel: 'timeline', ...full, ...caseWindow, options: { sortBy: 'longestGap', groupByStation: false } }, hover: hover('GL.DEAD.00.LHE') },
        { name: `case30-completion-${theme}`, shows: 'the 30 channels by day; tooltip on today of an on-time channel', render: { source: 'case30', panel: 'completion', ...full, ...caseWindow }, hover: { channel: 'GL.ST00.00.LHZ', atMs: caseWindow.toMs - 60_000 } },
        { name: `case30-timeline-half-${theme}`, shows: 'a half-width panel: the legend wraps, labels stay apart', render: { source: 'case30', panel: 'timeline', theme, width: 600, height: 760, ...caseWindow }, hover: hover('GL.GAPS.00.LH4') },
        { name: `case30-completion-half-${theme}`, shows: 'a half-width completion map', render: { source: 'case30', panel: 'completion', theme, width: 600, height: 760, ...caseWindow }, hover: { channel: 'GL.LATE.00.LHZ', atMs: caseWindow.toMs - 60_000 } },
        { name: `network-timeline-${theme}`, shows: '2,000 channels, scrolled into the middle (pinned headers); tooltip', render: { source: 'network', panel: 'timeline', ...full, ...networkWindow }, scrollTop: 20_000, hover: { rowIndex: 8, atMs: networkWindow.fromMs + 3.5 * DAY_MS } },
        { name: `network-completion-${theme}`, shows: '2,000 channels by day, scrolled into the middle; tooltip', render: { source: 'network', panel: 'completion', ...full, ...networkWindow }, scrollTop: 16_000, hover: { rowIndex: 8, atMs: networkWindow.fromMs + 3.5 * DAY_MS } }
      );
    }
    shots.push(
      { name: 'case30-timeline-berlin-dark', shows: 'the dashboard in Europe/Berlin: ticks on Berlin midnights, the axis says so', render: { source: 'case30', panel: 'timeline', theme: 'dark', width: 1200, height: 500, ...caseWindow, timeZone: 'Europe/Berlin' } },
      { name: 'case30-timeline-rows8-dark', shows: 'row height 8: no smeared labels', render: { source: 'case30', panel: 'timeline', theme: 'dark', width: 1200, height: 500, ...caseWindow, options: { rowHeight: 8 } } },
      { name: 'case30-completion-doy-light', shows: 'day-of-year axis labels', render: { source: 'case30', panel: 'completion', theme: 'light', width: 1200, height: 500, ...caseWindow, options: { axisLabels: 'dayOfYear' } } },
      { name: 'badtoken-timeline-dark', shows: 'a datasource with a wrong token: the 401 in the panel body', render: { source: 'case30-badtoken', panel: 'timeline', theme: 'dark', width: 800, height: 300, ...caseWindow } }
    );
    for (const shot of shots) {
      const note = await take(browser.page, shot);
      log(`${shot.name}.png: ${note}`);
      lines.push(`- \`${shot.name}.png\`: ${shot.shows} (${note})`);
    }
    if (browser.errors.length > 0) lines.push('', `Page errors: ${browser.errors.join('; ')}`);
  } finally {
    await browser.close();
    pages.server.close();
  }
  lines.push('', '30-channel case, row by row:', '', ...case30.channels.map((c) => `- ${c.id}: ${c.shows}`));
  writeFileSync(path.join(OUT, 'index.md'), `${lines.join('\n')}\n`);
  log(`${OUT}/index.md lists the pictures`);
}

// Interrupted: the exporters go with the script.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGINT');
    process.exit(130);
  });
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGINT');
  await Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => child.on('close', resolve)))));
  if (!args.has('--keep')) rmSync(WORK, { recursive: true, force: true });
}

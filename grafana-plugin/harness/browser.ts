/**
 * Headless Chromium for the harness tests and the benchmark, through playwright-core and the
 * system's /usr/bin/chromium (no browser download). The flags keep it off the network; a fresh
 * profile folder per launch keeps runs independent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HarnessBrowser {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  devicePixelRatio?: number;
  /** Classic scrollbars that take room, as on Windows and Linux desktops (headless hides them). */
  classicScrollbars?: boolean;
  /** The page is ready once this global is an object (default `lacuna`, the harness's). */
  ready?: string;
}

/** Launches Chromium and opens `url` in a page of the given viewport. */
export async function openHarness(url: string, viewport = { width: 1280, height: 800 }, options: HarnessOptions = {}): Promise<HarnessBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'lacuna-chromium-'));
  let context: BrowserContext | undefined;
  try {
    // A persistent context is Playwright's way of giving Chromium its own --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: FLAGS,
      viewport,
      deviceScaleFactor: options.devicePixelRatio ?? 1,
      ignoreDefaultArgs: options.classicScrollbars ? ['--hide-scrollbars'] : undefined,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction((name) => typeof (window as unknown as Record<string, unknown>)[name] === 'object', options.ready ?? 'lacuna');
    return {
      page,
      errors,
      close: async () => {
        await context?.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

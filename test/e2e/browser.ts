/**
 * Headless Chromium for the dashboard's browser test and bench: Debian's `chromium` package
 * (.ci/run installs it), driven by playwright-core, with the flags a shared CI machine needs.
 * playwright-core downloads nothing: without /usr/bin/chromium the browser test is skipped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Why the browser cannot run here, or false when it can. */
export function noBrowserReason(): string | false {
  return existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium; .ci/run does when it can) to run the dashboard in a browser`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

/** Where the browser test leaves its screenshots: the test run's output (.tap/), or SCREENSHOT_DIR. */
export function screenshotDir(): string {
  const dir = process.env['SCREENSHOT_DIR'] ?? join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), '.tap', 'screenshots', 'dashboard');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What went wrong in a page: uncaught errors, failed requests, answers ≥ 400, requests leaving the server. */
export interface PageTrouble {
  readonly at: number;
  readonly kind: 'page error' | 'console error' | 'request failed' | 'http error' | 'outside request';
  readonly detail: string;
  readonly url: string;
}

/**
 * Records every trouble of `page`. A stream the page itself closes (switching regions)
 * ends as net::ERR_ABORTED: that is the page's doing, not a failure, and is not recorded.
 */
export function watchTroubles(page: Page, origin: string): PageTrouble[] {
  const troubles: PageTrouble[] = [];
  const note = (kind: PageTrouble['kind'], detail: string, url = '') => troubles.push({ at: Date.now(), kind, detail, url });
  page.on('pageerror', (error) => note('page error', error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') note('console error', message.text(), message.location().url);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) note('outside request', request.method(), url);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    const closedStream = failure === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/v1/live';
    if (!closedStream) note('request failed', failure, request.url());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note('http error', String(response.status()), response.url());
  });
  return troubles;
}

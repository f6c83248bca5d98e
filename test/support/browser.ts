import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../functions/adapters/documents/chromium.ts';
import type { Role } from '../../functions/core/roles.ts';

/**
 * Real Chromium (Debian's package, driven by playwright-core) for the end-to-end page tests. A missing
 * browser fails the suite loudly: .ci/run installs it, and a test that quietly skipped would count
 * as nothing.
 */
// The callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const document: any;
declare const window: any;

export const PHONE = { width: 360, height: 760 } as const;
export const DESKTOP = { width: 1366, height: 900 } as const;
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../.artifacts/screenshots');

/**
 * `args`: more Chromium switches, e.g. `--host-resolver-rules=MAP baocun.lan 127.0.0.1` to reach the
 * server under a LAN name, `--ignore-certificate-errors` for a self-signed certificate.
 */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error(
      'Chromium is not installed: apt-get install chromium fonts-noto-cjk (see .ci/run), or set CHROMIUM_PATH',
    );
  }
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, '--disable-quic', '--lang=zh-CN', ...args],
  });
}

export async function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = PHONE,
  options: { ignoreHTTPSErrors?: boolean; javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
}

/**
 * Collects what a page logs as errors (script errors, failed CSP checks), so a test can assert there
 * were none. Offline tests expect network errors: pass `ignore` for those.
 */
export function watchErrors(page: Page, ignore: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (!ignore.some((r) => r.test(text))) errors.push(`console: ${text}`);
  });
  return errors;
}

/**
 * Signs in through the local sign-in page the way a person does: the user's button (demo users and
 * roster cadres are listed), else the "other user" form.
 */
export async function signIn(page: Page, baseUrl: string, sub: string, role: Role): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  const button = page.locator(
    `form:has(input[name="role"][value="${role}"]) button[name="sub"][value="${sub}"]`,
  );
  if ((await button.count()) > 0) {
    const details = button.locator('xpath=ancestor::details[1]');
    if ((await details.count()) > 0 && !(await details.evaluate((d: any) => d.open as boolean))) {
      await details.locator('summary').click();
    }
    await button.first().click();
  } else {
    await page.fill('#login-sub', sub);
    await page.selectOption('#login-role', role);
    await page.locator('form:has(#login-sub) button[type="submit"]').click();
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/app/login'));
}

/** A fresh context (phone size unless told), its page signed in as `sub`, and the page's errors. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  user: { sub: string; role: Role },
  options: {
    viewport?: { width: number; height: number };
    ignore?: RegExp[];
    javaScriptEnabled?: boolean;
  } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const { viewport = PHONE, ignore, javaScriptEnabled } = options;
  const context = await newContext(
    browser,
    viewport,
    javaScriptEnabled === false ? { javaScriptEnabled } : {},
  );
  const page = await context.newPage();
  const errors = watchErrors(page, ignore);
  await signIn(page, baseUrl, user.sub, user.role);
  return { context, page, errors };
}

/** A full-page screenshot under test/.artifacts/screenshots, for a person to look at after the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // A full-page capture stretches the viewport and puts it back. Chromium answers a viewport resize
  // by scrolling a focused text field back into view, later, sometimes between the next click's
  // mousedown and mouseup, and the click is lost. So nothing is focused during the capture; the focus
  // is put back afterwards without scrolling.
  type Focusable = { blur(): void; focus(options: { preventScroll: boolean }): void };
  const refocus = await page.evaluateHandle(() => {
    const el = document.activeElement as unknown as Focusable | null;
    if (el && el !== (document.body as unknown)) el.blur();
    return el;
  });
  await page.screenshot({ path, fullPage: true });
  const size = page.viewportSize();
  if (size) {
    await page.waitForFunction(
      ({ width, height }) => window.innerWidth === width && window.innerHeight === height,
      size,
    );
  }
  await refocus.evaluate((el) => {
    if (el && el !== (document.body as unknown)) el.focus({ preventScroll: true });
  });
  await refocus.dispose();
  return path;
}

/** The page fits its width: nothing sticks out sideways (360 px phones). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Every visible input, select and textarea has a label (or aria-label) a screen reader can read. */
export async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ([...document.querySelectorAll('input, select, textarea')] as any[])
      .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
      .filter(
        (el) =>
          !(el.labels && el.labels.length > 0) &&
          !el.getAttribute('aria-label') &&
          !el.getAttribute('aria-labelledby'),
      )
      .map((el) => el.name || el.id || el.outerHTML.slice(0, 80)),
  );
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2 A/AA checks on the page as it is (labels, contrast, names, landmarks). Evaluated
 * through the DevTools protocol, so the page's strict Content-Security-Policy stays on.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const { readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = window.axe as { run(ctx: unknown, opts: unknown): Promise<{ violations: any[] }> };
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id as string,
      impact: (v.impact as string | null) ?? null,
      help: v.help as string,
      targets: (v.nodes as Array<{ target: string[] }>).map((n) => n.target.join(' ')),
    }));
  });
}

/**
 * Waits until the service worker keeps `path` in its page cache (the cache name of
 * functions/web/browser/sw.ts), so a visit without signal will find it.
 */
export async function waitUntilKept(page: Page, path: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    async (key) => (await (window as any).caches.match(key, { cacheName: 'baocun-pages' })) !== undefined,
    path,
    { timeout, polling: 50 },
  );
}

/**
 * Waits until no delivery of the device outbox is under way or queued: every flush, the page's and
 * the service worker's, holds the `baocun-outbox` Web Lock while it reads and sends (outbox.ts), so
 * with the lock free and the outbox empty no send can still happen. What a test then counts is final.
 */
export async function waitForDeliveriesSettled(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    async () => {
      const { held = [], pending = [] } = await (window as any).navigator.locks.query();
      return held.length === 0 && pending.length === 0;
    },
    undefined,
    { timeout, polling: 50 },
  );
}

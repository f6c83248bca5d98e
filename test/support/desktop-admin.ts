import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { accessibilityViolations, DESKTOP, screenshot, signedInPage, unlabelledInputs } from './browser.ts';

/**
 * What HQ's desktop browser tests share: a page signed in as the admin on a desktop viewport (the
 * contexts kept for afterAll to close), and the checks every page they look at passes (screenshot,
 * no axe violations, no unlabelled input, no page error).
 */
export async function expectCleanPage(page: Page, name: string, errors: string[]): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityViolations(page), name).toEqual([]);
  expect(await unlabelledInputs(page), name).toEqual([]);
  expect(errors, name).toEqual([]);
}

export interface DesktopAdmin {
  /** A fresh signed-in admin page; `ignore`: console errors the test expects (a refusal's 4xx). */
  open(javaScriptEnabled?: boolean): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  /** Closes every context opened. */
  close(): Promise<void>;
}

export function desktopAdmin(
  session: () => { browser: Browser; url: string; sub: string },
  ignore: RegExp[],
): DesktopAdmin {
  const contexts: BrowserContext[] = [];
  return {
    async open(javaScriptEnabled = true) {
      const { browser, url, sub } = session();
      const opened = await signedInPage(
        browser,
        url,
        { sub, role: 'admin' },
        { viewport: DESKTOP, javaScriptEnabled, ignore },
      );
      opened.page.setDefaultTimeout(10_000);
      contexts.push(opened.context);
      return opened;
    },
    async close() {
      for (const c of contexts) await c.close();
    },
  };
}

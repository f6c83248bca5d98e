// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, screenshot, signedInPage } from '../support/browser.ts';
import { demoWeeks, loadDemoCounty } from '../support/demo-county.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The demo county as a newcomer meets it (issue 14): HQ's home, the red/yellow/green board, the circle
 * and the latest bulletin in Chromium, each saved as a screenshot in the test artifacts
 * (test/.artifacts/screenshots/demo-*.png) to look at.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let browser: Browser;
const weeks = demoWeeks();

beforeAll(async () => {
  t = await startTestStack();
  await loadDemoCounty(t);
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

it('shows HQ a county with a past: home, board, circle and bulletin', async () => {
  const { context, page, errors } = await signedInPage(
    browser,
    t.url,
    { sub: 'hq-admin', role: 'admin' },
    { viewport: DESKTOP },
  );
  try {
    await page.goto(`${t.url}/app/admin`);
    // Every feature is reachable from HQ's home.
    for (const href of [
      '/app/admin/board',
      '/app/admin/circle',
      '/app/admin/bulletins',
      '/app/admin/talks',
      '/app/admin/self-criticism',
      '/app/admin/trainings',
      '/app/admin/assessments',
      '/app/admin/allocations',
      '/app/admin/quotas',
      '/app/admin/sanctions',
      '/app/admin/visits',
      '/app/admin/roster/districts',
      '/app/admin/roster/units',
      '/app/admin/roster/townships',
      '/app/admin/settings/issuer',
      '/app/admin/direct-reports',
    ]) {
      expect(await page.locator(`a[href^="${href}"]`).count(), href).toBeGreaterThan(0);
    }
    const home = await page.locator('main').innerText();
    // This week so far (the board's provisional colours), and the last bulletin by issue and days.
    expect(home).toContain('本周暂定');
    expect(home).toMatch(/\d{4}年第\d+期\s*最新周通报（\d+月\d+日至/);
    expect(home).not.toMatch(/第\d+周|\d{4}-W\d{2}/);
    await screenshot(page, 'demo-hq-home');

    await page.goto(`${t.url}/app/admin/board`);
    const board = await page.locator('main').innerText();
    expect(board).toContain('红');
    await screenshot(page, 'demo-board');

    await page.goto(`${t.url}/app/admin/circle?week=${weeks.latest}`);
    const circle = await page.locator('main').innerText();
    expect(circle).toContain('出圈');
    expect(circle).toContain('进圈');
    await screenshot(page, 'demo-circle');

    await page.goto(`${t.url}/app/admin/bulletins/${weeks.latest}`);
    const bulletin = await page.locator('main').innerText();
    expect(bulletin).toContain('修订');
    expect(await page.locator('h1').innerText()).toMatch(/^周通报 · \d{4}年第\d+期（\d+月\d+日至\d+/);
    await screenshot(page, 'demo-bulletin');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

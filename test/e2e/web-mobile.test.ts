import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { horizontalOverflow, launchBrowser, PHONE, screenshot, signedInPage } from '../support/browser.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * A 360 px phone in real Chromium: HQ's navigation fits the screen (it wraps, nothing scrolls
 * sideways), and every tap target of the phone pages — buttons, links in lists and forms, tabs — is
 * at least 44 px high.
 */
// The callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const document: any;
declare const window: any;

let t: TestStack;
let admin: Caller;
let browser: Browser;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');
let problemId = '';

/** Visible tap targets smaller than 44 × 44 px (height, and width unless the target is text in a row). */
async function smallTargets(page: Page, scope = 'body'): Promise<string[]> {
  return page.evaluate((selector: string) => {
    const targets = [
      ...document.querySelectorAll(
        `${selector} button, ${selector} .button, ${selector} a.row-link, ${selector} .nav a, ${selector} .tabs a, ${selector} summary, ${selector} select, ${selector} input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ${selector} textarea`,
      ),
    ] as any[];
    return (
      targets
        // A visually hidden input (the photo picker) is tapped through its label, measured as a button.
        .filter((el) => el.offsetParent !== null && !el.classList.contains('sr-only'))
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.height < 44 - 0.5 || box.width < 44 - 0.5)
        .map(
          ({ el, box }) =>
            `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)}`,
        )
    );
  }, scope);
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: '正科级', townshipId: township }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  await issueDispatch(admin, [{ cadreId: cadre, villageId: village }], { daysAhead: 2 });
  const inspection = await inspector.post('/inspections', {
    villageId: village,
    date: addDays(beijingDate(new Date()), -1),
    mode: 'open',
    findings: [
      { cadreId: cadre, present: true, problems: [{ description: '村道两侧垃圾未清理', severity: 'minor' }] },
    ],
  });
  expect(inspection.status).toBe(201);
  problemId = (await admin.get(`/problems?cadreId=${cadre}`)).body.items[0].id;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ on a 360 px phone', () => {
  it('fits the whole navigation on the screen: it wraps, nothing scrolls sideways', async () => {
    const { context, page } = await signedInPage(browser, t.url, { sub: 'hq-admin', role: 'admin' });
    try {
      for (const path of ['/app/admin', '/app/admin/dispatches', '/app/admin/board']) {
        await page.goto(`${t.url}${path}`);
        await page.locator('.nav').waitFor();
        expect(await horizontalOverflow(page), path).toBeLessThanOrEqual(0);
        const outside = await page.evaluate(() =>
          ([...document.querySelectorAll('.nav a')] as any[])
            .map((a) => ({ text: a.textContent.trim(), box: a.getBoundingClientRect() }))
            .filter(({ box }) => box.left < 0 || box.right > window.innerWidth + 0.5)
            .map(({ text }) => text),
        );
        expect(outside, path).toEqual([]);
        const nav = await page.evaluate(() => {
          const el = document.querySelector('.nav');
          return { scroll: el.scrollWidth, client: el.clientWidth };
        });
        expect(nav.scroll, path).toBeLessThanOrEqual(nav.client);
        expect(await smallTargets(page, '.nav'), path).toEqual([]);
      }
      await screenshot(page, 'admin-nav-360');
    } finally {
      await context.close();
    }
  });

  it('offers the finished dispatches as a tab of the list', async () => {
    const { context, page } = await signedInPage(browser, t.url, { sub: 'hq-admin', role: 'admin' });
    try {
      await page.goto(`${t.url}/app/admin/dispatches`);
      await page.getByRole('link', { name: '已完成' }).click();
      await page.waitForURL('**/app/admin/dispatches?status=done');
      expect((await page.locator('.tabs a[aria-current="page"]').textContent())?.trim()).toBe('已完成');
      expect(await smallTargets(page, '.tabs')).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('tap targets on the phone pages', () => {
  it.each([
    ['/app/cadre', '/app/cadre', 'cadre'],
    ['/app/cadre/problems', '/app/cadre/problems', 'cadre'],
    ['/app/cadre/problems/{id}', () => `/app/cadre/problems/${problemId}`, 'cadre'],
    ['/app/cadre/direct-reports/new', '/app/cadre/direct-reports/new', 'cadre'],
    ['/app/cadre/handoffs', '/app/cadre/handoffs', 'cadre'],
    ['/app/inspector', '/app/inspector', 'inspector'],
    ['/app/inspector/villages/{id}', () => `/app/inspector/villages/${village}`, 'inspector'],
    ['/app/inspector/verifications', '/app/inspector/verifications', 'inspector'],
  ] as const)('%s: every button, link row, tab and field is at least 44 px', async (_label, path, role) => {
    const sub = role === 'cadre' ? cadre : 'inspector-1';
    const { context, page } = await signedInPage(browser, t.url, { sub, role }, { viewport: PHONE });
    try {
      const address = typeof path === 'function' ? path() : path;
      await page.goto(`${t.url}${address}`);
      await page.locator('main').waitFor();
      expect(await horizontalOverflow(page), address).toBeLessThanOrEqual(0);
      expect(await smallTargets(page, 'main'), address).toEqual([]);
      expect(await smallTargets(page, '.nav'), address).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

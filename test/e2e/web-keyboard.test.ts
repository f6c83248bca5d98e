import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, PHONE, signedInPage, signIn } from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The pages with a keyboard only (a cadre with a cheap phone and a Bluetooth keyboard, an HQ clerk
 * who never touches the mouse, a screen reader user): the skip link, a visible focus ring, and a
 * whole form filled in and sent with Tab, arrow keys, Space and Enter.
 */
let t: TestStack;
let admin: Caller;
let browser: Browser;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'general' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ];
  await createAll(admin, setup);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    return {
      tag: el?.tagName as string,
      name: (el?.name ?? '') as string,
      text: (el?.textContent ?? '').trim() as string,
    };
  });

/** Presses Tab until `match` holds for the focused element (at most `max` times). */
async function tabTo(
  page: Page,
  match: (f: { tag: string; name: string; text: string }) => boolean,
  max = 60,
) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (match(await focused(page))) return;
  }
  throw new Error(`never reached the element after ${max} Tab presses`);
}

describe('keyboard only', () => {
  it('offers a skip link first and shows where the focus is', async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await signIn(page, t.url, cadre, 'cadre');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'A', text: '跳到正文' });
    const ring = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      const style = (globalThis as any).getComputedStyle(el);
      return {
        outline: style.outlineStyle as string,
        width: Number.parseFloat(style.outlineWidth),
        left: el.getBoundingClientRect().left as number,
      };
    });
    expect(ring.outline).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    // Hidden off screen until focused, then on screen.
    expect(ring.left).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('main');
    await context.close();
  });

  it('fills in and sends a direct report with Tab, arrows, Space and Enter', async () => {
    const { context, page, errors } = await signedInPage(browser, t.url, { sub: cadre, role: 'cadre' });
    await page.goto(`${t.url}/app/cadre/direct-reports/new`);
    // Sending it empty first: the message appears and the focus goes to the field to fix.
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === '发送直报');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatchObject({ name: 'summary' });
    expect(await page.locator('[data-error-for="summary"]').textContent()).toBe('不能为空');
    await page.keyboard.type('水源地水位下降，需要抽水泵');
    // Kind: the radio group is one Tab stop; arrows move the choice.
    await page.keyboard.down('Shift');
    await tabTo(page, (f) => f.tag === 'INPUT' && f.name === 'kind');
    await page.keyboard.up('Shift');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[name="kind"]:checked').getAttribute('value')).toBe('resource_request');
    await tabTo(page, (f) => f.tag === 'INPUT' && f.name === 'skipLevels');
    await page.keyboard.press('Space');
    expect(await page.locator('input[type="checkbox"][name="skipLevels"]').isChecked()).toBe(true);
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === '发送直报');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=direct-report/);
    const reports = await admin.get(`/direct-reports?cadreId=${cadre}`);
    expect(reports.body.items).toHaveLength(1);
    expect(reports.body.items[0]).toMatchObject({
      kind: 'resource_request',
      summary: '水源地水位下降，需要抽水泵',
      skipLevels: true,
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});

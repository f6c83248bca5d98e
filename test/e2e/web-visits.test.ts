// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  screenshot,
  signIn,
  unlabelledInputs,
  waitForDeliveriesSettled,
  watchErrors,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The visit form (驻村记录) in real Chromium on a 360 px phone: the location filled from the phone
 * when the person allows it (playwright's geolocation permission), the far-from-village flag, the
 * form without permission and without JavaScript, and a visit recorded with no signal delivered once.
 */
declare const navigator: any;

const VILLAGE_POINT = { lat: 34.58, lng: 105.72 };
const NEAR = { latitude: 34.5805, longitude: 105.7206, accuracy: 25 };
const FAR = { latitude: 34.68, longitude: 105.72, accuracy: 30 };
const NETWORK_NOISE = [
  /ERR_INTERNET_DISCONNECTED/,
  /ERR_CONNECTION_RESET/,
  /ERR_FAILED/,
  /Failed to load resource: net::/,
];

let t: TestStack;
let admin: Caller;
let browser: Browser;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');

async function visits(): Promise<any[]> {
  const res = await admin.get(`/visits?cadreId=${cadre}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function phone(options: { geolocation?: typeof NEAR; javaScriptEnabled?: boolean } = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: PHONE,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(options.geolocation ? { geolocation: options.geolocation, permissions: ['geolocation'] } : {}),
    ...(options.javaScriptEnabled === false ? { javaScriptEnabled: false } : {}),
  });
  const page: Page = await context.newPage();
  const errors = watchErrors(page, NETWORK_NOISE);
  await signIn(page, t.url, cadre, 'cadre');
  return { context, page, errors };
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(page), `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
  expect(await unlabelledInputs(page), `${name}: unlabelled inputs`).toEqual([]);
  expect(await accessibilityViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
}

const form = (page: Page) => page.locator('form[data-form="visit"]');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    [
      '/villages',
      { id: village, name: '红旗村', townshipId: township, category: 'deep', location: VILLAGE_POINT },
    ],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief', from: '2026-01-01' }],
  ]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the visit form', () => {
  it('is linked from the cadre home and fills the location from the phone; a visit near the village', async () => {
    const { context, page, errors } = await phone({ geolocation: NEAR });
    await page.goto(`${t.url}/app/cadre`);
    await page.locator('a[data-visit-link]').click();
    await page.waitForURL('**/app/cadre/visits');
    expect(await page.locator('h1').innerText()).toBe('驻村记录');
    await expect.poll(() => page.locator('[data-geo-status="found"]').isVisible()).toBe(true);
    expect(await page.locator('[data-geo-status="found"]').innerText()).toContain(
      '已附上手机位置（误差约 25 米）',
    );
    expect(await page.locator('input[data-geo="lat"]').inputValue()).toBe('34.580500');
    // The time is now (Beijing), to the minute.
    const at = await page.locator('#f-at').inputValue();
    expect(Math.abs(Date.parse(`${at}:00+08:00`) - Date.now())).toBeLessThan(120_000);
    await checkPage(page, 'cadre-visit-form');

    await page.locator('#f-overnight').check();
    await page.fill('#f-note', '走访三组缺水户');
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/visits?done=visit*');
    expect(await page.locator('main .banner-ok').innerText()).toContain('驻村记录已保存');
    expect(await page.locator('main .banner-ok').innerText()).toContain('在本村范围内');
    expect(await page.locator('[data-far-flag]').count()).toBe(0);
    expect(await page.locator('.list li', { hasText: '在村住宿' }).count()).toBe(1);
    const [stored] = await visits();
    expect(stored).toMatchObject({ villageId: village, overnight: true, far: false, note: '走访三组缺水户' });
    expect(stored.location).toMatchObject({ lat: 34.5805, lng: 105.7206, accuracy: 25 });
    expect(stored.distanceMeters).toBeLessThan(100);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('flags a visit recorded far from the village', async () => {
    const { context, page, errors } = await phone({ geolocation: FAR });
    await page.goto(`${t.url}/app/cadre/visits`);
    await expect.poll(() => page.locator('[data-geo-status="found"]').isVisible()).toBe(true);
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/visits?done=visit*');
    const flag = page.locator('[data-far-flag]');
    expect(await flag.innerText()).toContain('远离本村：记录位置距红旗村约 11.1 公里');
    expect(await page.locator('.list li', { hasText: '远离本村' }).count()).toBe(1);
    const far = (await visits()).filter((v) => v.far);
    expect(far).toHaveLength(1);
    expect(far[0].distanceMeters).toBeGreaterThan(11_000);
    await checkPage(page, 'cadre-visit-far');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('without permission to locate, says so and records the visit without a location', async () => {
    const { context, page, errors } = await phone();
    await page.goto(`${t.url}/app/cadre/visits`);
    await expect.poll(() => page.locator('[data-geo-status="denied"]').isVisible()).toBe(true);
    expect(await page.locator('button[data-geo-retry]').isVisible()).toBe(true);
    const before = new Set((await visits()).map((v) => v.id));
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/visits?done=visit*');
    const added = (await visits()).filter((v) => !before.has(v.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ location: null, distanceMeters: null, far: false });
    expect(await page.locator('.list').innerText()).toContain('未定位');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('works without JavaScript (no location) and shows a refusal beside the field', async () => {
    const { context, page } = await phone({ javaScriptEnabled: false });
    await page.goto(`${t.url}/app/cadre/visits`);
    await page.fill('#f-at', '2020-01-01T08:00');
    await form(page).locator('button[type="submit"]').click();
    expect(await page.locator('#f-at-error').innerText()).toContain('只能补记 7 天以内的驻村记录');
    const before = (await visits()).length;
    const now = new Date(Date.now() + 8 * 3_600_000 - 60_000).toISOString().slice(0, 16);
    await page.fill('#f-at', now);
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/visits?done=visit*');
    expect(await visits()).toHaveLength(before + 1);
    await context.close();
  }, 90_000);

  it('offline: the visit is kept on the phone, then delivered exactly once', async () => {
    const { context, page, errors } = await phone({ geolocation: NEAR });
    await page.goto(`${t.url}/app/cadre/visits`);
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
      .toBe(true);
    await expect.poll(() => page.locator('[data-geo-status="found"]').isVisible()).toBe(true);
    const before = (await visits()).length;
    await context.setOffline(true);
    await page.fill('#f-note', '离线记录：夜宿村委会');
    await page.locator('#f-overnight').check();
    await form(page).locator('button[type="submit"]').click();
    const queued = form(page).locator('[data-queued]');
    await expect.poll(() => queued.isVisible()).toBe(true);
    expect(await queued.innerText()).toContain('已保存在本机');
    expect(await page.locator('#outbox [data-outbox-item]').allInnerTexts()).toEqual([
      expect.stringContaining('驻村记录'),
    ]);
    expect((await visits()).length).toBe(before);

    await context.setOffline(false);
    await expect.poll(() => page.locator('#outbox').isVisible(), { timeout: 30_000 }).toBe(false);
    await waitForDeliveriesSettled(page);
    const after = await visits();
    expect(after).toHaveLength(before + 1);
    const delivered = after.filter((v) => v.note === '离线记录：夜宿村委会');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ overnight: true, far: false });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

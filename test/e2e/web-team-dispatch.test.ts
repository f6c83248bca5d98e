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
 * The chief's 下达指令 form in real Chromium on a 360 px phone: linked from the chief's home (and
 * only theirs), ticking team members with their team roles, the order listed with its members'
 * reports, the form without JavaScript, and an order given with no signal delivered exactly once.
 */
declare const navigator: any;

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
const cadres = { chief: uid('CH'), secretary: uid('CS'), helper: uid('CP') };
const farDay = new Date(Date.now() + 10 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

async function issued(): Promise<any[]> {
  const res = await admin.get(`/dispatches?issuedBy=${cadres.chief}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function phone(sub: string, options: { javaScriptEnabled?: boolean } = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: PHONE,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(options.javaScriptEnabled === false ? { javaScriptEnabled: false } : {}),
  });
  const page: Page = await context.newPage();
  const errors = watchErrors(page, NETWORK_NOISE);
  await signIn(page, t.url, sub, 'cadre');
  return { context, page, errors };
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(page), `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
  expect(await unlabelledInputs(page), `${name}: unlabelled inputs`).toEqual([]);
  expect(await accessibilityViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
}

const form = (page: Page) => page.locator('form[data-form="team-dispatch"]');
const tick = (page: Page, name: string) =>
  form(page).locator('label.choice', { hasText: name }).locator('input');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadres.chief, name: '王总队', unit: '县水务局', rank: 'county' }],
    ['/cadres', { id: cadres.secretary, name: '李书记', unit: '县农业农村局', rank: 'section' }],
    ['/cadres', { id: cadres.helper, name: '赵帮扶', unit: '县卫健局', rank: 'staff' }],
    ['/assignments', { cadreId: cadres.chief, villageId: village, role: 'chief', from: '2026-01-01' }],
    [
      '/assignments',
      {
        cadreId: cadres.secretary,
        villageId: village,
        role: 'member',
        teamRole: 'first-secretary',
        from: '2026-01-01',
      },
    ],
    [
      '/assignments',
      { cadreId: cadres.helper, villageId: village, role: 'member', teamRole: 'helper', from: '2026-01-01' },
    ],
  ]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("the chief's 下达指令 form", () => {
  it('is linked from the chief home; the order reaches the ticked member, who reports, and the chief reads it', async () => {
    const { context, page, errors } = await phone(cadres.chief);
    await page.goto(`${t.url}/app/cadre`);
    await page.locator('a[href="/app/cadre/team"]').click();
    await page.waitForURL('**/app/cadre/team');
    expect(await page.locator('h1').innerText()).toBe('我的工作队');
    const team = await page.locator('section.card').innerText();
    expect(team).toContain('李书记');
    expect(team).toContain('第一书记');
    expect(team).toContain('帮扶干部');
    await checkPage(page, 'cadre-team');

    // Nothing ticked: the API's own message, beside the list, and nothing written.
    await page.fill('#f-title', '连夜排查山塘水位');
    await page.fill('#f-description', '今晚八点前逐塘查看水位并拍照上报。');
    await page.fill('#f-deadline', farDay);
    await form(page).locator('button[type="submit"]').click();
    await expect
      .poll(() => page.locator('[data-error-for="assignees"]').innerText())
      .toContain('至少指定一名派遣对象');
    expect(await issued()).toHaveLength(0);

    await tick(page, '李书记').check();
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/team?done=dispatch');
    expect(await page.locator('main .banner-ok').innerText()).toContain('指令已下达');
    const [order] = await issued();
    expect(order).toMatchObject({ title: '连夜排查山塘水位', category: '工作队指令', issuerName: '王总队' });
    expect(order.number).toMatch(/^派〔\d{4}〕\d+号$/);
    expect(await page.locator('.list li', { hasText: order.number }).count()).toBe(1);

    // The member sees it on their home, naming the chief, and reports on it.
    const member = await phone(cadres.secretary);
    await member.page.goto(`${t.url}/app/cadre`);
    expect(await member.page.locator('a.button[href="/app/cadre/team"]').count()).toBe(0);
    const row = member.page.locator('[aria-labelledby="h-dispatches"] li', { hasText: order.number });
    expect(await row.innerText()).toContain('总队长王总队下达');
    await row.locator('a').click();
    await member.page.fill('#f-note', '三口塘水位正常，已拍照。');
    await member.page.locator('form[data-form="dispatch-report"] button[type="submit"]').click();
    await member.page.waitForURL('**/app/cadre?done=report');
    await member.context.close();

    await page.locator('.list li a', { hasText: order.number }).click();
    await page.waitForURL(`**/app/cadre/team/dispatches/${order.id}`);
    expect(await page.locator('main').innerText()).toContain('三口塘水位正常，已拍照。');
    expect(await page.locator('main').innerText()).toContain('李书记');
    await checkPage(page, 'cadre-team-dispatch');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('works without JavaScript', async () => {
    const { context, page } = await phone(cadres.chief, { javaScriptEnabled: false });
    await page.goto(`${t.url}/app/cadre/team`);
    const before = (await issued()).length;
    await tick(page, '赵帮扶').check();
    await page.fill('#f-title', '核对饮水户台账');
    await page.fill('#f-description', '逐户核对。');
    await page.fill('#f-deadline', farDay);
    await form(page).locator('button[type="submit"]').click();
    await page.waitForURL('**/app/cadre/team?done=dispatch');
    expect(await issued()).toHaveLength(before + 1);
    await context.close();
  }, 90_000);

  it('offline: the order is kept on the phone, then delivered exactly once', async () => {
    const { context, page, errors } = await phone(cadres.chief);
    await page.goto(`${t.url}/app/cadre/team`);
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
      .toBe(true);
    const before = (await issued()).length;
    await context.setOffline(true);
    await tick(page, '李书记').check();
    await tick(page, '赵帮扶').check();
    await page.fill('#f-title', '离线下达：明早集合');
    await page.fill('#f-description', '明早七点村委会集合。');
    await page.fill('#f-deadline', farDay);
    await form(page).locator('button[type="submit"]').click();
    const queued = form(page).locator('[data-queued]');
    await expect.poll(() => queued.isVisible()).toBe(true);
    expect(await queued.innerText()).toContain('已保存在本机');
    expect(await page.locator('#outbox [data-outbox-item]').allInnerTexts()).toEqual([
      expect.stringContaining('下达指令'),
    ]);
    expect(await issued()).toHaveLength(before);

    await context.setOffline(false);
    await expect.poll(() => page.locator('#outbox').isVisible(), { timeout: 30_000 }).toBe(false);
    await waitForDeliveriesSettled(page);
    const delivered = (await issued()).filter((d) => d.title === '离线下达：明早集合');
    expect(delivered).toHaveLength(1);
    expect(delivered[0].assigneeCount).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows a cadre who leads no team that they cannot give orders', async () => {
    const { context, page } = await phone(cadres.helper);
    await page.goto(`${t.url}/app/cadre/team`);
    expect(await page.locator('main').innerText()).toContain('您目前不是任何村的总队长');
    expect(await form(page).count()).toBe(0);
    await context.close();
  }, 60_000);
});

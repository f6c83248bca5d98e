// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  screenshot,
  signedInPage,
  unlabelledInputs,
  waitForDeliveriesSettled,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Talks in real Chromium (issue 12): HQ opens last week's proposed talks on a desktop and approves
 * one (the notice is numbered and sent), records the talk held; the cadre, on a 360 px phone, finds
 * it on their standing page, downloads their notice and acknowledges with a statement — also with no
 * signal, delivered exactly once when it returns.
 */
declare const navigator: any;
process.env.PDF_RENDERER = 'off';
const NETWORK_NOISE = [/ERR_INTERNET_DISCONNECTED/, /ERR_FAILED/, /Failed to load resource: net::/];

let t: TestStack;
let admin: Caller;
let browser: Browser;
const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const cadre = uid('C');
const leader = uid('C');

async function talk() {
  const res = await admin.get(`/talks?cadreId=${cadre}`);
  expect(res.status).toBe(200);
  return res.body.items[0];
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: leader, name: '周建国', unit: '县人民政府', rank: 'county' }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  const res = await inspector.post('/inspections', {
    villageId: village,
    date: weekBounds(lastWeek).monday,
    mode: 'open',
    findings: [
      {
        cadreId: cadre,
        present: true,
        problems: [1, 2, 3].map((i) => ({ description: `饮水管道漏水${i}`, severity: 'minor' })),
      },
    ],
  });
  expect(res.status).toBe(201);
  expect((await runJobNow(admin, 'weekly-bulletin', { week: lastWeek })).status).toBe('succeeded');
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ decides on a desktop', () => {
  it('approves last week’s proposed talk from the talks page', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: admin.sub, role: 'admin' },
      { viewport: DESKTOP },
    );
    await page.goto(`${t.url}/app/admin/talks?status=proposed`);
    const row = page.locator('tr', { hasText: '李明' });
    expect(await row.innerText()).toContain('待审批');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-talks');
    await row.getByRole('link', { name: /审批/ }).click();
    await page.waitForURL(/\/app\/admin\/talks\/[^/?]+$/);
    expect(await page.locator('h1').innerText()).toBe('提醒谈话：李明');
    expect(await unlabelledInputs(page)).toEqual([]);
    await page.getByRole('button', { name: '批准并发出通知书' }).click();
    await page.waitForURL(/done=approved/);
    expect(await page.getByText('已批准，谈话通知书已编号发出。').isVisible()).toBe(true);
    const t1 = await talk();
    expect(t1.status).toBe('notified');
    expect(await page.locator('.facts').innerText()).toContain(t1.notice.number);

    // The talk held: recorded on the same page.
    await page.locator('#f-conductorIds').selectOption(leader);
    await page.fill('#f-notes', '指出饮水管道漏水问题，要求三日内修复。');
    await page.getByRole('button', { name: '保存谈话记录' }).click();
    await page.waitForURL(/done=recorded/);
    expect((await talk()).status).toBe('held');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-talk-detail');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the cadre on a phone', () => {
  it('sees the talk on the standing page, downloads the notice and acknowledges offline, once', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: cadre, role: 'cadre' },
      { viewport: PHONE, ignore: NETWORK_NOISE },
    );
    await page.goto(`${t.url}/app/cadre/standing`);
    const section = page.locator('section[aria-labelledby="h-talks"]');
    expect(await section.innerText()).toContain('提醒谈话');
    expect(await section.innerText()).toContain('已谈话');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('link', { name: '下载谈话通知书' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^提醒谈话通知书-李明-.*\.html$/);

    await section.getByRole('link', { name: '确认谈话记录并表态' }).click();
    await page.waitForURL(/\/app\/cadre\/talks\//);
    expect(await page.locator('.prewrap').first().innerText()).toContain('要求三日内修复');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await unlabelledInputs(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'cadre-talk');
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 })
      .toBe(true);

    await context.setOffline(true);
    await page.fill('#f-statement', '接受批评，三日内修复管道。');
    await page.locator('form[data-form="talk-acknowledge"] button[type="submit"]').click();
    const queued = page.locator('form[data-form="talk-acknowledge"] [data-queued]');
    await expect.poll(() => queued.isVisible()).toBe(true);
    expect((await talk()).status).toBe('held');

    await context.setOffline(false);
    await expect.poll(() => page.locator('#outbox').isVisible(), { timeout: 30_000 }).toBe(false);
    await waitForDeliveriesSettled(page);
    const done = await talk();
    expect(done).toMatchObject({
      status: 'closed',
      acknowledgement: { statement: '接受批评，三日内修复管道。' },
    });
    const audit = await admin.get(`/audit?entityType=talk&entityId=${done.id}`);
    expect(audit.body.items.filter((a: any) => a.action === 'acknowledge')).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

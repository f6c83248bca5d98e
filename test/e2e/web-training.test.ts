// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  signedInPage,
  unlabelledInputs,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ's 干部营养餐 and 检讨发言会 pages in Chromium: a session created from the form takes last week's
 * training candidates as its roster, attendance is marked row by row (and a refusal comes back beside
 * the form, in Chinese), a self-criticism meeting is recorded with last week's tier ticked as speakers,
 * and the cadre sees both on their standing page on a phone.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let browser: Browser;
const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const heavy = uid('C');
const light = uid('C');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '营养乡' }],
    ['/villages', { id: village, name: '营养村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: heavy, name: '郑诫勉', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: light, name: '王检讨', unit: '县林业局', rank: 'staff', townshipId: township }],
    ['/assignments', { cadreId: heavy, villageId: village, role: 'chief', from: addDays(today, -30) }],
    ['/assignments', { cadreId: light, villageId: village, role: 'member', from: addDays(today, -30) }],
  ]);
  const problems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ description: `水窖台账缺失${i + 1}`, severity: 'minor' }));
  const res = await inspector.post('/inspections', {
    villageId: village,
    date: addDays(weekBounds(lastWeek).monday, 1),
    mode: 'open',
    findings: [
      { cadreId: heavy, presence: 'present', problems: problems(5) },
      { cadreId: light, presence: 'present', problems: problems(1) },
    ],
  });
  expect(res.status).toBe(201);
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ: 干部营养餐培训', () => {
  it('creates a session from the form, marks attendance, and shows a refusal beside the row', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: admin.sub, role: 'admin' },
      { viewport: DESKTOP },
    );
    await page.goto(`${t.url}/app/admin/trainings`);
    await page.getByLabel('培训名称').fill('第一期干部营养餐培训');
    await page.getByLabel('地点').fill('县委党校');
    await page.getByRole('button', { name: '新建' }).click();
    await page.waitForURL(/\/app\/admin\/trainings\/[^/?]+\?done=created/);
    const row = page.locator(`[data-roster] tr[data-cadre="${heavy}"]`);
    await expect.poll(() => row.locator('th').textContent()).toBe('郑诫勉');
    expect(await row.textContent()).toContain('所在档次');
    expect(await page.locator(`[data-roster] tr[data-cadre="${light}"]`).count()).toBe(0);
    expect(await unlabelledInputs(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    // Nothing chosen: the API's message beside the form, nothing written.
    await row.getByRole('button', { name: '登记' }).click();
    await expect
      .poll(() => page.locator('[data-form-summary]').first().textContent())
      .toMatch(/请选择是否参加/);

    await row.getByLabel('郑诫勉的出勤').selectOption('completed');
    await row.getByRole('button', { name: '登记' }).click();
    await page.waitForURL(/done=marked/);
    await expect
      .poll(() => page.locator(`[data-roster] tr[data-cadre="${heavy}"] [data-status]`).textContent())
      .toContain('已结业');
    expect(await page.locator('[data-training-counts]').textContent()).toContain('结业 1 人');
    await screenshot(page, 'admin-training');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('HQ: 检讨发言会', () => {
  it('records a meeting with last week’s self-criticism tier ticked as speakers', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: admin.sub, role: 'admin' },
      { viewport: DESKTOP },
    );
    await page.goto(`${t.url}/app/admin/self-criticism`);
    const candidates = page.locator('[data-meeting-candidates] tbody tr');
    await expect.poll(() => candidates.count()).toBe(1);
    expect(await candidates.first().textContent()).toContain('王检讨');
    await page.getByLabel('地点').fill('乡政府会议室');
    await page.getByLabel('其他参会干部').fill(heavy);
    await page.getByRole('button', { name: '记录' }).click();
    await page.waitForURL(/done=created/);
    const rows = page.locator('[data-meetings] tbody tr');
    await expect.poll(() => rows.first().textContent()).toContain('王检讨');
    expect(await rows.first().textContent()).toContain('郑诫勉');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-self-criticism');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the cadre’s standing page', () => {
  it('lists their training and meeting on a phone', async () => {
    const { context, page, errors } = await signedInPage(browser, t.url, { sub: heavy, role: 'cadre' });
    await page.goto(`${t.url}/app/cadre/standing`);
    await expect
      .poll(() => page.locator('[data-standing-trainings]').textContent())
      .toContain('第一期干部营养餐培训');
    expect(await page.locator('[data-standing-trainings]').textContent()).toContain('已结业');
    expect(await page.locator('[data-standing-meetings]').textContent()).toContain('参会');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'cadre-standing-follow-up');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

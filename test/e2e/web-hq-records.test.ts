import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate, isoWeekOf, isoWeekRange } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  screenshot,
  signedInPage,
  unlabelledInputs,
} from '../support/browser.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ finds and reads whole records in Chromium: from a board row to the cadre's profile to a problem's
 * whole history; the problem list's filters, name search and paging; the inspection list and one
 * inspection. No axe violations, nothing wider than a 360 px phone.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let browser: Browser;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const monday = isoWeekRange(lastWeek).monday;
const tag = uid('').slice(0, 5);
const T = uid('T');
const V = { stone: `${T}-S`, water: `${T}-W` };
const C = { zhao: uid('C'), qian: uid('C') };
const names = { zhao: `赵红${tag}`, qian: `钱绿${tag}`, stone: `青石村${tag}`, water: `白水村${tag}` };
let redProblem: string;
let inspectionId: string;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: T, name: `东山乡${tag}` }],
    ['/villages', { id: V.stone, name: names.stone, townshipId: T, category: 'deep' }],
    ['/villages', { id: V.water, name: names.water, townshipId: T, category: 'general' }],
    ['/cadres', { id: C.zhao, name: names.zhao, unit: '县水务局', rank: 'section', townshipId: T }],
    ['/cadres', { id: C.qian, name: names.qian, unit: '县农业农村局', rank: 'staff', townshipId: T }],
    ['/assignments', { cadreId: C.zhao, villageId: V.stone, role: 'chief', from: addDays(monday, -30) }],
    ['/assignments', { cadreId: C.qian, villageId: V.water, role: 'chief', from: addDays(monday, -30) }],
  ];
  for (const [path, body] of setup) expect((await admin.post(path, body)).status, path).toBe(201);

  // Last week: 赵红 a severe problem now overdue (red on the board), rectified once and rejected.
  const first = await inspector.post('/inspections', {
    villageId: V.stone,
    date: addDays(monday, 1),
    mode: 'covert',
    findings: [
      {
        cadreId: C.zhao,
        present: true,
        problems: [{ description: '水窖未清淤', severity: 'severe', rectifyBy: addDays(monday, 3) }],
      },
    ],
  });
  expect(first.status).toBe(201);
  inspectionId = first.body.id;
  redProblem = first.body.problemIds[0];
  const zhao = await t.as('cadre', C.zhao);
  expect((await zhao.post(`/problems/${redProblem}/rectifications`, { note: '已组织清淤' })).status).toBe(
    201,
  );
  expect(
    (
      await inspector.post(`/problems/${redProblem}/verifications`, {
        outcome: 'rejected',
        kind: 'false',
        note: '现场仍有淤泥，清淤照片系旧照',
      })
    ).status,
  ).toBe(201);
  // 钱绿: 60 minor problems in 白水村 (more than a page of the problem list).
  const many = await inspector.post('/inspections', {
    villageId: V.water,
    date: addDays(monday, 2),
    mode: 'open',
    findings: [
      {
        cadreId: C.qian,
        present: true,
        problems: Array.from({ length: 50 }, (_, i) => ({
          description: `公示栏缺项${i + 1}`,
          severity: 'minor',
        })),
      },
    ],
  });
  expect(many.status).toBe(201);
  const more = await inspector.post('/inspections', {
    villageId: V.water,
    date: addDays(monday, 3),
    mode: 'spot',
    findings: [
      {
        cadreId: C.qian,
        present: true,
        problems: Array.from({ length: 10 }, (_, i) => ({
          description: `台账缺页${i + 1}`,
          severity: 'minor',
        })),
      },
    ],
  });
  expect(more.status).toBe(201);
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ finds a problem from the board and reads its whole history', () => {
  it('board row → cadre profile → problem detail with every step', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      {
        viewport: DESKTOP,
      },
    );
    await page.goto(`${t.url}/app/admin/board?townshipId=${T}`);
    const row = page.locator(`tr[data-matter="p:${redProblem}"]`);
    await row.getByRole('link', { name: names.zhao }).click();
    await page.waitForURL(`**/app/admin/cadres/${C.zhao}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(`干部档案：${names.zhao}`);
    const profile = await page.locator('main').textContent();
    expect(profile).toContain(names.stone);
    expect(profile).toContain('县水务局');
    expect(profile).toContain('水窖未清淤');
    expect(await page.locator('#h-weeks + .table-wrap tbody tr').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'hq-records-cadre');

    await page.getByRole('link', { name: '水窖未清淤' }).click();
    await page.waitForURL(`**/app/admin/problems/${redProblem}`);
    const steps = page.locator('ol.timeline > li');
    await expect.poll(() => steps.count()).toBeGreaterThanOrEqual(3);
    const texts = await steps.allTextContents();
    expect(texts[0]).toContain('发现问题');
    expect(texts[0]).toContain('暗访');
    expect(texts.find((s) => s.includes('报告整改'))).toContain('已组织清淤');
    expect(texts.find((s) => s.includes('复核'))).toContain('现场仍有淤泥');
    expect(await page.locator('main').textContent()).toContain('已逾期');
    expect(await page.getByRole('link', { name: '延长整改期限' }).getAttribute('href')).toBe(
      `/app/admin/problems/${redProblem}/extension`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'hq-records-problem');

    // The inspection it was found in, with the button to void it.
    await page.getByRole('link', { name: '暗访' }).click();
    await page.waitForURL(`**/app/admin/inspections/${inspectionId}`);
    expect(await page.getByRole('link', { name: '作废该次督查' }).getAttribute('href')).toBe(
      `/app/admin/inspections/${inspectionId}/void`,
    );
    expect(await page.locator('main').textContent()).toContain(names.zhao);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the problem list', () => {
  it('filters, searches by name, highlights overdue rows and pages through everything', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      {
        viewport: DESKTOP,
      },
    );
    await page.goto(`${t.url}/app/admin/problems`);
    await page.getByLabel('干部姓名或村名').fill(names.zhao);
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL((u) => u.searchParams.get('q') === names.zhao);
    const rows = page.locator('table.records-table tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('class')).toBe('row-overdue');
    expect(await rows.first().textContent()).toContain('逾期');

    // By village (a select), then only the overdue ones: none of 钱绿's are due yet.
    await page.goto(`${t.url}/app/admin/problems?villageId=${V.water}`);
    expect(await rows.count()).toBe(50);
    const seen = new Set(await rows.evaluateAll((trs) => trs.map((r) => r.getAttribute('data-problem'))));
    await page.getByRole('link', { name: '下一页 »' }).click();
    await page.waitForURL((u) => u.searchParams.has('next'));
    expect(await rows.count()).toBe(10);
    for (const id of await rows.evaluateAll((trs) => trs.map((r) => r.getAttribute('data-problem')))) {
      expect(seen.has(id)).toBe(false);
      seen.add(id);
    }
    expect(seen.size).toBe(60);
    expect(await page.locator('.pager').textContent()).toContain('已是最后一页');
    await page.getByLabel('逾期').selectOption('true');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL((u) => u.searchParams.get('overdue') === 'true');
    expect(await page.locator('main').textContent()).toContain('没有符合条件的问题');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await unlabelledInputs(page)).toEqual([]);

    // A filter the API refuses is shown beside its field, in plain Chinese.
    await page.goto(`${t.url}/app/admin/problems?from=${today}&to=${addDays(today, -3)}`);
    expect(await page.locator('#f-to-error').textContent()).toContain('结束日期不能早于开始日期');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the inspection list filters by cadre and fits a 360 px phone', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      {
        viewport: PHONE,
      },
    );
    await page.goto(`${t.url}/app/admin/inspections?q=${encodeURIComponent(names.qian)}`);
    const rows = page.locator('table.records-table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.goto(`${t.url}/app/admin/problems`);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'hq-records-problems-phone');
    await page.goto(`${t.url}/app/admin/cadres/${C.qian}`);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.locator('main').textContent()).toContain('查看全部问题');
    expect(errors).toEqual([]);
    await context.close();
  });
});

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  signedInPage,
  unlabelledInputs,
} from '../support/browser.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ's journey in real Chromium: the roster's coverage gaps, adding a village and appointing its
 * chief, issuing a dispatch to chosen assignees, acknowledging a direct report; inline validation
 * with the API's own messages before anything is sent; no axe violations, no script or CSP errors;
 * screenshots at desktop and phone size in test/.artifacts/screenshots (admin-*.png).
 */
let t: TestStack;
let api: Caller;
let browser: Browser;

const township = uid('T');
const other = uid('T');
const villages = { covered: uid('V'), gap: uid('V'), north: uid('V') };
const cadres = { chief: uid('C'), member: uid('C'), northChief: uid('C'), spare: uid('C') };
const newVillage = uid('V');
let reportId = '';

const later = (days: number) => addDays(beijingDate(new Date()), days);

async function check(page: Page, name: string, errors: string[]): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityViolations(page), name).toEqual([]);
  expect(await unlabelledInputs(page), name).toEqual([]);
  expect(errors, name).toEqual([]);
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/townships', { id: other, name: '北山镇' }],
    [
      '/villages',
      {
        id: villages.covered,
        name: '红旗村',
        townshipId: township,
        category: 'general',
        profile: { households: 312, population: 1204 },
      },
    ],
    ['/villages', { id: villages.gap, name: '石门村', townshipId: township, category: 'deep' }],
    ['/villages', { id: villages.north, name: '北坡村', townshipId: other, category: 'non' }],
    [
      '/cadres',
      {
        id: cadres.chief,
        name: '李明',
        unit: '县水务局',
        rank: 'section',
        townshipId: township,
        phone: '13800138000',
      },
    ],
    ['/cadres', { id: cadres.member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    [
      '/cadres',
      { id: cadres.northChief, name: '张强', unit: '北山镇政府', rank: 'general', townshipId: other },
    ],
    ['/cadres', { id: cadres.spare, name: '赵刚', unit: '县委组织部', rank: 'county' }],
    ['/assignments', { cadreId: cadres.chief, villageId: villages.covered, role: 'chief' }],
    ['/assignments', { cadreId: cadres.member, villageId: villages.covered, role: 'member' }],
    ['/assignments', { cadreId: cadres.northChief, villageId: villages.north, role: 'chief' }],
  ];
  for (const [path, body] of setup) expect((await api.post(path, body)).status).toBe(201);
  const cadre = await t.as('cadre', cadres.chief);
  const report = await cadre.post('/direct-reports', {
    villageId: villages.covered,
    kind: 'emergency',
    summary: '水库渗漏，下游两户需转移',
    details: '今晨发现坝体渗水，已疏散两户五人。',
    skipLevels: true,
  });
  expect(report.status).toBe(201);
  reportId = report.body.id;
  expect(
    (
      await cadre.post('/direct-reports', {
        villageId: villages.covered,
        kind: 'resource_request',
        summary: '需要抽水泵两台',
      })
    ).status,
  ).toBe(201);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ in Chromium, desktop', () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      { viewport: DESKTOP },
    ));
  });
  afterAll(() => context?.close());

  it('lands on the overview with its figures', async () => {
    expect(new URL(page.url()).pathname).toBe('/app/admin');
    await expect(page.locator('h1').textContent()).resolves.toBe('总览');
    const gapFigure = page.locator('a.figure', { hasText: '个村没有总队长' });
    await expect(gapFigure.locator('.figure-value').textContent()).resolves.toBe('1');
    await expect(
      page.locator('a.figure', { hasText: '条直报待签收' }).locator('.figure-value').textContent(),
    ).resolves.toBe('2');
    await check(page, 'admin-home-desktop', errors);
  });

  it('shows the coverage gaps first on the roster, each with an appointment link', async () => {
    await page.locator('nav.nav a', { hasText: '名册' }).click();
    await page.waitForURL('**/app/admin/roster');
    const firstTable = page.locator('main table').first();
    await expect(firstTable.locator('tbody tr').count()).resolves.toBe(1);
    await expect(firstTable.textContent()).resolves.toContain('石门村');
    await expect(firstTable.locator('a', { hasText: '安排总队长' }).getAttribute('href')).resolves.toBe(
      `/app/admin/roster/assignments/new?villageId=${villages.gap}&role=chief`,
    );
    await check(page, 'admin-roster-desktop', errors);
  });

  it('shows the API message beside a field before anything is sent, and adds a village once it is right', async () => {
    await page.goto(`${t.url}/app/admin/roster/villages/new`);
    await page.fill('#f-id', '新 村');
    await page.press('#f-id', 'Tab');
    const idError = page.locator('[data-error-for="id"]');
    await expect(idError.textContent()).resolves.toBe(
      '只能包含字母、数字、下划线、点和连字符，且以字母或数字开头',
    );
    await expect(idError.isVisible()).resolves.toBe(true);
    // Submitting as it is: messages for every field, nothing sent, still on the form.
    await page.locator('form[data-form="roster-village"] button[type="submit"]').click();
    await expect(page.locator('[data-error-for="name"]').textContent()).resolves.toBe('不能为空');
    expect(new URL(page.url()).pathname).toBe('/app/admin/roster/villages/new');
    expect((await api.get(`/villages?townshipId=${township}`)).body.items).toHaveLength(2);
    await screenshot(page, 'admin-village-form-errors-desktop');

    await page.fill('#f-id', newVillage);
    await page.fill('#f-name', '新华村');
    await page.selectOption('#f-townshipId', township);
    await page.selectOption('#f-category', 'deep');
    await page.fill('#f-profile-households', '188');
    await expect(idError.isHidden()).resolves.toBe(true);
    await page.locator('form[data-form="roster-village"] button[type="submit"]').click();
    await page.waitForURL('**/app/admin/roster/assignments/new?**');
    await expect(page.locator('[role="status"]', { hasText: '村已保存' }).count()).resolves.toBe(1);
    expect((await api.get(`/villages/${newVillage}`)).body).toMatchObject({
      name: '新华村',
      profile: { households: 188 },
    });
  });

  it('appoints the new village chief from the prefilled form', async () => {
    await expect(page.locator('#f-villageId').inputValue()).resolves.toBe(newVillage);
    await expect(page.locator('#f-role-chief').isChecked()).resolves.toBe(true);
    await page.selectOption('#f-cadreId', cadres.spare);
    await check(page, 'admin-assignment-form-desktop', errors);
    await page.locator('form[data-form="roster-assignment"] button[type="submit"]').click();
    await page.waitForURL('**/app/admin/roster/assignments?**');
    await expect(page.locator('[role="status"]', { hasText: '包村干部已安排' }).count()).resolves.toBe(1);
    await expect(page.locator('main table').textContent()).resolves.toContain('赵刚');
    const [a] = (await api.get(`/assignments?villageId=${newVillage}`)).body.items;
    expect(a).toMatchObject({ cadreId: cadres.spare, role: 'chief', active: true });
  });

  it('issues a dispatch to the chosen assignees, numbered by the API', async () => {
    await page.goto(`${t.url}/app/admin/dispatches/new`);
    // Inline validation first: nothing chosen, nothing typed.
    await page.locator('form[data-form="dispatch-new"] button[type="submit"]').click();
    await expect(page.locator('[data-error-for="assignees"]').textContent()).resolves.toBe(
      '至少指定一名派遣对象',
    );
    await expect(page.locator('[data-error-for="title"]').textContent()).resolves.toBe('不能为空');
    expect(new URL(page.url()).pathname).toBe('/app/admin/dispatches/new');
    await screenshot(page, 'admin-dispatch-form-errors-desktop');

    // The script's shortcut ticks every chief of 青石乡 (红旗村, 新华村) and clears the message.
    await page.locator('button[data-select-chiefs]', { hasText: '青石乡' }).click();
    await expect
      .poll(() => page.locator('[data-error-for="assignees"]').isHidden(), { timeout: 10_000 })
      .toBe(true);
    await page.locator(`input[value="${cadres.member}|${villages.covered}"]`).check();
    await page.fill('#f-title', '抗旱保苗专项任务');
    await page.fill('#f-category', '防汛抗旱');
    await page.fill('#f-description', '逐户核实人畜饮水情况，报告缺水户数。');
    await page.fill('#f-deadline', later(7));
    await check(page, 'admin-dispatch-form-desktop', errors);
    await page.locator('form[data-form="dispatch-new"] button[type="submit"]').click();
    await page.waitForURL('**/app/admin/dispatches/*?done=created');
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const d = (await api.get(`/dispatches/${id}`)).body;
    expect(d.number).toMatch(/^派〔\d{4}〕\d+号$/);
    expect(d.assignees.map((a: any) => `${a.cadreId}|${a.villageId}`).sort()).toEqual(
      [
        `${cadres.chief}|${villages.covered}`,
        `${cadres.member}|${villages.covered}`,
        `${cadres.spare}|${newVillage}`,
      ].sort(),
    );
    await expect(page.locator('h1').textContent()).resolves.toContain(d.number);
    await check(page, 'admin-dispatch-detail-desktop', errors);

    await page.locator('nav.nav a', { hasText: '派遣单' }).click();
    await page.waitForURL('**/app/admin/dispatches');
    await expect(page.locator('main table').textContent()).resolves.toContain(d.number);
    await page.selectOption('#f-status', 'overdue');
    await page.locator('form.filters button[type="submit"]').click();
    await page.waitForURL('**/app/admin/dispatches?status=overdue**');
    await expect(page.locator('main').textContent()).resolves.toContain('没有符合条件的派遣单');
    await page.goto(`${t.url}/app/admin/dispatches`);
    await check(page, 'admin-dispatches-desktop', errors);
  });

  it('acknowledges a direct report with a reply and shows the response time', async () => {
    await page.locator('nav.nav a', { hasText: '信息直报' }).click();
    await page.waitForURL('**/app/admin/direct-reports');
    const first = page.locator('table tbody tr').first();
    await expect(first.getAttribute('class')).resolves.toContain('row-emergency');
    await expect(first.textContent()).resolves.toContain('水库渗漏');
    await check(page, 'admin-direct-reports-desktop', errors);
    await first.locator('a', { hasText: '签收' }).click();
    await page.waitForURL(`**/app/admin/direct-reports/${reportId}`);
    await page.fill('#f-note', '已通知乡镇组织转移，水利局今晚到场。');
    await check(page, 'admin-direct-report-desktop', errors);
    await page.locator('form[data-form="direct-report-ack"] button[type="submit"]').click();
    await page.waitForURL('**?done=acknowledged');
    await expect(page.locator('main').textContent()).resolves.toContain('响应用时');
    const stored = (await api.get(`/direct-reports/${reportId}`)).body;
    expect(stored).toMatchObject({
      status: 'acknowledged',
      acknowledgementNote: '已通知乡镇组织转移，水利局今晚到场。',
    });
    expect(errors).toEqual([]);
  });
});

describe('HQ in Chromium, phone (360 px)', () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ context, page, errors } = await signedInPage(browser, t.url, { sub: 'hq-admin', role: 'admin' }));
  });
  afterAll(() => context?.close());

  it.each([
    ['admin-home-phone', '/app/admin'],
    ['admin-roster-phone', '/app/admin/roster'],
    ['admin-dispatch-form-phone', '/app/admin/dispatches/new'],
    ['admin-dispatches-phone', '/app/admin/dispatches'],
    ['admin-direct-reports-phone', '/app/admin/direct-reports'],
    ['admin-villages-phone', '/app/admin/roster/villages'],
  ])(
    '%s fits the screen (tables scroll inside their frame) with no accessibility violations',
    async (name, path) => {
      await page.goto(`${t.url}${path}`);
      expect(await horizontalOverflow(page)).toBe(0);
      await check(page, name, errors);
    },
  );
});

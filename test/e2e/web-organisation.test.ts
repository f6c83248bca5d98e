import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { desktopAdmin, expectCleanPage } from '../support/desktop-admin.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ keeps the organisation in real Chromium: adds a unit, appoints a county leader over a township
 * and sees that gap leave the coverage page, creates a district by ticking villages and gives it a
 * department from the district's page (its gap leaves too). A refused district comes back with the
 * message beside the villages, without JavaScript as well.
 */
let t: TestStack;
let api: Caller;
let browser: Browser;

const township = uid('T');
const villages = [uid('V'), uid('V'), uid('V')];
const leader = uid('C');
const department = uid('U');

const admin = desktopAdmin(
  () => ({ browser, url: t.url, sub: api.sub }),
  [/Failed to load resource: the server responded with a status of 4(00|09)/],
);
const adminPage = admin.open;
const check = expectCleanPage;

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '鹿鸣乡' }],
    ...villages.map((id, i): [string, unknown] => [
      '/villages',
      { id, name: ['上坪村', '中坪村', '下坪村'][i], townshipId: township, category: 'general' },
    ]),
    ['/cadres', { id: leader, name: '孙县长', unit: '县人民政府', rank: 'county' }],
    ['/units', { id: department, name: '县水务局', kind: 'department' }],
  ];
  for (const [path, body] of setup) expect((await api.post(path, body)).status, path).toBe(201);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await admin.close();
  await browser?.close();
  await t?.stop();
});

describe('HQ keeps the organisation', () => {
  it('adds a township party committee as a unit', async () => {
    const { page, errors } = await adminPage();
    const id = uid('U');
    await page.goto(`${t.url}/app/admin/roster/units/new`);
    await page.fill('#f-id', id);
    await page.fill('#f-name', '鹿鸣乡党委');
    await page.selectOption('#f-kind', 'township-committee');
    await page.selectOption('#f-townshipId', township);
    await check(page, 'admin-unit-new', errors);
    await page.getByRole('button', { name: '保存单位' }).click();
    await page.waitForURL((url) => url.pathname === '/app/admin/roster/units');
    const text = await page.locator('main').textContent();
    expect(text).toContain('单位已保存');
    expect(text).toContain('鹿鸣乡党委');
    expect((await api.get(`/units/${id}`)).body).toMatchObject({
      kind: 'township-committee',
      townshipId: township,
    });
  });

  it('appoints a county leader over the township and the coverage gap goes', async () => {
    const { page, errors } = await adminPage();
    await page.goto(`${t.url}/app/admin/roster?townshipId=${township}`);
    const gaps = page.locator('section[aria-labelledby="h-organisation"]');
    expect(await gaps.textContent()).toContain('没有县级领导包镇的乡镇（1）');
    await check(page, 'admin-coverage-organisation', errors);

    await page.getByRole('link', { name: /安排包镇领导\s*：鹿鸣乡/ }).click();
    await page.waitForURL(`**/app/admin/roster/townships/${township}/leaders`);
    expect(await page.locator('main').textContent()).toContain('目前没有县级领导包镇');
    await page.selectOption('#f-cadreId', leader);
    await page.fill('#f-from', '2026-01-05');
    await check(page, 'admin-township-leaders', errors);
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('td strong', { hasText: '孙县长' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('在任');

    await page.goto(`${t.url}/app/admin/roster?townshipId=${township}`);
    expect(await gaps.textContent()).not.toContain('没有县级领导包镇的乡镇（');
  });

  it('creates a district by ticking villages, then gives it a department on its page', async () => {
    const { page, errors } = await adminPage();
    const id = uid('D');
    await page.goto(`${t.url}/app/admin/roster/districts/new`);
    await page.fill('#f-id', id);
    await page.fill('#f-name', '鹿鸣东片');
    await page.selectOption('#f-townshipId', township);
    await page.check(`#village-${villages[0]}`);
    await page.check(`#village-${villages[1]}`);
    await check(page, 'admin-district-new', errors);
    await page.getByRole('button', { name: '保存片区' }).click();
    await page.waitForURL((url) => url.pathname === '/app/admin/roster/districts');
    const list = await page.locator('main').textContent();
    expect(list).toContain('鹿鸣东片');
    expect(list).toContain('缺包片部门');

    await page.goto(`${t.url}/app/admin/roster?townshipId=${township}`);
    expect(await page.locator('section[aria-labelledby="h-organisation"]').textContent()).toContain(
      '鹿鸣东片',
    );

    await page.goto(`${t.url}/app/admin/roster/districts/${id}`);
    await page.selectOption('#f-unitId', department);
    await check(page, 'admin-district', errors);
    await page.getByRole('button', { name: '保存调整' }).click();
    await page.locator('td', { hasText: '县水务局' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('包片中');
    expect((await api.get(`/districts/${id}`)).body.unitId).toBe(department);

    await page.goto(`${t.url}/app/admin/roster?townshipId=${township}`);
    expect(await page.locator('section[aria-labelledby="h-organisation"]').textContent()).not.toContain(
      '鹿鸣东片',
    );
  });

  it('brings a refused district back with the message beside the villages, without JavaScript', async () => {
    const { page } = await adminPage(false);
    const id = uid('D');
    await page.goto(`${t.url}/app/admin/roster/districts/new`);
    await page.fill('#f-id', id);
    await page.fill('#f-name', '空片区');
    await page.selectOption('#f-townshipId', township);
    await page.getByRole('button', { name: '保存片区' }).click();
    await page.locator('#f-villageIds-error').waitFor();
    expect(await page.locator('#f-villageIds-error').textContent()).toContain('请至少选择一个村');
    expect(await page.inputValue('#f-name')).toBe('空片区');
    expect((await api.get(`/districts/${id}`)).status).toBe(404);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { launchBrowser } from '../support/browser.ts';
import { desktopAdmin, expectCleanPage } from '../support/desktop-admin.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ corrects the roster in real Chromium: renames a village from the roster's edit form and sees
 * the new name on the red/yellow/green board; an edit made stale by someone else's save comes back
 * as "已被他人修改" with the current values and what was typed; a cadre is moved to another village
 * with the 调动 form. Without JavaScript too (plain POST, 303).
 */
let t: TestStack;
let api: Caller;
let browser: Browser;

const township = uid('T');
const villages = { stone: uid('V'), water: uid('V') };
const cadres = { chief: uid('C'), member: uid('C') };
const today = beijingDate(new Date());

// A refused form comes back with the API's status (400, 412): expected, not an error of the page.
const admin = desktopAdmin(
  () => ({ browser, url: t.url, sub: api.sub }),
  [/Failed to load resource: the server responded with a status of 4(00|12)/],
);
const adminPage = admin.open;
const check = expectCleanPage;

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  const inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: villages.stone, name: '红旗村', townshipId: township, category: 'general' }],
    ['/villages', { id: villages.water, name: '白水村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadres.chief, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: cadres.member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: cadres.chief, villageId: villages.stone, role: 'chief' }],
    ['/assignments', { cadreId: cadres.member, villageId: villages.stone, role: 'member' }],
  ];
  for (const [path, body] of setup) expect((await api.post(path, body)).status, path).toBe(201);
  const inspection = await inspector.post('/inspections', {
    villageId: villages.stone,
    date: today,
    mode: 'open',
    findings: [
      {
        cadreId: cadres.chief,
        present: true,
        problems: [{ description: '水窖未清淤', severity: 'severe', rectifyBy: today }],
      },
    ],
  });
  expect(inspection.status).toBe(201);
  // The board shows the current week once its provisional evaluation is stored.
  await evaluateAndStoreWeek(isoWeekOf(today), { now: new Date() });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await admin.close();
  await browser?.close();
  await t?.stop();
});

describe('HQ corrects the roster', () => {
  it('renames a village from the roster and sees the new name on the board', async () => {
    const { page, errors } = await adminPage();
    await page.goto(`${t.url}/app/admin/board?townshipId=${township}`);
    await expect.poll(() => page.locator('main').textContent()).toContain('红旗村');

    await page.goto(`${t.url}/app/admin/roster/villages?townshipId=${township}`);
    await page.getByRole('link', { name: /修改\s*：红旗村/ }).click();
    await page.waitForURL(`**/app/admin/roster/villages/${villages.stone}/edit`);
    expect(await page.inputValue('#f-name')).toBe('红旗村');
    expect(await page.inputValue('input[name="_version"]')).toBe('1');
    await check(page, 'admin-village-edit', errors);

    await page.fill('#f-name', '红旗新村');
    await page.fill('#f-profile-households', '320');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL((url) => url.pathname === '/app/admin/roster/villages');
    expect(await page.locator('main').textContent()).toContain('村已保存');
    expect(await page.locator('main').textContent()).toContain('红旗新村');

    await page.goto(`${t.url}/app/admin/board?townshipId=${township}`);
    const board = await page.locator('main').textContent();
    expect(board).toContain('红旗新村');
    expect(board).not.toContain('红旗村');
    const stored = await api.get(`/villages/${villages.stone}`);
    expect(stored.body).toMatchObject({ name: '红旗新村', version: 2, profile: { households: 320 } });
  });

  it('shows a stale edit as 已被他人修改 with the current values and what was typed, then saves on a second try', async () => {
    const { page, errors } = await adminPage();
    await page.goto(`${t.url}/app/admin/roster/cadres/${cadres.member}/edit`);
    expect(await page.inputValue('#f-name')).toBe('王芳');

    // Someone else saves first.
    const other = await api.send('PATCH', `/cadres/${cadres.member}`, JSON.stringify({ unit: '县民政局' }), {
      'content-type': 'application/json',
      'if-match': '"1"',
    });
    expect(other.status).toBe(200);

    await page.fill('#f-name', '王芳芳');
    await page.getByRole('button', { name: '保存修改' }).click();
    const alert = page.locator('[role="alert"]').filter({ hasText: '已被他人修改' }).first();
    await alert.waitFor();
    const text = await page.locator('main').textContent();
    expect(text).toContain('第 2 版');
    expect(text).toContain('姓名：王芳芳');
    expect(await page.inputValue('#f-unit')).toBe('县民政局');
    expect(await page.inputValue('#f-name')).toBe('王芳');
    expect(await page.inputValue('input[name="_version"]')).toBe('2');
    expect((await api.get(`/cadres/${cadres.member}`)).body.name).toBe('王芳');
    await check(page, 'admin-cadre-edit-conflict', errors);

    await page.fill('#f-name', '王芳芳');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL((url) => url.pathname === '/app/admin/roster/cadres');
    expect((await api.get(`/cadres/${cadres.member}`)).body).toMatchObject({
      name: '王芳芳',
      unit: '县民政局',
      version: 3,
    });
  });

  it('moves a cadre to another village with the 调动 form, without JavaScript', async () => {
    const { page, errors } = await adminPage(false);
    await page.goto(`${t.url}/app/admin/roster/cadres?townshipId=${township}`);
    await page.getByRole('link', { name: /调动\s*：李明/ }).click();
    await page.waitForURL(`**/app/admin/roster/cadres/${cadres.chief}/move`);
    await page.selectOption('#f-villageId', villages.water);
    await page.fill('#f-reason', '工作需要');
    await page.getByRole('button', { name: '确认调动' }).click();
    await page.waitForURL((url) => url.pathname === '/app/admin/roster/assignments');
    const text = await page.locator('main').textContent();
    expect(text).toContain('调动已完成');
    const history = await api.get(`/assignments?cadreId=${cadres.chief}`);
    expect(
      history.body.items.map((a: { villageId: string; active: boolean }) => [a.villageId, a.active]),
    ).toEqual([
      [villages.stone, false],
      [villages.water, true],
    ]);
    expect(errors).toEqual([]);
  });

  it('sends a GET on an edit form’s address to the form and refuses a bad value beside its field', async () => {
    const { page, errors } = await adminPage(false);
    await page.goto(`${t.url}/app/admin/roster/townships/${township}/edit`);
    await page.fill('#f-name', '');
    await page.getByRole('button', { name: '保存修改' }).click();
    await expect.poll(() => page.locator('#f-name-error').textContent()).toContain('不能为空');
    expect((await api.get(`/townships/${township}`)).body).toMatchObject({ name: '青石乡', version: 1 });
    expect(errors).toEqual([]);
  });
});

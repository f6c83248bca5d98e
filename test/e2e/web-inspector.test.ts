import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../functions/core/time.ts';
import {
  accessibilityViolations,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  signedInPage,
  unlabelledInputs,
  waitForDeliveriesSettled,
  waitUntilKept,
} from '../support/browser.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The inspector's day in real Chromium on a 360 px phone: find a village, record an inspection with
 * the page script (a problem row added with the button, messages inline before submitting), record
 * another with no signal (kept in the outbox, sent once the signal is back, exactly once), and verify
 * two rectifications (one accepted, one rejected as 虚假整改). Each page is checked for axe
 * violations, unlabelled inputs and sideways overflow, and photographed for a person to look at.
 */
// Callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const document: any;
declare const indexedDB: any;
declare const navigator: any;
declare const performance: any;

let t: TestStack;
let admin: Caller;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const today = () => beijingDate(new Date());
const township = uid('T');
const otherTownship = uid('T');
const village = uid('V');
const otherVillages = [uid('V'), uid('V'), uid('V')];
const chief = uid('C');
const member = uid('C');
let dispatchId = '';
let problems: string[] = [];

async function inspectionsOf(villageId: string): Promise<Array<{ id: string }>> {
  const res = await admin.get(`/inspections?villageId=${villageId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The page's script has attached its forms (app.ts marks it). */
async function scriptReady(p: Page): Promise<void> {
  await p.waitForFunction(() => performance.getEntriesByName('baocun-interactive').length > 0);
}

async function checkPage(p: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(p), `${name}: sideways overflow`).toBeLessThanOrEqual(0);
  expect(await unlabelledInputs(p), `${name}: unlabelled inputs`).toEqual([]);
  expect(await accessibilityViolations(p), `${name}: axe`).toEqual([]);
  await screenshot(p, name);
}

async function outboxSize(p: Page): Promise<number> {
  return p.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('baocun');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('outbox')) {
            db.close();
            resolve(0);
            return;
          }
          const all = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result.length);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/townships', { id: otherTownship, name: '白马镇' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/villages', { id: otherVillages[0], name: '向阳村', townshipId: township, category: 'general' }],
    ['/villages', { id: otherVillages[1], name: '白马村', townshipId: otherTownship, category: 'non' }],
    ['/villages', { id: otherVillages[2], name: '石门村', townshipId: otherTownship, category: 'general' }],
    ['/cadres', { id: chief, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: chief, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: member, villageId: village, role: 'member' }],
  ];
  await createAll(admin, setup);
  dispatchId = (await issueDispatch(admin, [{ cadreId: chief, villageId: village }])).id;

  // Two rectifications waiting for the inspectors, recorded through the API.
  const inspector = await t.as('inspector', 'inspector-2');
  const earlier = await inspector.post('/inspections', {
    villageId: otherVillages[1],
    date: today(),
    mode: 'spot',
    findings: [
      {
        cadreId: member,
        present: true,
        problems: [
          { description: '水窖护栏缺失', severity: 'major' },
          { description: '饮水台账与实际不符', severity: 'severe' },
        ],
      },
    ],
  });
  expect(earlier.status).toBe(201);
  problems = earlier.body.problemIds;
  const cadre = await t.as('cadre', member);
  for (const [id, note] of [
    [problems[0], '已安装护栏并拍照留存'],
    [problems[1], '台账已重新登记'],
  ]) {
    expect((await cadre.post(`/problems/${id}/rectifications`, { note })).status).toBe(201);
  }

  browser = await launchBrowser();
  ({ context, page, errors } = await signedInPage(
    browser,
    t.url,
    { sub: 'inspector-1', role: 'inspector' },
    { ignore: [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/, /ERR_FAILED/] },
  ));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the inspector on a 360 px phone', () => {
  it('finds a village in the list (filtered as they type) and opens it', async () => {
    expect(new URL(page.url()).pathname).toBe('/app/inspector');
    await scriptReady(page);
    await expect(page.locator('h2', { hasText: '青石乡' }).count()).resolves.toBe(1);
    await expect(page.locator('h2', { hasText: '白马镇' }).count()).resolves.toBe(1);
    await expect(page.locator('.awaiting-link .stat-value').textContent()).resolves.toBe('2');
    await checkPage(page, 'inspector-villages');

    await page.fill('#village-q', '红旗');
    const visible = page.locator('[data-village-groups] li[data-search]:visible');
    await expect(visible.count()).resolves.toBe(1);
    await expect(page.locator('h2', { hasText: '白马镇' }).isVisible()).resolves.toBe(false);
    await expect(page.locator('[data-village-count]').textContent()).resolves.toBe('找到 1 个村');
    await page.fill('#village-q', '没有这个村');
    await expect(visible.count()).resolves.toBe(0);
    await expect(page.locator('[data-village-count]').textContent()).resolves.toContain('没有找到');
    await page.fill('#village-q', village.toLowerCase());
    await expect(visible.count()).resolves.toBe(1);

    await page.locator(`a[href="/app/inspector/villages/${village}"]`).click();
    await page.waitForURL(`**/app/inspector/villages/${village}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('红旗村');
  });

  it('records an inspection with the script: rows added and removed, messages inline before submitting', async () => {
    await scriptReady(page);
    const chiefSet = page.locator('fieldset.finding').nth(0);
    const memberSet = page.locator('fieldset.finding').nth(1);
    await expect(chiefSet.locator('legend').first().textContent()).resolves.toContain('李明');
    // With the script the spare rows go; the button adds them.
    await expect(page.locator('form [data-problem-row]').count()).resolves.toBe(0);
    const addChief = chiefSet.locator('[data-add-row]');
    await addChief.click();
    await addChief.click();
    await expect(chiefSet.locator('[data-problem-row]').count()).resolves.toBe(2);
    const second = chiefSet.locator('[data-problem-row]').nth(1);
    await expect(second.locator('textarea').getAttribute('name')).resolves.toBe(
      'findings.0.problems.1.description',
    );
    // The new row is focused, labelled, and its label points at it.
    await expect(
      second.locator('textarea').evaluate((el: any) => el === document.activeElement),
    ).resolves.toBe(true);
    await expect(second.locator('label', { hasText: '问题描述' }).getAttribute('for')).resolves.toBe(
      'f-findings-0-problems-1-description',
    );

    // A severity with no description: the API's own message appears beside the description at once.
    // The person moves on to the severity (leaving the description) and picks one.
    await second.locator('select[name$=".severity"]').focus();
    await second.locator('select[name$=".severity"]').selectOption('major');
    const message = page.locator('[data-error-for="findings.0.problems.1.description"]');
    await expect(message.isVisible()).resolves.toBe(true);
    await expect(message.textContent()).resolves.toBe('不能为空');
    await expect(second.locator('textarea').getAttribute('aria-invalid')).resolves.toBe('true');
    await checkPage(page, 'inspector-village-form');

    // Remove the first (blank) row: the other moves up to index 0, with its message slot.
    await chiefSet.locator('[data-problem-row]').nth(0).locator('[data-remove-row]').click();
    await expect(chiefSet.locator('[data-problem-row]').count()).resolves.toBe(1);
    const only = chiefSet.locator('[data-problem-row]').nth(0);
    await expect(only.locator('textarea').getAttribute('name')).resolves.toBe(
      'findings.0.problems.0.description',
    );
    await expect(only.locator('select[name$=".severity"]').getAttribute('name')).resolves.toBe(
      'findings.0.problems.0.severity',
    );
    await expect(only.locator('[data-row-number]').textContent()).resolves.toBe('1');
    await only.locator('textarea').fill('督查时不在岗，电话称在县里开会');
    await only.locator('textarea').blur();
    await expect(
      page.locator('[data-error-for="findings.0.problems.0.description"]').isVisible(),
    ).resolves.toBe(false);

    await page.locator('label', { hasText: '暗访' }).click();
    await chiefSet.locator('select[name="findings.0.dispatchId"]').selectOption(dispatchId);
    // Presence in three states: the chief 不在岗, the member 在岗 (nothing is chosen beforehand).
    await chiefSet.locator('label.choice', { hasText: /^\s*不在岗\s*$/ }).click();
    await memberSet.locator('label.choice', { hasText: /^\s*在岗\s*$/ }).click();
    await memberSet.locator('label', { hasText: '充分肯定' }).click();
    await screenshot(page, 'inspector-village-filled');

    await page.locator('form[data-form="inspection"] button[type="submit"]').click();
    await page.waitForURL('**/app/inspector?done=inspection');
    await expect(page.locator('main .banner-ok').textContent()).resolves.toContain('督查记录已提交');

    const list = await inspectionsOf(village);
    expect(list).toHaveLength(1);
    const detail = (await admin.get(`/inspections/${list[0]!.id}`)).body;
    expect(detail).toMatchObject({
      mode: 'covert',
      date: today(),
      presentCount: 1,
      absentCount: 1,
      commendCount: 1,
    });
    expect(detail.findings[0]).toMatchObject({
      cadreId: chief,
      present: false,
      commend: false,
      dispatchId,
      problems: [{ description: '督查时不在岗，电话称在县里开会', severity: 'major' }],
    });
    expect(detail.findings[1]).toMatchObject({ cadreId: member, present: true, commend: true, problems: [] });
  });

  it('records another inspection with no signal: kept in the outbox, sent once when the signal returns', async () => {
    // Open the village page once more with signal, through the service worker, so it is kept.
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    await waitUntilKept(page, `/app/inspector/villages/${village}`);

    await context.setOffline(true);
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    await expect(page.locator('h1').textContent()).resolves.toBe('红旗村');
    await expect(page.locator('#offline-banner').isVisible()).resolves.toBe(true);

    const chiefSet = page.locator('fieldset.finding').nth(0);
    await chiefSet.locator('label.choice', { hasText: /^\s*在岗\s*$/ }).click();
    await chiefSet.locator('[data-add-row]').click();
    const row = chiefSet.locator('[data-problem-row]').nth(0);
    await row.locator('textarea').fill('抗旱任务推进台账不全');
    await row.locator('select[name$=".severity"]').selectOption('minor');
    await page.locator('form[data-form="inspection"] button[type="submit"]').click();

    const queued = page.locator('[data-queued]');
    await queued.waitFor({ state: 'visible' });
    await expect(queued.textContent()).resolves.toContain('已保存在本机');
    const panel = page.locator('#outbox');
    await panel.waitFor({ state: 'visible' });
    await expect(panel.locator('[data-outbox-count]').textContent()).resolves.toBe('本机待发送（1）');
    await expect(panel.textContent()).resolves.toContain('督查记录：红旗村');
    await screenshot(page, 'inspector-offline-queued');
    expect(await inspectionsOf(village)).toHaveLength(1);
    expect(await outboxSize(page)).toBe(1);

    await context.setOffline(false);
    await panel.waitFor({ state: 'hidden', timeout: 30_000 });
    await expect(page.locator('#toast').textContent()).resolves.toContain('已发送：督查记录：红旗村');
    expect(await outboxSize(page)).toBe(0);

    // Delivered once, and only once, however often the page or the worker tries again.
    await page.reload();
    await scriptReady(page);
    await waitForDeliveriesSettled(page);
    expect(await outboxSize(page)).toBe(0);
    const list = await inspectionsOf(village);
    expect(list).toHaveLength(2);
    const newest = (
      await Promise.all(list.map(async (i) => (await admin.get(`/inspections/${i.id}`)).body))
    ).find((i) => i.findings[0].present === true);
    expect(newest.findings[0]).toMatchObject({
      cadreId: chief,
      present: true,
      problems: [{ description: '抗旱任务推进台账不全', severity: 'minor' }],
    });
    expect(await outboxSize(page)).toBe(0);
  });

  it('verifies two rectifications: accepts one, rejects the other as false rectification', async () => {
    await page.goto(`${t.url}/app/inspector/verifications`);
    await scriptReady(page);
    await expect(page.locator('.verify-item').count()).resolves.toBe(2);
    await checkPage(page, 'inspector-verifications');

    const first = page.locator('.verify-item', { hasText: '水窖护栏缺失' });
    await first.locator('label', { hasText: '整改到位' }).click();
    await first.locator('textarea').fill('现场核实护栏已安装');
    await first.locator('button[type="submit"]').click();
    await page.waitForURL('**/app/inspector/verifications?done=accepted');
    await expect(page.locator('main .banner-ok').textContent()).resolves.toContain('问题已销号');

    const second = page.locator('.verify-item', { hasText: '饮水台账与实际不符' });
    await expect(second.textContent()).resolves.toContain('台账已重新登记');
    // Submitting with no outcome chosen: the message shows beside the choices, nothing is sent.
    await second.locator('button[type="submit"]').click();
    await expect(second.locator('[data-error-for="outcome"]').isVisible()).resolves.toBe(true);
    await expect(second.locator('[data-error-for="outcome"]').textContent()).resolves.toContain('复核结论');
    await second.locator('label', { hasText: '不通过' }).click();
    await second.locator('label', { hasText: '虚假整改' }).click();
    await second.locator('textarea').fill('台账仍与入户情况不符');
    await second.locator('button[type="submit"]').click();
    await page.waitForURL('**/app/inspector/verifications?done=rejected');
    await expect(page.locator('main > .banner-warn[role="status"]').textContent()).resolves.toContain(
      '虚假整改',
    );
    await expect(page.locator('.verify-item').count()).resolves.toBe(0);
    await screenshot(page, 'inspector-verifications-done');

    const [a, r] = await Promise.all(problems.map((id) => admin.get(`/problems/${id}`)));
    expect(a!.body).toMatchObject({ status: 'closed', falseRectifications: 0 });
    expect(r!.body).toMatchObject({ status: 'open', falseRectifications: 1 });
    expect(errors).toEqual([]);
  });
});

import type { Browser, Page } from 'playwright-core';
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
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * A verification that says why, in real Chromium on a 360 px phone: a rejection asks its kind (整改
 * 不到位 / 虚假整改, two choices, none made beforehand) and a note, inline with the script and beside the
 * fields without it; the inspection form's presence in three states (在岗 / 不在岗 / 未点名, nothing
 * absent by default). Then HQ voids an inspection and extends a deadline on their forms.
 */
// Callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const performance: any;

let t: TestStack;
let admin: Caller;
let browser: Browser;

const today = () => beijingDate(new Date());
const township = uid('T');
const village = uid('V');
const chief = uid('C');
const member = uid('C');
const third = uid('C');
let problems: string[] = [];

async function scriptReady(p: Page): Promise<void> {
  p.setDefaultTimeout(15_000);
  await p.waitForFunction(() => performance.getEntriesByName('baocun-interactive').length > 0);
}

async function checkPage(p: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(p), `${name}: sideways overflow`).toBeLessThanOrEqual(0);
  expect(await unlabelledInputs(p), `${name}: unlabelled inputs`).toEqual([]);
  expect(await accessibilityViolations(p), `${name}: axe`).toEqual([]);
  await screenshot(p, name);
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '复核乡' }],
    ['/villages', { id: village, name: '清泉村', townshipId: township, category: 'general' }],
    ['/cadres', { id: chief, name: '赵刚', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: member, name: '钱丽', unit: '县农业农村局', rank: 'staff' }],
    ['/cadres', { id: third, name: '孙强', unit: '县交通局', rank: 'staff' }],
    ['/assignments', { cadreId: chief, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: member, villageId: village, role: 'member' }],
    ['/assignments', { cadreId: third, villageId: village, role: 'member' }],
  ]);
  const inspector = await t.as('inspector', 'inspector-2');
  const res = await inspector.post('/inspections', {
    villageId: village,
    date: today(),
    mode: 'spot',
    findings: [
      {
        cadreId: member,
        presence: 'present',
        problems: [
          { description: '排水沟未硬化', severity: 'major' },
          { description: '防汛物资台账不全', severity: 'minor' },
        ],
      },
    ],
  });
  expect(res.status).toBe(201);
  problems = res.body.problemIds;
  const cadre = await t.as('cadre', member);
  for (const id of problems) {
    expect((await cadre.post(`/problems/${id}/rectifications`, { note: '已整改' })).status).toBe(201);
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the verification form asks kind and note', () => {
  it('with the script: messages inline, nothing sent; then 整改不到位 with a new deadline', async () => {
    const { context, page, errors } = await signedInPage(browser, t.url, {
      sub: 'inspector-1',
      role: 'inspector',
    });
    await page.goto(`${t.url}/app/inspector/verifications`);
    await scriptReady(page);
    const item = page.locator('.verify-item', { hasText: '排水沟未硬化' });
    // Two kinds, none chosen beforehand.
    await expect(item.locator('input[name="kind"]').count()).resolves.toBe(2);
    await expect(item.locator('input[name="kind"]:checked').count()).resolves.toBe(0);
    await checkPage(page, 'verification-kinds');

    await item.locator('label', { hasText: '不通过' }).click();
    await item.locator('button[type="submit"]').click();
    const kindError = item.locator('[data-error-for="kind"]');
    const noteError = item.locator('[data-error-for="note"]');
    await expect(kindError.isVisible()).resolves.toBe(true);
    await expect(kindError.textContent()).resolves.toContain('整改不到位或虚假整改');
    await expect(noteError.isVisible()).resolves.toBe(true);
    await expect(noteError.textContent()).resolves.toContain('复核意见');
    for (const text of [await kindError.textContent(), await noteError.textContent()])
      expect(text).not.toMatch(/incomplete|false|rejected|NOTE_REQUIRED/);
    expect((await admin.get(`/problems/${problems[0]}`)).body.status).toBe('awaiting_verification');
    await screenshot(page, 'verification-kind-messages');

    // A fresh page for the real submission (see the report: a second submit right after a refused
    // one on the same page did not leave the page in this tree).
    await page.reload();
    await scriptReady(page);
    await item.locator('label', { hasText: '不通过' }).click();
    await item.locator('label', { hasText: '整改不到位' }).first().click();
    await item.locator('input[type="date"]').fill(addDays(today(), 6));
    await item.locator('textarea').fill('还差约一百米未硬化');
    await item.locator('button[type="submit"]').click();
    await page.waitForURL('**/app/inspector/verifications?done=incomplete');
    await expect(page.locator('main > .banner-warn[role="status"]').textContent()).resolves.toContain(
      '整改不到位',
    );
    const p = (await admin.get(`/problems/${problems[0]}`)).body;
    expect(p).toMatchObject({
      status: 'open',
      falseRectifications: 0,
      incompleteRectifications: 1,
      rectifyBy: addDays(today(), 6),
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without the script: the page again (400) with the messages beside kind and note; then 虚假整改', async () => {
    const { context, page } = await signedInPage(
      browser,
      t.url,
      { sub: 'inspector-1', role: 'inspector' },
      { javaScriptEnabled: false },
    );
    await page.goto(`${t.url}/app/inspector/verifications`);
    const item = () => page.locator('.verify-item', { hasText: '防汛物资台账不全' });
    await item().locator('label', { hasText: '不通过' }).click();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      item().locator('button[type="submit"]').click(),
    ]);
    expect(answer.status()).toBe(400);
    await page.waitForLoadState();
    await expect(item().locator('[data-error-for="kind"]').isVisible()).resolves.toBe(true);
    await expect(item().locator('[data-error-for="note"]').isVisible()).resolves.toBe(true);
    // What was chosen is still chosen.
    await expect(item().locator('input[name="outcome"][value="rejected"]').isChecked()).resolves.toBe(true);
    expect((await admin.get(`/problems/${problems[1]}`)).body.status).toBe('awaiting_verification');

    await item().locator('label', { hasText: '虚假整改' }).click();
    await item().locator('textarea').fill('台账系补写，入户核实不符');
    await item().locator('button[type="submit"]').click();
    await page.waitForURL('**/app/inspector/verifications?done=rejected');
    const p = (await admin.get(`/problems/${problems[1]}`)).body;
    expect(p).toMatchObject({ status: 'open', falseRectifications: 1 });
    expect(p.events.find((e: { kind: string }) => e.kind === 'verification')).toMatchObject({
      rejectionKind: 'false',
      note: '台账系补写，入户核实不符',
    });
    await context.close();
  });
});

describe('presence in three states', () => {
  it('nothing is chosen beforehand; an untouched cadre is 未点名, not absent', async () => {
    const { context, page, errors } = await signedInPage(browser, t.url, {
      sub: 'inspector-1',
      role: 'inspector',
    });
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    const sets = page.locator('fieldset.finding');
    await expect(sets.count()).resolves.toBe(3);
    for (let i = 0; i < 3; i++) {
      await expect(sets.nth(i).locator(`input[name="findings.${i}.presence"]`).count()).resolves.toBe(3);
      await expect(sets.nth(i).locator(`input[name="findings.${i}.presence"]:checked`).count()).resolves.toBe(
        0,
      );
    }
    await checkPage(page, 'inspection-presence');
    const setOf = async (cadreName: string) => {
      for (let i = 0; i < 3; i++)
        if ((await sets.nth(i).locator('legend').first().textContent())?.includes(cadreName))
          return sets.nth(i);
      throw new Error(cadreName);
    };
    await (await setOf('赵刚')).locator('label.choice', { hasText: /^\s*不在岗\s*$/ }).click();
    await (await setOf('钱丽')).locator('label.choice', { hasText: /^\s*在岗\s*$/ }).click();
    // 孙强 left untouched.
    await page.locator('form[data-form="inspection"] button[type="submit"]').click();
    await page.waitForURL('**/app/inspector?done=inspection');

    const list = (await admin.get(`/inspections?villageId=${village}&limit=10`)).body.items;
    const newest = (await admin.get(`/inspections/${list[0].id}`)).body;
    expect(newest).toMatchObject({ presentCount: 1, absentCount: 1, uncheckedCount: 1 });
    const byCadre = new Map(
      newest.findings.map((f: { cadreId: string; presence: string }) => [f.cadreId, f.presence]),
    );
    expect(byCadre.get(chief)).toBe('absent');
    expect(byCadre.get(member)).toBe('present');
    expect(byCadre.get(third)).toBe('unchecked');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('HQ corrects: void an inspection, extend a deadline', () => {
  it('voids from the form and extends a deadline from the form, each 303 back to the record', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      { viewport: DESKTOP },
    );
    const inspector = await t.as('inspector');
    const res = await inspector.post('/inspections', {
      villageId: village,
      date: today(),
      mode: 'open',
      findings: [
        { cadreId: third, presence: 'present', problems: [{ description: '错记的问题', severity: 'minor' }] },
      ],
    });
    const inspectionId = res.body.id as string;

    await page.goto(`${t.url}/app/admin/inspections/${inspectionId}/void`);
    await scriptReady(page);
    await checkPage(page, 'admin-inspection-void');
    // Left empty: the message beside the field as soon as it is left.
    await page.locator('textarea[name="reason"]').focus();
    await page.locator('textarea[name="reason"]').blur();
    await expect(page.locator('[data-error-for="reason"]').isVisible()).resolves.toBe(true);
    await page.locator('textarea[name="reason"]').fill('误将邻村情况记入本村');
    await page.locator('form[data-form="inspection-void"] button[type="submit"]').click();
    await page.waitForURL(`**/app/admin/inspections/${inspectionId}?done=voided`);
    expect((await admin.get(`/inspections/${inspectionId}`)).body.voided).toMatchObject({
      reason: '误将邻村情况记入本村',
    });

    const problemId = problems[0] as string;
    await page.goto(`${t.url}/app/admin/problems/${problemId}/extension`);
    await scriptReady(page);
    await checkPage(page, 'admin-problem-extension');
    await page.locator('input[name="rectifyBy"]').fill(addDays(today(), 30));
    await page.locator('textarea[name="reason"]').fill('需待春灌结束后施工');
    await page.locator('form[data-form="problem-extension"] button[type="submit"]').click();
    await page.waitForURL(`**/app/admin/problems/${problemId}?done=extended`);
    const p = (await admin.get(`/problems/${problemId}`)).body;
    expect(p.rectifyBy).toBe(addDays(today(), 30));
    expect(p.extensions).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});

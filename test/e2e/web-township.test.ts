// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import {
  accessibilityViolations,
  DESKTOP,
  launchBrowser,
  screenshot,
  signedInPage,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * A township's staff member in real Chromium: signs in from the demo sign-in list, lands on HQ's
 * console cut to their township — board, roster (read only), dispatch form with their villages only,
 * direct reports — with a navigation fitted to the role, and never sees the other township.
 */
let t: TestStack;
let admin: Caller;
let browser: Browser;
const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const mine = { township: uid('TA'), village: uid('VA'), cadre: uid('CA') };
const other = { township: uid('TB'), village: uid('VB'), cadre: uid('CB') };

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  for (const [side, name] of [
    [mine, '青石'],
    [other, '白鹭'],
  ] as const) {
    await createAll(admin, [
      ['/townships', { id: side.township, name: `${name}乡` }],
      ['/villages', { id: side.village, name: `${name}村`, townshipId: side.township, category: 'deep' }],
      [
        '/cadres',
        { id: side.cadre, name: `${name}干部`, unit: '县水务局', rank: 'staff', townshipId: side.township },
      ],
      [
        '/assignments',
        { cadreId: side.cadre, villageId: side.village, role: 'chief', from: addDays(today, -30) },
      ],
    ]);
    expect(
      (
        await inspector.post('/inspections', {
          villageId: side.village,
          date: weekBounds(lastWeek).monday,
          mode: 'open',
          findings: [
            {
              cadreId: side.cadre,
              present: true,
              problems: [{ description: `${name}水窖漏水`, severity: 'major' }],
            },
          ],
        })
      ).status,
    ).toBe(201);
    const cadre = await t.as('cadre', side.cadre);
    expect(
      (
        await cadre.post('/direct-reports', {
          villageId: side.village,
          kind: 'situation',
          summary: `${name}旱情`,
        })
      ).status,
    ).toBe(201);
  }
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('a township staff member in the browser', () => {
  it('signs in from the list and sees only their township on every page', async () => {
    const sub = `${mine.township.toLowerCase()}-staff`;
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub, role: 'township' },
      { viewport: DESKTOP },
    );
    try {
      // Lands on the board, with the console's navigation fitted to the role.
      expect(new URL(page.url()).pathname).toBe('/app/admin/board');
      const nav = await page.locator('nav.nav').innerText();
      for (const item of ['名册', '派遣单', '红黄绿', '问题', '进退严圈', '周通报', '信息直报'])
        expect(nav).toContain(item);
      for (const item of ['总览', '文书', '定时任务', '导入导出']) expect(nav).not.toContain(item);
      expect(await page.locator('.who').innerText()).toContain('青石乡工作人员（乡镇）');
      const board = await page.locator('main').innerText();
      expect(board).toContain('青石干部');
      expect(board).not.toContain('白鹭');
      await screenshot(page, 'township-board');

      await page.goto(`${t.url}/app/admin/roster/villages`);
      const villages = await page.locator('main').innerText();
      expect(villages).toContain('青石村');
      expect(villages).not.toContain('白鹭村');
      expect(await page.locator('a', { hasText: '新增村' }).count()).toBe(0);
      expect(await page.locator('main a', { hasText: '修改' }).count()).toBe(0);

      await page.goto(`${t.url}/app/admin/dispatches/new`);
      const options = await page
        .locator('input[name="assignees"]')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
      expect(options.length).toBeGreaterThan(0);
      expect(options.every((v) => v.includes(mine.village))).toBe(true);

      await page.goto(`${t.url}/app/admin/direct-reports`);
      const reports = await page.locator('main').innerText();
      expect(reports).toContain('青石旱情');
      expect(reports).not.toContain('白鹭旱情');

      await page.goto(`${t.url}/app/admin/bulletins/${lastWeek}`);
      const bulletin = await page.locator('main').innerText();
      expect(bulletin).toContain('青石干部');
      expect(bulletin).not.toContain('白鹭干部');
      expect(await accessibilityViolations(page)).toEqual([]);

      expect(errors).toEqual([]);
      // Another township's cadre, and HQ-only pages, are refused (the browser logs those two 403s).
      const profile = await page.goto(`${t.url}/app/admin/cadres/${other.cadre}`);
      expect(profile?.status()).toBe(403);
      const jobs = await page.goto(`${t.url}/app/admin/jobs`);
      expect(jobs?.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});

// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeekOfInstant } from '../../functions/core/time.ts';
import {
  DESKTOP,
  launchBrowser,
  screenshot,
  signedInPage,
  waitForDeliveriesSettled,
  waitUntilKept,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Issue 11's "done when", as one story in real Chromium: an inspector on a phone records a problem
 * with a photo while offline; once the signal is back the cadre is told at once (a notification that
 * links to the problem); the cadre rectifies with an "after" photo; the inspector sees before and
 * after side by side and rejects with a reason and a kind (整改不到位); HQ finds the problem from the
 * board, sees its whole history (found with its photo, the rectification with its photo, the
 * rejection with its kind and reason) and corrects the village's name, which the problem then shows.
 * Each step depends on the one before: the tests run in order on one county.
 */
process.env.PDF_RENDERER = 'off';

// Callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const navigator: any;
declare const performance: any;

let t: TestStack;
let admin: Caller;
let browser: Browser;
let folder: string;
let before: string;
let after: string;

const township = uid('T');
const village = uid('V');
const cadre = uid('C');
const DESCRIPTION = '村级活动场所消防器材过期';
let problemId = '';

const OFFLINE_NOISE = [/Failed to load resource|ERR_INTERNET_DISCONNECTED|net::ERR_FAILED/];

async function scriptReady(p: Page): Promise<void> {
  await p.waitForFunction(() => performance.getEntriesByName('baocun-interactive').length > 0);
}

async function photo(path: string, colour: string): Promise<string> {
  writeFileSync(
    path,
    await sharp({ create: { width: 2400, height: 1800, channels: 3, background: colour } })
      .jpeg()
      .toBuffer(),
  );
  return path;
}

/** Opens a phone for a person; closes it after `run`, whatever happens. */
async function asPerson<T>(
  user: { sub: string; role: 'admin' | 'inspector' | 'cadre' },
  run: (page: Page, context: BrowserContext, errors: string[]) => Promise<T>,
  options: { desktop?: boolean } = {},
): Promise<T> {
  const { context, page, errors } = await signedInPage(browser, t.url, user, {
    ignore: OFFLINE_NOISE,
    ...(options.desktop ? { viewport: DESKTOP } : {}),
  });
  try {
    return await run(page, context, errors);
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'baocun-story-'));
  before = await photo(join(folder, 'before.jpg'), '#b03a2e');
  after = await photo(join(folder, 'after.jpg'), '#2e8b57');
  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '云溪镇' }],
    ['/villages', { id: village, name: '桃园村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '周建国', unit: '县应急管理局', rank: 'section' }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('evidence from the field to HQ (issue 11, done when)', () => {
  it('1. the inspector records a problem with a photo while offline; it is filed once the signal returns', async () => {
    await asPerson({ sub: 'inspector-1', role: 'inspector' }, async (page, context) => {
      await page.goto(`${t.url}/app/inspector/villages/${village}`);
      await scriptReady(page);
      await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
      await page.reload();
      await scriptReady(page);
      await waitUntilKept(page, `/app/inspector/villages/${village}`);

      await context.setOffline(true);
      await page.goto(`${t.url}/app/inspector/villages/${village}`);
      await scriptReady(page);
      const finding = page.locator('fieldset.finding').nth(0);
      await finding.locator('[data-add-row]').click();
      const row = finding.locator('[data-problem-row]').last();
      await row.locator('textarea').fill(DESCRIPTION);
      await row.locator('select[name$=".severity"]').selectOption('major');
      await row.locator('input[type="file"]:not([capture])').setInputFiles(before);
      await row.locator('.photo-preview img').waitFor({ state: 'visible' });
      await page.locator('form[data-form="inspection"] button[type="submit"]').click();
      await page.locator('[data-queued]').waitFor({ state: 'visible' });
      await screenshot(page, 'story-1-offline-queued');
      expect((await admin.get(`/problems?villageId=${village}`)).body.items).toEqual([]);

      await context.setOffline(false);
      await page.locator('#outbox').waitFor({ state: 'hidden', timeout: 60_000 });
      await waitForDeliveriesSettled(page);
    });
    const items = (await admin.get(`/problems?villageId=${village}`)).body.items;
    expect(items).toHaveLength(1);
    problemId = items[0].id;
    const detail = (await admin.get(`/problems/${problemId}`)).body;
    expect(detail.description).toBe(DESCRIPTION);
    expect(detail.photos).toHaveLength(1);
  }, 120_000);

  it('2. the cadre is told at once, with a link to the problem, and rectifies with an after photo', async () => {
    await asPerson({ sub: cadre, role: 'cadre' }, async (page) => {
      await page.goto(`${t.url}/app/cadre`);
      await scriptReady(page);
      // No weekly job has run: the notification came with the inspection itself.
      const notice = page.locator('#h-notices + ul li', { hasText: DESCRIPTION });
      await expect(notice.count()).resolves.toBe(1);
      await notice.locator('a').first().click();
      await page.waitForURL(`**/app/cadre/problems/${problemId}`);
      await scriptReady(page);
      // The "before" photo from the inspection is on the page.
      await expect(page.locator('.photo-strip img').count()).resolves.toBeGreaterThanOrEqual(1);

      await page.locator('form[data-form="rectification"] textarea').fill('已更换全部灭火器并登记检查台账');
      await page
        .locator('form[data-form="rectification"] input[type="file"]:not([capture])')
        .setInputFiles(after);
      await page.locator('.photo-preview img').waitFor({ state: 'visible' });
      await screenshot(page, 'story-2-rectification');
      await page.locator('form[data-form="rectification"] button[type="submit"]').click();
      await page.waitForURL('**/app/cadre/problems?done=rectification');
    });
    const detail = (await admin.get(`/problems/${problemId}`)).body;
    expect(detail.status).toBe('awaiting_verification');
    const rectification = detail.events.find((e: { kind: string }) => e.kind === 'rectification');
    expect(rectification.photos).toHaveLength(1);
  }, 120_000);

  it('3. the inspector sees before and after side by side and rejects with a reason and a kind', async () => {
    await asPerson({ sub: 'inspector-1', role: 'inspector' }, async (page) => {
      await page.goto(`${t.url}/app/inspector/verifications`);
      await scriptReady(page);
      const item = page.locator('.verify-item', { hasText: DESCRIPTION });
      await expect(item.locator('[data-photos="before"] img').count()).resolves.toBe(1);
      await expect(item.locator('[data-photos="after"] img').count()).resolves.toBe(1);

      // A rejection without a reason is refused, in words, and nothing is written.
      await item.locator('input[type="radio"][value="rejected"]').check();
      await item.locator('input[type="radio"][value="incomplete"]').check();
      await item.locator('button[type="submit"]').click();
      await expect(item.locator('[data-error-for="note"]').textContent()).resolves.toMatch(/复核意见|写明/);
      expect((await admin.get(`/problems/${problemId}`)).body.status).toBe('awaiting_verification');

      await item.locator('textarea').fill('现场只更换了一半灭火器，台账未登记');
      await screenshot(page, 'story-3-reject');
      await item.locator('button[type="submit"]').click();
      await page.waitForURL('**/app/inspector/verifications?done=incomplete');
    });
    const detail = (await admin.get(`/problems/${problemId}`)).body;
    expect(detail.status).toBe('open');
    const verification = detail.events.find((e: { kind: string }) => e.kind === 'verification');
    expect(verification).toMatchObject({ outcome: 'rejected', rejectionKind: 'incomplete' });
    expect(verification.note).toBe('现场只更换了一半灭火器，台账未登记');
  }, 120_000);

  it('4. HQ finds the problem from the board, sees its whole history and corrects the village name', async () => {
    // The board shows the week's provisional evaluation (the weekly-bulletin job for the current week).
    const run = await runJobNow(admin, 'weekly-bulletin', { week: isoWeekOfInstant(new Date()) });
    expect(run.status).toBe('succeeded');
    await asPerson(
      { sub: 'hq-admin', role: 'admin' },
      async (page) => {
        await page.goto(`${t.url}/app/admin/board`);
        const link = page.locator('main a', { hasText: DESCRIPTION }).first();
        // Still within its (new) deadline, it is among the matters on track, folded away.
        const folded = link.locator('xpath=ancestor::details[1]');
        if ((await folded.count()) > 0) await folded.locator('summary').click();
        await screenshot(page, 'story-4-board');
        await link.click();
        await page.waitForURL(`**/app/admin/problems/${problemId}`);

        const history = page.locator('.timeline');
        await expect(history.locator('.timeline-item').count()).resolves.toBeGreaterThanOrEqual(3);
        const text = await history.textContent();
        expect(text).toContain('发现问题');
        expect(text).toContain('报告整改');
        expect(text).toContain('整改不到位');
        expect(text).toContain('现场只更换了一半灭火器，台账未登记');
        // The photo of the finding and that of the rectification, each linking to the full photo.
        await expect(history.locator('.photo-strip img').count()).resolves.toBe(2);
        await screenshot(page, 'story-4-history');

        // The village is misspelt: HQ corrects it from the problem's page.
        await page.goto(`${t.url}/app/admin/roster/villages/${village}/edit`);
        await page.locator('input[name="name"]').fill('桃源村');
        await page.locator('form[data-form="roster-village-edit"] button[type="submit"]').click();
        await page.waitForURL((url) => !url.pathname.endsWith('/edit'));
        await page.goto(`${t.url}/app/admin/problems/${problemId}`);
        await expect(page.locator('main').textContent()).resolves.toContain('桃源村');
      },
      { desktop: true },
    );
    expect((await admin.get(`/villages/${village}`)).body.name).toBe('桃源村');
    // Audited, with before and after.
    const audit = (await admin.get(`/audit?entityType=village&entityId=${village}`)).body.items ?? [];
    expect(JSON.stringify(audit)).toContain('桃园村');
  }, 120_000);
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../functions/core/time.ts';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot, signIn } from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Markup typed into names and texts shows as text on every page that prints it, for every role, in
 * real Chromium: no script runs, no element is injected, and the characters are there to read. The
 * templates escape every value and the CSP forbids inline script; this checks both from outside.
 */
const EVIL_CADRE = '<img src=x onerror=alert(1)>李<script>alert(2)</script>';
const EVIL_VILLAGE = '"><svg onload=alert(3)>红旗村';
const EVIL_TOWNSHIP = "青石乡'><b>x</b>";
const EVIL_REPORT = '<script>alert(4)</script>水源告急';
const EVIL_PROBLEM = '<img src=x onerror=alert(5)>台账不全';
const EVIL_TITLE = '抗旱<iframe src=javascript:alert(6)>任务';

let t: TestStack;
let admin: Caller;
let browser: Browser;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');
let dispatchId = '';
let problemId = '';
let reportId = '';

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin', 'hq-admin');
  const inspector = await t.as('inspector', 'inspector-1');
  const me = await t.as('cadre', cadre);
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: EVIL_TOWNSHIP }],
    ['/villages', { id: village, name: EVIL_VILLAGE, townshipId: township, category: 'deep' }],
    [
      '/cadres',
      { id: cadre, name: EVIL_CADRE, unit: '<u>县水务局</u>', rank: 'section', townshipId: township },
    ],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ];
  await createAll(admin, setup);
  const dispatch = await admin.post('/dispatches', {
    title: EVIL_TITLE,
    category: '<i>防汛</i>',
    description: '<script>alert(7)</script>逐户核实',
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    assignees: [{ cadreId: cadre, villageId: village }],
  });
  expect(dispatch.status).toBe(201);
  dispatchId = dispatch.body.id;
  const inspection = await inspector.post('/inspections', {
    villageId: village,
    date: beijingDate(new Date()),
    mode: 'covert',
    findings: [
      { cadreId: cadre, present: true, problems: [{ description: EVIL_PROBLEM, severity: 'severe' }] },
    ],
  });
  expect(inspection.status).toBe(201);
  problemId = inspection.body.problemIds[0];
  expect((await me.post(`/problems/${problemId}/rectifications`, { note: '<b>已整改</b>' })).status).toBe(
    201,
  );
  const report = await me.post('/direct-reports', {
    villageId: village,
    kind: 'emergency',
    summary: EVIL_REPORT,
  });
  expect(report.status).toBe(201);
  reportId = report.body.id;
  // The daily sweep stores this week's provisional evaluation, which the board and circle show.
  expect((await runJobNow(admin, 'daily-sweep')).status).toBe('succeeded');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Opens each page and checks that nothing ran and nothing was injected; returns the page texts. */
async function visitAll(page: Page, paths: string[], shotPrefix: string): Promise<Map<string, string>> {
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(`${page.url()}: ${d.message()}`);
    await d.dismiss();
  });
  const texts = new Map<string, string>();
  for (const path of paths) {
    const res = await page.goto(`${t.url}${path}`);
    expect(res?.status(), path).toBeLessThan(400);
    const injected = await page.evaluate(
      () =>
        (globalThis as any).document.querySelectorAll(
          'img[src="x"], svg[onload], iframe, script:not([src]), b, i, u',
        ).length as number,
    );
    expect(injected, `elements injected on ${path}`).toBe(0);
    texts.set(path, (await page.locator('body').textContent()) ?? '');
  }
  await screenshot(page, `${shotPrefix}-xss`);
  expect(dialogs).toEqual([]);
  return texts;
}

describe('markup in names and texts', () => {
  it('shows as text on the sign-in page and every cadre page', async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await page.goto(`${t.url}/app/login`);
    const details = page.locator('details', { hasText: EVIL_TOWNSHIP });
    await details.locator('summary').click();
    expect(await details.textContent()).toContain(EVIL_CADRE);
    await signIn(page, t.url, cadre, 'cadre');
    const texts = await visitAll(
      page,
      [
        '/app/cadre',
        `/app/cadre/dispatches/${dispatchId}`,
        '/app/cadre/problems',
        `/app/cadre/problems/${problemId}`,
        '/app/cadre/direct-reports/new',
        '/app/cadre/standing',
      ],
      'cadre',
    );
    expect(texts.get('/app/cadre')).toContain(EVIL_CADRE);
    expect(texts.get('/app/cadre')).toContain(EVIL_VILLAGE);
    expect(texts.get('/app/cadre')).toContain(EVIL_TITLE);
    expect(texts.get(`/app/cadre/problems/${problemId}`)).toContain(EVIL_PROBLEM);
    expect(texts.get('/app/cadre/direct-reports/new')).toContain(EVIL_REPORT);
    await context.close();
  });

  it('shows as text on the inspector pages', async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await signIn(page, t.url, 'inspector-1', 'inspector');
    const texts = await visitAll(
      page,
      ['/app/inspector', `/app/inspector/villages/${village}`, '/app/inspector/verifications'],
      'inspector',
    );
    expect(texts.get('/app/inspector')).toContain(EVIL_VILLAGE);
    expect(texts.get(`/app/inspector/villages/${village}`)).toContain(EVIL_CADRE);
    expect(texts.get('/app/inspector/verifications')).toContain(EVIL_PROBLEM);
    await context.close();
  });

  it('shows as text on the HQ pages', async () => {
    const context = await newContext(browser, DESKTOP);
    const page = await context.newPage();
    await signIn(page, t.url, 'hq-admin', 'admin');
    const texts = await visitAll(
      page,
      [
        '/app/admin',
        '/app/admin/roster',
        '/app/admin/roster/cadres',
        '/app/admin/roster/villages',
        '/app/admin/roster/assignments',
        '/app/admin/dispatches',
        '/app/admin/dispatches/new',
        `/app/admin/dispatches/${dispatchId}`,
        '/app/admin/direct-reports',
        `/app/admin/direct-reports/${reportId}`,
        '/app/admin/board',
        '/app/admin/circle',
      ],
      'admin',
    );
    expect(texts.get('/app/admin/roster/cadres')).toContain(EVIL_CADRE);
    expect(texts.get('/app/admin/roster/villages')).toContain(EVIL_VILLAGE);
    expect(texts.get('/app/admin/dispatches/new')).toContain(EVIL_CADRE);
    expect(texts.get(`/app/admin/dispatches/${dispatchId}`)).toContain(EVIL_TITLE);
    expect(texts.get('/app/admin/direct-reports')).toContain(EVIL_REPORT);
    expect(texts.get('/app/admin/board')).toContain(EVIL_PROBLEM);
    await context.close();
  });
});

import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDefaultPdfRenderer } from '../../functions/adapters/documents/chromium.ts';
import { addDays, beijingDate, isoWeekOf, isoWeekRange } from '../../functions/core/time.ts';
import { weekDates } from '../../functions/core/week-words.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  newContext,
  PHONE,
  SCREENSHOT_DIR,
  screenshot,
  signedInPage,
  signIn,
  unlabelledInputs,
  watchErrors,
} from '../support/browser.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ's reports in real Chromium: a county of three townships evaluated over three weeks (the last by
 * the weekly job, so its bulletin and notices exist as PDFs), then the bulletin of that week with
 * its charts, the bulletin PDF and a talk notice PDF downloaded as a person does (the browser's
 * download, with the Chinese file name), the board and the circle. No axe violations, no script or
 * CSP errors; screenshots at desktop and phone size in test/.artifacts/screenshots (reports-*.png).
 */
let t: TestStack;
let api: Caller;
let inspector: Caller;
let browser: Browser;

const today = beijingDate(new Date());
const weeks = [3, 2, 1].map((n) => isoWeekOf(addDays(today, -7 * n)));
const lastWeek = weeks[2]!;
const mondayOf = (week: string) => isoWeekRange(week).monday;
const sundayOf = (week: string) => isoWeekRange(week).sunday;

const base = uid('T');
const townships = { east: `${base}a`, west: `${base}b`, south: `${base}c` };
const villages = { stone: uid('V'), water: uid('V'), pine: uid('V') };
const cadres = {
  zhao: uid('C'),
  qian: uid('C'),
  sun: uid('C'),
  li: uid('C'),
  zhou: uid('C'),
  wu: uid('C'),
};

async function inspect(villageId: string, date: string, findings: unknown[]) {
  const res = await inspector.post('/inspections', { villageId, date, mode: 'open', findings });
  expect(res.status).toBe(201);
  return res.body.problemIds as string[];
}

const minor = (description: string, rectifyBy: string) => ({ description, severity: 'minor', rectifyBy });

async function check(page: Page, name: string, errors: string[]): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityViolations(page), name).toEqual([]);
  expect(await unlabelledInputs(page), name).toEqual([]);
  expect(errors, name).toEqual([]);
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  // Talk notices issued by the weekly job as before talks were decisions (talks: web-talks.test.ts).
  const setting = await api.send(
    'PUT',
    '/settings/talks',
    JSON.stringify({ approvalRequired: false, holdWithinDays: 7 }),
    { 'content-type': 'application/json' },
  );
  expect(setting.status).toBe(200);
  inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: townships.east, name: '东山乡' }],
    ['/townships', { id: townships.west, name: '西河镇' }],
    ['/townships', { id: townships.south, name: '南岭镇' }],
    ['/villages', { id: villages.stone, name: '青石村', townshipId: townships.east, category: 'deep' }],
    ['/villages', { id: villages.water, name: '白水村', townshipId: townships.west, category: 'general' }],
    ['/villages', { id: villages.pine, name: '松林村', townshipId: townships.south, category: 'non' }],
    [
      '/cadres',
      { id: cadres.zhao, name: '赵红', unit: '县水务局', rank: 'section', townshipId: townships.east },
    ],
    [
      '/cadres',
      { id: cadres.qian, name: '钱绿', unit: '县农业农村局', rank: 'staff', townshipId: townships.west },
    ],
    [
      '/cadres',
      { id: cadres.sun, name: '孙严', unit: '县交通局', rank: 'staff', townshipId: townships.west },
    ],
    [
      '/cadres',
      { id: cadres.li, name: '李明', unit: '县教育局', rank: 'section', townshipId: townships.south },
    ],
    [
      '/cadres',
      { id: cadres.zhou, name: '周芳', unit: '县卫健局', rank: 'general', townshipId: townships.south },
    ],
    [
      '/cadres',
      { id: cadres.wu, name: '吴刚', unit: '县委组织部', rank: 'county', townshipId: townships.east },
    ],
    ['/assignments', { cadreId: cadres.zhao, villageId: villages.stone, role: 'chief' }],
    ['/assignments', { cadreId: cadres.wu, villageId: villages.stone, role: 'member' }],
    ['/assignments', { cadreId: cadres.qian, villageId: villages.water, role: 'chief' }],
    ['/assignments', { cadreId: cadres.sun, villageId: villages.water, role: 'member' }],
    ['/assignments', { cadreId: cadres.li, villageId: villages.pine, role: 'chief' }],
    ['/assignments', { cadreId: cadres.zhou, villageId: villages.pine, role: 'member' }],
  ];
  for (const [path, body] of setup) expect((await api.post(path, body)).status, path).toBe(201);

  // Three weeks ago: 赵红 and 李明 each get three problems (into the circle), 钱绿 is commended.
  const [w1, w2, w3] = weeks as [string, string, string];
  await inspect(villages.stone, addDays(mondayOf(w1), 1), [
    {
      cadreId: cadres.zhao,
      present: true,
      problems: [
        minor('水窖未清淤', addDays(sundayOf(w3), -3)),
        minor('台账不全', addDays(sundayOf(w3), 2)),
        minor('公示栏破损', addDays(sundayOf(w3), 20)),
      ],
    },
    { cadreId: cadres.wu, present: true, commend: true, problems: [] },
  ]);
  await inspect(villages.pine, addDays(mondayOf(w1), 2), [
    {
      cadreId: cadres.li,
      present: true,
      problems: [
        minor('危房改造进度滞后', addDays(sundayOf(w3), 9)),
        minor('低保名单未公示', addDays(sundayOf(w3), 9)),
        minor('入户走访记录缺失', addDays(sundayOf(w3), 1)),
      ],
    },
  ]);
  await evaluateAndStoreWeek(w1, { now: new Date() });

  // Two weeks ago: 周芳 one problem; the two in the circle stay.
  await inspect(villages.pine, addDays(mondayOf(w2), 3), [
    { cadreId: cadres.zhou, present: true, problems: [minor('村务公开栏未更新', addDays(sundayOf(w3), 8))] },
  ]);
  await evaluateAndStoreWeek(w2, { now: new Date() });

  // Last week: 赵红 two more (admonishment: deeper, a talk notice), 孙严 a severe problem and an
  // absence, 钱绿 commended; the weekly job evaluates it and renders its documents.
  await inspect(villages.stone, addDays(mondayOf(w3), 1), [
    {
      cadreId: cadres.zhao,
      present: true,
      problems: [
        minor('防汛物资未到位', addDays(sundayOf(w3), 12)),
        minor('会议记录不全', addDays(sundayOf(w3), 12)),
      ],
    },
  ]);
  await inspect(villages.water, addDays(mondayOf(w3), 2), [
    { cadreId: cadres.qian, present: true, commend: true, problems: [] },
    {
      cadreId: cadres.sun,
      present: false,
      problems: [
        { description: '路面塌陷未设警示', severity: 'severe', rectifyBy: addDays(sundayOf(w3), 5) },
      ],
    },
  ]);
  const run = await runJobNow(api, 'weekly-bulletin', { week: lastWeek });
  expect(run).toMatchObject({ status: 'succeeded', week: lastWeek });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await closeDefaultPdfRenderer();
  await t?.stop();
});

async function fileNameOf(kind: string, cadreId?: string): Promise<string> {
  const list = await api.get(`/notices?kind=${kind}&week=${lastWeek}`);
  const item = list.body.items.find((n: { cadreId?: string }) => (cadreId ? n.cadreId === cadreId : true));
  return `${item.fileName}.pdf`;
}

async function expectPdfDownload(page: Page, click: () => Promise<void>, name: string): Promise<void> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  expect(download.suggestedFilename()).toBe(name);
  const path = await download.path();
  const bytes = await readFile(path);
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
}

describe('HQ reports in a desktop browser', () => {
  it('opens last week’s bulletin with its charts and downloads the bulletin PDF and a talk notice PDF', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      { viewport: DESKTOP },
    );

    await page.goto(`${t.url}/app/admin/bulletins`);
    // The list names a bulletin by its issue and dates (2026年第1期（11月23日至29日））.
    const days = weekDates(lastWeek).replace(/^\d{4}年/, '');
    await page.getByRole('link', { name: new RegExp(`^\\d{4}年第\\d+期（${days}）$`) }).click();
    await page.waitForURL(`**/app/admin/bulletins/${lastWeek}`);
    for (const name of ['chart-problems', 'chart-tiers'])
      await expect(page.locator(`svg[data-chart="${name}"]`).isVisible()).resolves.toBe(true);
    // Three townships × two series; three weeks × four tiers.
    await expect(page.locator('svg[data-chart="chart-problems"] rect[data-series]').count()).resolves.toBe(6);
    await expect(page.locator('svg[data-chart="chart-tiers"] path[data-series]').count()).resolves.toBe(12);
    await check(page, 'reports-bulletin-desktop', errors);

    await expectPdfDownload(
      page,
      () => page.getByRole('link', { name: /^下载 PDF/ }).click(),
      await fileNameOf('bulletin'),
    );

    await page.goto(`${t.url}/app/admin/notices?kind=talkNotice`);
    // The cell's link reads "PDF：<title>" (the title is for screen readers, beside the visible PDF).
    const talk = page.getByRole('link', { name: /^PDF\s*：诫勉谈话通知书（赵红）$/ });
    await expectPdfDownload(page, () => talk.click(), await fileNameOf('talkNotice', cadres.zhao));
    expect(await fileNameOf('talkNotice', cadres.zhao)).toBe(
      `诫勉谈话通知书-赵红-${weekDates(lastWeek)}.pdf`,
    );
    await check(page, 'reports-notices-desktop', errors);
    await context.close();
  }, 120_000);

  it('renders the board, red first, and the circle', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: 'hq-admin', role: 'admin' },
      { viewport: DESKTOP },
    );

    await page.goto(`${t.url}/app/admin/board`);
    const colors = await page
      .locator('tr[data-matter]')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { color: string } }).dataset.color));
    // Overdue and severe first, then the two due within three days, then the rest.
    expect(colors.slice(0, 4)).toEqual(['red', 'red', 'yellow', 'yellow']);
    expect(colors.slice(4).every((c) => c === 'grey')).toBe(true);
    await check(page, 'reports-board-desktop', errors);

    await page.selectOption('#f-townshipId', townships.west);
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/townshipId=/);
    await expect(page.locator('tr[data-matter]').count()).resolves.toBe(1);

    await page.goto(`${t.url}/app/admin/circle`);
    await expect(page.locator('#h-deepened').textContent()).resolves.toContain('加重（1）');
    await expect(page.locator('#h-members').textContent()).resolves.toContain('在圈干部（2）');
    await check(page, 'reports-circle-desktop', errors);
    await context.close();
  }, 120_000);
});

describe('HQ reports on a 360 px phone', () => {
  it.each([
    ['board', '/app/admin/board'],
    ['circle', '/app/admin/circle'],
    ['bulletin', `/app/admin/bulletins/${lastWeek}`],
    ['notices', '/app/admin/notices'],
  ])(
    'the %s page fits the screen and passes axe',
    async (name, path) => {
      const { context, page, errors } = await signedInPage(browser, t.url, {
        sub: 'hq-admin',
        role: 'admin',
      });
      await page.goto(`${t.url}${path}`);
      expect(await horizontalOverflow(page)).toBe(0);
      await check(page, `reports-${name}-phone`, errors);
      await context.close();
    },
    60_000,
  );
});

describe('the current week, provisionally', () => {
  it('times a rectification verified this week in the resolution chart, beside last week', async () => {
    const open = await api.get(`/problems?cadreId=${cadres.zhao}&status=open`);
    const problem = open.body.items.find((p: { description: string }) => p.description === '公示栏破损');
    const cadre = await t.as('cadre', cadres.zhao);
    expect(
      (await cadre.post(`/problems/${problem.id}/rectifications`, { note: '已更换公示栏' })).status,
    ).toBe(201);
    expect(
      (await inspector.post(`/problems/${problem.id}/verifications`, { outcome: 'accepted', note: '属实' }))
        .status,
    ).toBe(201);
    const currentWeek = isoWeekOf(today);
    await evaluateAndStoreWeek(currentWeek, { now: new Date() });

    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const context = await newContext(browser, viewport);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await signIn(page, t.url, 'hq-admin', 'admin');
      await page.goto(`${t.url}/app/admin/bulletins/${currentWeek}`);
      await expect(
        page.locator('svg[data-chart="chart-resolution"] rect[data-series]').count(),
      ).resolves.toBe(2);
      await expect(page.locator('svg[data-chart="chart-tiers"] path[data-series]').count()).resolves.toBe(16);
      expect(await horizontalOverflow(page)).toBe(0);
      await page
        .locator('.report-charts')
        .screenshot({ path: `${SCREENSHOT_DIR}/reports-charts-${size}.png` });
      await check(page, `reports-bulletin-current-${size}`, errors);
      await context.close();
    }
  }, 120_000);
});

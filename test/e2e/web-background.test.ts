import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../functions/background/xlsx.ts';
import { workbook } from '../support/background.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  newContext,
  PHONE,
  screenshot,
  signIn,
  unlabelledInputs,
  watchErrors,
} from '../support/browser.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * HQ's background tasks in real Chromium: uploading a workbook with bad rows through the file input
 * and reading the row-by-row report, uploading the corrected file and watching the progress bar (the
 * page refreshes itself) reach the end, exporting a list and downloading it, starting a job from the
 * jobs page. No axe violations, no script or CSP errors; screenshots tasks-*.png in
 * test/.artifacts/screenshots.
 */
let t: TestStack;
let api: Caller;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CADRES = 600;
const VILLAGES = 60;

const ids = (n: number, prefix: string, width = 4) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
const villageIds = ids(VILLAGES, 'EV', 3);
const cadreIds = ids(CADRES, 'EC');

/** A county's roster: two townships, villages, cadres, a chief and members for every village. */
function roster(bad: boolean) {
  return workbook({
    乡镇: [
      ['编号', '名称'],
      ['ET1', '青石乡'],
      ['ET2', bad ? '' : '白云镇'],
    ],
    村: [
      ['编号', '名称', '所属乡镇编号', '类别', '户数'],
      ...villageIds.map((id, i) => [
        id,
        `第${i + 1}村`,
        i % 2 ? 'ET2' : 'ET1',
        ['深度贫困村', '一般贫困村', '非贫困村'][i % 3]!,
        String(200 + i),
      ]),
    ],
    干部: [
      ['编号', '姓名', '派出单位', '职级', '所在乡镇编号', '手机'],
      ...cadreIds.map((id, i) => [
        id,
        `干部${i + 1}`,
        `县直单位${(i % 12) + 1}`,
        bad && i === 41 ? '大队长' : ['县级领导', '科级', '股级', '一般干部'][i % 4]!,
        i % 2 ? 'ET2' : 'ET1',
        bad && i === 99 ? '1380013800' : `138${String(i).padStart(8, '0')}`,
      ]),
    ],
    包村关系: [
      ['干部编号', '村编号', '角色'],
      ...cadreIds.map((id, i) => [
        id,
        bad && i === 7 ? 'EV999' : villageIds[i % VILLAGES]!,
        i < VILLAGES ? '总队长' : '工作队员',
      ]),
    ],
  });
}

async function check(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityViolations(page), name).toEqual([]);
  expect(await unlabelledInputs(page), name).toEqual([]);
  expect(errors, name).toEqual([]);
}

/** The task page refreshes itself while the task runs; wait until it shows one of these states. */
async function waitForStatus(states: string[], timeout = 90_000): Promise<string> {
  const selector = states.map((s) => `[data-task-status="${s}"]`).join(', ');
  await page.locator(selector).first().waitFor({ timeout });
  return (await page.locator('[data-task-status]').getAttribute('data-task-status')) ?? '';
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  browser = await launchBrowser();
  context = await newContext(browser, DESKTOP);
  page = await context.newPage();
  errors = watchErrors(page);
  await signIn(page, t.url, 'hq-admin', 'admin');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('running a job now', { timeout: 120_000 }, () => {
  // First, while the roster is empty: the sweep then renders no appointment letters (Chromium, slow).
  it('starts the daily sweep in the background and shows it running, then done', async () => {
    await page.goto(`${t.url}/app/admin/jobs`);
    await check('tasks-jobs');
    await page.locator('#job-daily-sweep').getByRole('button', { name: '立即运行' }).click();
    await page.waitForURL(/\/app\/admin\/jobs\?started=/);
    await screenshot(page, 'tasks-jobs-started');
    // The page refreshes itself until the run is recorded as finished.
    await page
      .locator('#job-daily-sweep tr[data-just-started][data-run-status="green"]')
      .waitFor({ timeout: 100_000 });
    await check('tasks-jobs-done');
    const runs = await api.get('/jobs/daily-sweep/runs');
    expect(runs.body.items[0]).toMatchObject({
      trigger: 'api',
      requestedBy: 'hq-admin',
      status: 'succeeded',
    });
  });
});

describe('importing the roster', { timeout: 180_000 }, () => {
  it('refuses a workbook with bad rows, row by row, and writes nothing', async () => {
    await page.goto(`${t.url}/app/admin/tasks`);
    await check('tasks-list-empty');
    await page.getByRole('link', { name: '上传文件导入' }).click();
    await page.waitForURL('**/app/admin/tasks/import');
    await check('tasks-import-form');
    await page.setInputFiles('input[type="file"]', {
      name: '名册（有误）.xlsx',
      mimeType: XLSX,
      buffer: await roster(true),
    });
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/app\/admin\/tasks\/[0-9A-Z]{26}$/);
    expect(await waitForStatus(['refused', 'succeeded', 'failed'])).toBe('refused');
    const rows = await page.locator('.issue-table tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t').map((c) => c.trim()))).toEqual([
      ['乡镇', '3', '名称', '不能为空'],
      ['干部', '43', '职级', '请选择职级：县级领导、科级、股级或一般干部'],
      ['干部', '101', '手机', '电话号码格式不正确（手机号 11 位，或带区号的固定电话）'],
      ['包村关系', '9', '村编号', '村 EV999 不存在：本文件「村」表和系统中都没有'],
    ]);
    expect(await page.getByText('整份文件没有导入').count()).toBe(1);
    await check('tasks-refused');
    expect((await api.get('/townships/ET1')).status).toBe(404);
    expect((await api.get(`/cadres/${cadreIds[0]}`)).status).toBe(404);
  });

  it('imports the corrected file, the progress bar running to the end', async () => {
    await page.getByRole('link', { name: '重新上传' }).click();
    await page.waitForURL('**/app/admin/tasks/import');
    await page.setInputFiles('input[type="file"]', {
      name: '名册.xlsx',
      mimeType: XLSX,
      buffer: await roster(false),
    });
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/app\/admin\/tasks\/[0-9A-Z]{26}$/);
    // While it runs: a progress bar, refreshed every 2 s by the page itself.
    const seen = new Set<string>();
    const values: number[] = [];
    const deadline = Date.now() + 150_000;
    let state = '';
    while (Date.now() < deadline) {
      // The page changes only when it reloads itself (meta refresh): read each version once. Listened
      // for before reading, so a reload in between is not missed.
      const reloaded = page.waitForEvent('load', { timeout: 30_000 });
      reloaded.catch(() => {});
      state =
        (await page
          .locator('[data-task-status]')
          .getAttribute('data-task-status')
          .catch(() => '')) ?? '';
      seen.add(state);
      const value = await page
        .locator('#task-progress')
        .getAttribute('value')
        .catch(() => null);
      if (state === 'writing' && value !== null) {
        values.push(Number(value));
        if (values.length === 1) await screenshot(page, 'tasks-progress');
      }
      if (state === 'succeeded' || state === 'failed') break;
      await reloaded;
    }
    expect(state).toBe('succeeded');
    expect(seen.has('writing')).toBe(true);
    const total = 2 + VILLAGES + CADRES * 2;
    expect(await page.locator('#task-progress').getAttribute('max')).toBe(String(total));
    expect(await page.locator('#task-progress').getAttribute('value')).toBe(String(total));
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).toBe(true);
    expect(await page.getByText(`导入完成：共 ${total} 行全部处理完毕。`).count()).toBe(1);
    const counts = await page.locator('table').first().locator('tbody tr').allInnerTexts();
    expect(counts.map((r) => r.split('\t').map((c) => c.trim()))).toEqual([
      ['乡镇', '2', '2', '0'],
      ['村', String(VILLAGES), String(VILLAGES), '0'],
      ['干部', String(CADRES), String(CADRES), '0'],
      ['包村关系', String(CADRES), String(CADRES), '0'],
    ]);
    await check('tasks-succeeded');
    expect((await api.get(`/cadres/${cadreIds[CADRES - 1]}`)).body.name).toBe(`干部${CADRES}`);
    const coverage = await api.get('/coverage');
    expect(coverage.body.counts).toMatchObject({ villagesWithoutChief: 0 });
  });
});

describe('exporting a list', { timeout: 120_000 }, () => {
  it('starts from the tasks page and downloads the .xlsx', async () => {
    await page.goto(`${t.url}/app/admin/tasks`);
    await page.selectOption('#f-list', 'cadres');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    await page.waitForURL(/\/app\/admin\/tasks\/[0-9A-Z]{26}$/);
    expect(await waitForStatus(['succeeded', 'failed'])).toBe('succeeded');
    await check('tasks-export-done');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /下载 干部名单-/ }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^干部名单-\d{8}-\d{4}\.xlsx$/);
    const [sheet] = await readWorkbook(readFileSync((await file.path())!));
    expect(sheet!.rows).toHaveLength(CADRES + 1);
    expect(sheet!.rows[1]!.cells.slice(0, 2)).toEqual([cadreIds[0], '干部1']);
  });

  it('lists the tasks with their outcome', async () => {
    await page.goto(`${t.url}/app/admin/tasks`);
    const rows = await page.locator('.task-table tbody tr').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('干部名单');
    expect(rows[2]).toContain('未导入：数据有误');
    await check('tasks-list');
  });

  it('fits a phone', async () => {
    const phone = await newContext(browser, PHONE);
    const small = await phone.newPage();
    await signIn(small, t.url, 'hq-admin', 'admin');
    await small.goto(`${t.url}/app/admin/tasks`);
    expect(await horizontalOverflow(small)).toBe(0);
    await screenshot(small, 'tasks-list-phone');
    await phone.close();
  });
});

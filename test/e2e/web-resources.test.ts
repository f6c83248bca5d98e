// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../functions/core/time.ts';
import {
  accessibilityViolations,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  screenshot,
  signedInPage,
  unlabelledInputs,
  waitForDeliveriesSettled,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The team leader's powers in real Chromium (docs/quotas.md): HQ, on a desktop, approves a chief's
 * sanction (削减 30%) against a verified violation report and sees the village's quota fall in the
 * ledger; a chief, on a 360 px phone, proposes their village's priority for 抗旱物资.
 */
let t: TestStack;
let admin: Caller;
let browser: Browser;
const period = beijingDate(new Date()).slice(0, 7);
const township = uid('T');
const village = uid('V');
const chiefId = uid('C');
let sanctionId: string;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: chiefId, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/assignments', { cadreId: chiefId, villageId: village, role: 'chief' }],
  ]);
  const chief = await t.as('cadre', chiefId);
  const inspector = await t.as('inspector');
  const proposal = await chief.post('/allocations', {
    resourceKind: 'drought-relief',
    period,
    villageId: village,
    priority: 1,
    note: '饮水困难',
  });
  expect(proposal.status).toBe(201);
  expect(
    (await admin.post(`/allocations/${proposal.body.id}/decide`, { decision: 'grant', quantity: 100 }))
      .status,
  ).toBe(200);
  const report = await chief.post('/direct-reports', {
    villageId: village,
    kind: 'violation',
    summary: '三组村民私自筑坝截水',
  });
  expect(report.status).toBe(201);
  expect(
    (
      await inspector.post(`/direct-reports/${report.body.id}/verify`, {
        verdict: 'confirmed',
        note: '现场查看属实',
      })
    ).status,
  ).toBe(201);
  const sanction = await chief.post('/sanctions', {
    villageId: village,
    kind: 'reduce',
    share: 0.3,
    from: `${period}-01`,
    to: `${period}-28`,
    reason: '私自截水，破坏用水秩序',
    directReportId: report.body.id,
  });
  expect(sanction.status).toBe(201);
  sanctionId = sanction.body.id;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('HQ on a desktop', () => {
  it('approves the sanction and sees the quota in the ledger fall from 100 吨 to 70 吨', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: admin.sub, role: 'admin' },
      { viewport: DESKTOP },
    );
    await page.goto(`${t.url}/app/admin/quotas?villageId=${village}`);
    expect(await page.locator('table.quota-ledger').innerText()).toContain('100 吨');

    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '资源分配' }).click();
    await page.waitForURL(/\/app\/admin\/allocations$/);
    await page.getByRole('navigation', { name: '资源分配' }).getByRole('link', { name: '约束措施' }).click();
    const row = page.locator('tr', { hasText: '红旗村' });
    expect(await row.innerText()).toContain('待审批');
    expect(await accessibilityViolations(page)).toEqual([]);
    await row.getByRole('link', { name: /审批/ }).click();
    await page.waitForURL(new RegExp(`/app/admin/sanctions/${sanctionId}$`));
    expect(await page.locator('.facts').innerText()).toContain('现场查看属实');
    expect(await unlabelledInputs(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('#f-note', '同意削减');
    await page.getByRole('button', { name: '批准约束' }).click();
    await page.waitForURL(/done=approved/);
    expect(await page.getByText('已批准，约束已计入配额台账。').isVisible()).toBe(true);
    expect((await admin.get(`/sanctions/${sanctionId}`)).body.status).toBe('approved');

    await page.getByRole('link', { name: '该村配额台账' }).click();
    await page.waitForURL(/\/app\/admin\/quotas\?villageId=/);
    const ledger = await page.locator('table.quota-ledger').innerText();
    expect(ledger).toContain('70 吨');
    expect(ledger).toContain('削减额度 30%');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-quotas');

    // The village's page carries the same ledger and the sanction.
    await page.locator('table.quota-ledger').getByRole('link', { name: '红旗村' }).click();
    await page.waitForURL(new RegExp(`/app/admin/villages/${village}$`));
    expect(await page.locator('section[aria-labelledby="h-sanctions"]').innerText()).toContain('已批准');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the chief on a phone', () => {
  it('proposes the village’s priority for 抗旱物资 and sees it waiting for HQ', async () => {
    const { context, page, errors } = await signedInPage(
      browser,
      t.url,
      { sub: chiefId, role: 'cadre' },
      { viewport: PHONE },
    );
    await page.goto(`${t.url}/app/cadre`);
    await page.getByRole('link', { name: '资源分配建议' }).click();
    await page.waitForURL(/\/app\/cadre\/allocations$/);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await unlabelledInputs(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Checked as typed with the API's own schema and message.
    await page.fill('#f-priority', '0');
    await page.fill('#f-note', '玉米拔节期缺水');
    await page.getByRole('button', { name: '提出建议' }).click();
    await expect
      .poll(() => page.locator('[data-error-for="priority"]').innerText())
      .toBe('优先顺序至少为 1（1 为最优先）');

    await page.fill('#f-priority', '2');
    await page.fill('#f-quantity', '60');
    await page.getByRole('button', { name: '提出建议' }).click();
    await page.waitForURL(/done=proposed/);
    await waitForDeliveriesSettled(page);
    expect(await page.getByText('建议已送达指挥部，等待决定。').isVisible()).toBe(true);
    const mine = await admin.get(`/allocations?villageId=${village}&status=proposed`);
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ priority: 2, requestedQuantity: 60 });
    expect(await page.locator('ul.list').innerText()).toContain('待决定');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'cadre-allocations');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

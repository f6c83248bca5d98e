import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../functions/accounts/service.ts';
import {
  accessibilityViolations,
  DESKTOP,
  launchBrowser,
  newContext,
  PHONE,
  screenshot,
  unlabelledInputs,
  watchErrors,
} from '../support/browser.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * County mode in real Chromium: the sign-in page has no user list; a cadre signs in with the initial
 * password from a slip, is made to choose their own, and lands on their home; HQ opens accounts for
 * a township's roster cadres at once and gets a page of slips to print.
 */
let t: TestStack;
let admin: Caller;
let browser: Browser;
const township = uid('T');
const cadres = [uid('C'), uid('C'), uid('C')];
const adminUser = uid('hq').toLowerCase();
const adminPassword = `hq-${randomUUID().slice(0, 12)}`;
/** A refused sign-in or password form answers 400/401 on purpose; Chromium logs that status. */
const REFUSED_FORM = [/status of 40[01]/];

beforeAll(async () => {
  t = await startTestStack({ mode: 'county' });
  admin = await t.as('admin', uid('setup'));
  expect((await admin.post('/townships', { id: township, name: '青石乡' })).status).toBe(201);
  for (const [i, id] of cadres.entries()) {
    const res = await admin.post('/cadres', {
      id,
      name: ['李明', '王芳', '张伟'][i],
      unit: '县农业农村局',
      rank: 'staff',
      townshipId: township,
    });
    expect(res.status).toBe(201);
  }
  await createAccount(
    { username: adminUser, role: 'admin', name: '县指挥部', password: adminPassword },
    { actor: 'test-setup', roles: ['admin'], routeKey: 'test', requestId: randomUUID() },
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('county sign-in', () => {
  it('shows a user name and password form, no user list, and refuses a wrong password in plain words', async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    const errors = watchErrors(page, REFUSED_FORM);
    await page.goto(`${t.url}/app/login`);
    expect(await page.locator('button[name="sub"]').count()).toBe(0);
    expect(await page.locator('form[action="/local/token"]').count()).toBe(0);
    await page.fill('input[name="username"]', adminUser);
    await page.fill('input[name="password"]', 'not-my-password');
    await page.click('form.login-form button[type="submit"]');
    await expect.poll(() => page.locator('[data-form-error]').textContent()).toContain('用户名或密码不正确');
    expect(await page.inputValue('input[name="password"]')).toBe('');
    expect(await page.inputValue('input[name="username"]')).toBe(adminUser);
    await screenshot(page, 'county-login');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await unlabelledInputs(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('takes a cadre from the initial password on a slip to their own password and their home', async () => {
    const made = await admin.post('/accounts', {
      username: cadres[0]!.toLowerCase(),
      role: 'cadre',
      cadreId: cadres[0],
    });
    expect(made.status).toBe(201);
    const initial = made.body.initialPassword as string;
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    const errors = watchErrors(page, REFUSED_FORM);
    await page.goto(`${t.url}/app/cadre`);
    await page.waitForURL(/\/app\/login/);
    await page.fill('input[name="username"]', cadres[0]!.toUpperCase());
    await page.fill('input[name="password"]', initial);
    await page.click('form.login-form button[type="submit"]');
    await page.waitForSelector('h1:has-text("修改初始密码")');
    expect(await page.inputValue('input[name="username"]')).toBe(cadres[0]!.toLowerCase());
    await screenshot(page, 'county-first-password');
    expect(await accessibilityViolations(page)).toEqual([]);

    // A common password is refused beside the field; the page keeps no password.
    await page.fill('input[name="password"]', initial);
    await page.fill('input[name="newPassword"]', 'woaini1314');
    await page.fill('input[name="repeat"]', 'woaini1314');
    await page.click('form.login-form button[type="submit"]');
    await expect.poll(() => page.locator('[data-error-for="newPassword"]').textContent()).toContain('太常见');

    await page.fill('input[name="password"]', initial);
    await page.fill('input[name="newPassword"]', 'qingshan-hepan-2026');
    await page.fill('input[name="repeat"]', 'qingshan-hepan-2026');
    await page.click('form.login-form button[type="submit"]');
    await page.waitForURL(/\/app\/cadre$/);
    expect(await page.locator('.who').textContent()).toContain('李明');
    const cookie = (await context.cookies()).find((c) => c.name === 'bc_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.secure).toBe(false); // plain http: a Secure cookie would never come back

    // Signed out, the initial password no longer works; the new one does.
    await page.goto(`${t.url}/app/logout`);
    await page.fill('input[name="username"]', cadres[0]!.toLowerCase());
    await page.fill('input[name="password"]', 'qingshan-hepan-2026');
    await page.click('form.login-form button[type="submit"]');
    await page.waitForURL(/\/app\/cadre$/);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('HQ accounts page', () => {
  it('opens accounts for a whole township at once and prints one slip per person', async () => {
    const context = await newContext(browser, DESKTOP);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${t.url}/app/login`);
    await page.fill('input[name="username"]', adminUser);
    await page.fill('input[name="password"]', adminPassword);
    await page.click('form.login-form button[type="submit"]');
    await page.waitForURL(/\/app\/admin$/);

    await page.click('nav a:has-text("账号")');
    await page.waitForURL(/\/app\/admin\/accounts$/);
    expect(await page.locator(`tr[data-account="${adminUser}"]`).count()).toBe(1);
    await screenshot(page, 'county-accounts');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.click('a:has-text("为花名册干部批量开通账号")');
    await page.waitForURL(/\/batch$/);
    // The cadre who already has an account is not offered again.
    expect(await page.locator(`input[name="cadreId"][value="${cadres[0]}"]`).count()).toBe(0);
    await page.check(`input[name="township"][value="${township}"]`);
    await page.click('form.batch-accounts button[type="submit"]');
    await page.waitForSelector('ol.slips');
    const slips = page.locator('li.slip');
    expect(await slips.count()).toBe(2);
    const usernames = await page.locator('.slip-username').allTextContents();
    expect(usernames.sort()).toEqual([cadres[1]!, cadres[2]!].map((c) => c.toLowerCase()).sort());
    const passwords = await page.locator('.slip-password').allTextContents();
    for (const p of passwords) expect(p).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    expect(await slips.first().textContent()).toContain(`${t.url}/app/login`);
    expect(await slips.first().textContent()).toContain('第一次登录时须修改');
    await screenshot(page, 'county-slips');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Printed, each slip is a box of its own that never breaks across pages.
    await page.emulateMedia({ media: 'print' });
    const printed = await slips.first().evaluate((el: any) => {
      const style = (globalThis as any).getComputedStyle(el);
      return { border: style.borderTopStyle, breakInside: style.breakInside };
    });
    expect(printed).toEqual({ border: 'dashed', breakInside: 'avoid' });
    expect(await page.locator('.no-print').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });

    // A password from a slip works (and must be changed first).
    const res = await fetch(`${t.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: usernames[0], password: passwords[0] }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const list = await admin.get('/accounts');
    const states = list.body.items
      .filter((a: { cadreId?: string }) => cadres.includes(a.cadreId ?? ''))
      .map((a: { state: string }) => a.state);
    expect(states.sort()).toEqual(['active', 'must-change', 'must-change']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('resets a password onto a new slip and disables an account', async () => {
    const context = await newContext(browser, DESKTOP);
    const page = await context.newPage();
    await page.goto(`${t.url}/app/login`);
    await page.fill('input[name="username"]', adminUser);
    await page.fill('input[name="password"]', adminPassword);
    await page.click('form.login-form button[type="submit"]');
    await page.waitForURL(/\/app\/admin$/);
    await page.goto(`${t.url}/app/admin/accounts`);
    const row = page.locator(`tr[data-account="${cadres[1]!.toLowerCase()}"]`);
    await row.locator('button:has-text("重置密码")').click();
    await page.waitForSelector('ol.slips');
    expect(await page.locator('li.slip').count()).toBe(1);
    await page.goto(`${t.url}/app/admin/accounts`);
    await page.locator(`tr[data-account="${cadres[2]!.toLowerCase()}"] button:has-text("停用")`).click();
    await page.waitForURL(/disabled=/);
    expect(await page.locator(`tr[data-account="${cadres[2]!.toLowerCase()}"]`).textContent()).toContain(
      '已停用',
    );
    // No disable button for one's own account.
    expect(await page.locator(`tr[data-account="${adminUser}"] button:has-text("停用")`).count()).toBe(0);
    await context.close();
  });
});

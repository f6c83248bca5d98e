import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, PHONE, signIn, watchErrors } from '../support/browser.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, tempDataDir, uid } from '../support/local-stack.ts';
import { selfSignedCertificate } from '../support/tls.ts';

/**
 * A phone on the county's LAN: the server is reached by a LAN name (`baocun.lan`, mapped to this
 * machine in Chromium), not localhost. Over plain http a cadre signs in, submits a form and signs
 * out (the session cookie really goes: no `Secure` on plain http); over https with the server's own
 * certificate (TLS_CERT/TLS_KEY) the service worker takes over and a report made without signal is
 * delivered exactly once when the signal returns.
 */
const LAN = 'baocun.lan';
const NETWORK_NOISE = [
  /ERR_INTERNET_DISCONNECTED/,
  /ERR_CONNECTION_RESET/,
  /ERR_FAILED/,
  /Failed to load resource: net::/,
];

let browser: Browser;
const certDir = tempDataDir();

afterAll(async () => {
  await browser?.close();
  certDir.remove();
});

beforeAll(async () => {
  browser = await launchBrowser([
    `--host-resolver-rules=MAP ${LAN} 127.0.0.1`,
    // The test's self-signed certificate; a county installs its own CA on the phones instead.
    '--ignore-certificate-errors',
  ]);
}, 60_000);

interface County {
  t: TestStack;
  admin: Caller;
  cadre: string;
  dispatchId: string;
  dispatchHref: string;
  /** The site as the phone addresses it. */
  site: string;
}

async function county(tls?: { cert: Buffer; key: Buffer }): Promise<County> {
  const t = await startTestStack({ allowedHosts: LAN, ...(tls ? { tls } : {}) });
  const admin = await t.as('admin');
  const township = uid('T');
  const village = uid('V');
  const cadre = uid('C');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  const dispatch = await issueDispatch(admin, [{ cadreId: cadre, villageId: village }], { daysAhead: 3 });
  return {
    t,
    admin,
    cadre,
    dispatchId: dispatch.id,
    dispatchHref: `/app/cadre/dispatches/${encodeURIComponent(dispatch.id)}?village=${encodeURIComponent(village)}`,
    site: `${tls ? 'https' : 'http'}://${LAN}:${new URL(t.url).port}`,
  };
}

async function reports(c: County): Promise<string[]> {
  const res = await c.admin.get(`/dispatches/${c.dispatchId}`);
  expect(res.status).toBe(200);
  return (res.body.reports as Array<{ cadreId: string; note: string }>)
    .filter((r) => r.cadreId === c.cadre)
    .map((r) => r.note);
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === 'bc_session');
}

describe('over plain http under a LAN name', () => {
  let c: County;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    c = await county();
    context = await newContext(browser, PHONE);
    page = await context.newPage();
    errors = watchErrors(page, NETWORK_NOISE);
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await c?.t.stop();
  });

  it('signs in with one tap (dev mode): a session cookie without Secure', async () => {
    await signIn(page, c.site, c.cadre, 'cadre');
    expect(new URL(page.url()).host).toBe(new URL(c.site).host);
    const cookie = await sessionCookie(context);
    expect(cookie).toBeDefined();
    expect(cookie?.secure).toBe(false);
    expect(cookie?.httpOnly).toBe(true);
  });

  it('submits a form: the report reaches the server (the same-origin check uses http://baocun.lan)', async () => {
    const before = await reports(c);
    await page.goto(`${c.site}${c.dispatchHref}`);
    await page.fill('#f-note', '局域网填报：已逐户核实。');
    await page.locator('form[data-form="dispatch-report"] button[type="submit"]').click();
    await page.waitForURL((u) => u.searchParams.has('done'));
    await expect.poll(() => reports(c), { timeout: 15_000 }).toHaveLength(before.length + 1);
    expect((await reports(c)).at(-1)).toBe('局域网填报：已逐户核实。');
    expect(errors).toEqual([]);
  });

  it('signs out: the session cookie is gone, the pages ask to sign in again', async () => {
    await page.goto(`${c.site}/app/cadre`);
    await page.locator('a[href="/app/logout"]').first().click();
    await page.waitForURL((u) => u.pathname === '/app/login');
    expect(await sessionCookie(context)).toBeUndefined();
    await page.goto(`${c.site}/app/cadre`);
    expect(new URL(page.url()).pathname).toBe('/app/login');
  });
});

describe('over https with the server’s own certificate', () => {
  let c: County;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const cert = selfSignedCertificate(certDir.path, { dns: [LAN], ips: ['127.0.0.1'] });
    // This test's own API calls (setup, checks) go to the same self-signed server; only in this worker.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    c = await county({ cert: cert.cert, key: cert.key });
    context = await newContext(browser, PHONE, { ignoreHTTPSErrors: true });
    page = await context.newPage();
    watchErrors(page, NETWORK_NOISE);
    await signIn(page, c.site, c.cadre, 'cadre');
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await c?.t.stop();
  });

  it('sets a Secure session cookie and the service worker takes over the pages', async () => {
    expect((await sessionCookie(context))?.secure).toBe(true);
    await page.goto(`${c.site}/app/cadre`);
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 })
      .toBe(true);
  });

  it('a report made without signal is kept on the phone and delivered exactly once when it returns', async () => {
    await expect
      .poll(
        () =>
          page.evaluate(
            async (url: string) => Boolean(await caches.match(url, { cacheName: 'baocun-pages' })),
            c.dispatchHref,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    const before = await reports(c);
    await context.setOffline(true);
    const response = await page.goto(`${c.site}${c.dispatchHref}`);
    expect(response?.fromServiceWorker()).toBe(true);
    await page.fill('#f-note', '离线填报（https）：送水车已到村。');
    await page.locator('form[data-form="dispatch-report"] button[type="submit"]').click();
    await expect
      .poll(() => page.locator('form[data-form="dispatch-report"] [data-queued]').isVisible())
      .toBe(true);
    expect(await reports(c)).toEqual(before);

    await context.setOffline(false);
    await expect.poll(() => page.locator('#outbox').isVisible(), { timeout: 30_000 }).toBe(false);
    await expect.poll(() => reports(c), { timeout: 30_000 }).toHaveLength(before.length + 1);
    // Nothing is left waiting on the device, and no second copy arrives from the service worker.
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.ready;
          return registration.active?.state;
        }),
      )
      .toBe('activated');
    expect((await reports(c)).filter((n) => n.startsWith('离线填报（https）'))).toHaveLength(1);
  }, 90_000);
});

// The callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const navigator: any;
declare const caches: any;

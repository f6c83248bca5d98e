import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { startLocalStack } from '../../infra/local/runtime.ts';
import { seedDemo } from '../../infra/local/seed-demo-data.ts';
import { launchBrowser, PHONE } from '../support/browser.ts';
import { signInPages } from '../support/pages.ts';
import { kb, ms, table } from './stats.ts';

/**
 * `npm run bench -- --only pages`: what each main page costs a person on a slow connection, in real
 * Chromium against the local stack with the demo county:
 * - bytes transferred on a first visit with an empty cache (HTML, CSS, scripts, icon, manifest, headers
 *   included: CDP's encodedDataLength), split into what the page needs and what the service worker
 *   then fetches in the background to work offline later (the offline page, the forms it links to);
 * - time to first byte, DOMContentLoaded, load, and time to interactive: the moment the page's script
 *   has wired its forms (performance mark `baocun-interactive`), or load for a page without script;
 * - under emulated networks (Chrome DevTools protocol, applied to the page and its requests) and a CPU
 *   slowed 4× like a cheap phone; median of `runs` fresh visits per page.
 */
export interface NetworkProfile {
  name: string;
  downloadKbps: number;
  uploadKbps: number;
  latencyMs: number;
  cpuSlowdown: number;
}

export const PROFILES: NetworkProfile[] = [
  {
    name: '3G (1.6 Mbps, 150 ms RTT, CPU ×4)',
    downloadKbps: 1600,
    uploadKbps: 750,
    latencyMs: 150,
    cpuSlowdown: 4,
  },
  {
    name: '2G (250 kbps, 300 ms RTT, CPU ×4)',
    downloadKbps: 250,
    uploadKbps: 100,
    latencyMs: 300,
    cpuSlowdown: 4,
  },
];

/** The budget the issue sets for a cadre's pages: under 50 KB transferred before anything is cached. */
export const CADRE_PAGE_BUDGET_BYTES = 50 * 1024;

interface PageTarget {
  role: 'cadre' | 'inspector' | 'admin';
  label: string;
  path: string;
}

export interface PageFigures {
  target: PageTarget;
  profile: string;
  pageBytes: number;
  requests: number;
  backgroundBytes: number;
  ttfbMs: number;
  dclMs: number;
  loadMs: number;
  interactiveMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[s.length >> 1]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
    : Number.NaN;
};

async function firstLink(
  page: Page,
  base: string,
  path: string,
  selector: string,
): Promise<string | undefined> {
  await page.goto(`${base}${path}`);
  const href = await page
    .locator(selector)
    .first()
    .getAttribute('href')
    .catch(() => null);
  return href ?? undefined;
}

/** The pages to measure; ids come from the demo county's own links. */
async function targets(context: BrowserContext, base: string): Promise<PageTarget[]> {
  const page = await context.newPage();
  const out: PageTarget[] = [
    { role: 'cadre', label: 'cadre home', path: '/app/cadre' },
    { role: 'cadre', label: 'cadre problems', path: '/app/cadre/problems' },
    { role: 'cadre', label: 'cadre direct report form', path: '/app/cadre/direct-reports/new' },
    { role: 'cadre', label: 'cadre standing', path: '/app/cadre/standing' },
  ];
  const dispatch = await firstLink(page, base, '/app/cadre', 'a.row-link[href*="/dispatches/"]');
  if (dispatch) out.splice(1, 0, { role: 'cadre', label: 'cadre dispatch report form', path: dispatch });
  const problem = await firstLink(page, base, '/app/cadre/problems', 'a.row-link[href*="/problems/"]');
  if (problem) out.splice(3, 0, { role: 'cadre', label: 'cadre rectification form', path: problem });
  await page.close();
  out.push(
    { role: 'inspector', label: 'inspector villages', path: '/app/inspector' },
    { role: 'inspector', label: 'inspector verification queue', path: '/app/inspector/verifications' },
    { role: 'admin', label: 'admin home', path: '/app/admin' },
    { role: 'admin', label: 'admin roster', path: '/app/admin/roster' },
    { role: 'admin', label: 'admin board', path: '/app/admin/board' },
  );
  return out;
}

async function visit(
  context: BrowserContext,
  base: string,
  target: PageTarget,
  profile: NetworkProfile,
): Promise<Omit<PageFigures, 'target' | 'profile'>> {
  const page = await context.newPage();
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: profile.latencyMs,
    downloadThroughput: (profile.downloadKbps * 1000) / 8,
    uploadThroughput: (profile.uploadKbps * 1000) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpuSlowdown });
  const finished = new Map<string, number>();
  let loaded = false;
  let background = 0;
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    if (loaded) background += e.encodedDataLength;
    else finished.set(e.requestId, e.encodedDataLength);
  });
  // The service worker's own fetches (offline page, linked forms) are a separate target.
  const swBytes: number[] = [];
  const onSw = async (response: {
    request(): {
      sizes(): Promise<{ responseBodySize: number; responseHeadersSize: number }>;
      serviceWorker(): unknown;
    };
  }) => {
    if (!response.request().serviceWorker()) return;
    const s = await response
      .request()
      .sizes()
      .catch(() => undefined);
    if (s) swBytes.push(s.responseBodySize + s.responseHeadersSize);
  };
  context.on('response', onSw as never);
  await page.goto(`${base}${target.path}`, { waitUntil: 'load' });
  const timing = await page.evaluate(async () => {
    const deadline = Date.now() + 20_000;
    while (!performance.getEntriesByName('baocun-interactive').length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const nav = (performance as any).getEntriesByType('navigation')[0] as {
      responseStart: number;
      domContentLoadedEventEnd: number;
      loadEventEnd: number;
    };
    const mark = performance.getEntriesByName('baocun-interactive')[0];
    return {
      ttfb: nav.responseStart,
      dcl: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      interactive: mark ? Math.max(mark.startTime, 0) : nav.loadEventEnd,
    };
  });
  loaded = true;
  await page.waitForTimeout(3000); // let the service worker install and fetch ahead
  context.off('response', onSw as never);
  const pageBytes = [...finished.values()].reduce((a, b) => a + b, 0);
  await page.close();
  return {
    pageBytes,
    requests: finished.size,
    backgroundBytes: background + swBytes.reduce((a, b) => a + b, 0),
    ttfbMs: timing.ttfb,
    dclMs: timing.dcl,
    loadMs: timing.load,
    interactiveMs: timing.interactive,
  };
}

export async function benchPages(options: {
  runs: number;
  log: (line: string) => void;
}): Promise<PageFigures[]> {
  process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
  // One log line per page request would drown the figures.
  process.env.LOG_SILENT = '1';
  const stack = await startLocalStack({ dataDir: undefined, port: 0, scheduler: false });
  const browser = await launchBrowser();
  try {
    options.log('   seeding the demo county through the API …');
    await seedDemo({ url: stack.url });
    const cookies: Record<string, string> = {};
    for (const [role, sub] of [
      ['cadre', 'C001'],
      ['inspector', 'inspector-1'],
      ['admin', 'hq-admin'],
    ] as const) {
      cookies[role] = (await signInPages(stack.url, sub, role)).cookie.split('=').slice(1).join('=');
    }
    const host = new URL(stack.url).hostname;
    const contextFor = async (role: string) => {
      const context = await browser.newContext({
        viewport: PHONE,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      await context.addCookies([
        {
          name: 'bc_session',
          value: cookies[role]!,
          domain: host,
          path: '/',
          httpOnly: true,
          sameSite: 'Lax',
        },
      ]);
      return context;
    };
    const discover = await contextFor('cadre');
    const list = await targets(discover, stack.url);
    await discover.close();
    const results: PageFigures[] = [];
    for (const profile of PROFILES) {
      for (const target of list) {
        const samples: Array<Omit<PageFigures, 'target' | 'profile'>> = [];
        for (let i = 0; i < options.runs; i++) {
          // A fresh context per visit: empty HTTP cache, no service worker yet — a first visit.
          const context = await contextFor(target.role);
          samples.push(await visit(context, stack.url, target, profile));
          await context.close();
        }
        results.push({
          target,
          profile: profile.name,
          pageBytes: median(samples.map((s) => s.pageBytes)),
          requests: median(samples.map((s) => s.requests)),
          backgroundBytes: median(samples.map((s) => s.backgroundBytes)),
          ttfbMs: median(samples.map((s) => s.ttfbMs)),
          dclMs: median(samples.map((s) => s.dclMs)),
          loadMs: median(samples.map((s) => s.loadMs)),
          interactiveMs: median(samples.map((s) => s.interactiveMs)),
        });
      }
    }
    return results;
  } finally {
    await browser.close();
    await stack.stop();
  }
}

export function pagesTable(results: PageFigures[]): string {
  return table([
    [
      'page',
      'network',
      'transferred',
      'requests',
      'then in background',
      'TTFB ms',
      'DCL ms',
      'load ms',
      'interactive ms',
    ],
    ...results.map((r) => [
      r.target.label,
      r.profile.split(' ')[0]!,
      kb(r.pageBytes),
      String(r.requests),
      kb(r.backgroundBytes),
      ms(r.ttfbMs, 0),
      ms(r.dclMs, 0),
      ms(r.loadMs, 0),
      ms(r.interactiveMs, 0),
    ]),
  ]);
}

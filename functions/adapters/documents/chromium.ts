import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import type { PdfRenderer } from '../../documents/render.ts';

/**
 * PDF through a headless Chromium (Debian's /usr/bin/chromium locally, driven by playwright-core).
 * The CSS page rules (A4, GB/T 9704 margins, "— 1 —" page numbers in @page margin boxes) decide the
 * layout, so no header or footer template is used. Fonts come from the system (fonts-noto-cjk,
 * fonts-noto-cjk-extra) and Chromium embeds the subsets it uses in the PDF.
 *
 * One browser per process, started on first use, with one offline, script-free context; each
 * document gets its own page (the HTML is self-contained: inline CSS, system fonts).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export class ChromiumPdfRenderer implements PdfRenderer {
  private browser: Promise<{ browser: Browser; context: BrowserContext }> | undefined;

  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly executablePath: string,
    /** Close the browser after this long without work (0: only on close()). */
    private readonly idleMs = 5_000,
  ) {}

  private launch(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.browser ??= (async () => {
      // Loaded on first use: processes that never print a PDF never load playwright-core.
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: this.executablePath,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      // One context for every document (creating one costs about a second); pages are not reused.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      return { browser, context };
    })().catch((error: unknown) => {
      this.browser = undefined;
      throw error;
    });
    return this.browser;
  }

  async toPdf(html: string): Promise<Buffer> {
    clearTimeout(this.idleTimer);
    this.active++;
    try {
      const { context } = await this.launch();
      const page = await context.newPage();
      try {
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ preferCSSPageSize: true, printBackground: true });
      } finally {
        await page.close();
      }
    } finally {
      this.active--;
      // An idle browser holds memory and keeps a CLI process (npm run job) alive: close it soon.
      if (this.active === 0 && this.idleMs > 0) {
        this.idleTimer = setTimeout(() => void this.close().catch(() => undefined), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const started = this.browser;
    this.browser = undefined;
    if (started) await (await started).browser.close();
  }
}

let shared: PdfRenderer | null | undefined;

/**
 * The process's PDF renderer: Chromium when one is installed (and PDF_RENDERER is not `off`), else
 * null — documents are then stored as HTML only and the PDF link is left out.
 */
export function defaultPdfRenderer(): PdfRenderer | null {
  if (shared !== undefined) return shared;
  const path = process.env.PDF_RENDERER === 'off' ? undefined : chromiumPath();
  shared = path ? new ChromiumPdfRenderer(path) : null;
  return shared;
}

export async function closeDefaultPdfRenderer(): Promise<void> {
  const renderer = shared;
  shared = undefined;
  await renderer?.close?.();
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext } from 'playwright-core';
import type { PdfRenderer } from '../../documents/render.ts';
import { withDocumentFonts } from './fonts.ts';

/**
 * PDF through a headless Chromium driven by playwright-core: Debian's /usr/bin/chromium on a county
 * machine and in tests, the binary of `@sparticuz/chromium` on Lambda (unpacked to /tmp on first
 * use). The CSS page rules (A4, GB/T 9704 margins, "— 1 —" page numbers in @page margin boxes)
 * decide the layout, so no header or footer template is used. Fonts are the project's own, loaded by
 * `@font-face` (fonts.ts), so both binaries print the same faces and embed them as CID TrueType.
 *
 * One browser per process, started on first use, with one offline, script-free context; each
 * document gets its own page (the HTML is self-contained: inline CSS and fonts).
 *
 * playwright-core and @sparticuz/chromium are loaded with `require` by name at run time, never
 * imported: no Lambda bundle carries them. The document-rendering function gets both from its layer
 * (infra/constructs/chromium-layer.ts; Lambda puts /opt/nodejs/node_modules on NODE_PATH).
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

/** How to start a browser: a binary and its flags. */
export type ChromiumLauncher = () => Promise<{ executablePath: string; args: string[] }>;

const requireAtRunTime = createRequire(import.meta.url);
/** A package named at run time (so esbuild leaves it out of the bundle), found beside us or on NODE_PATH. */
function load<T>(name: string): T {
  return requireAtRunTime(name) as T;
}
function installed(name: string): boolean {
  try {
    requireAtRunTime.resolve(name);
    return true;
  } catch {
    return false;
  }
}

interface SparticuzChromium {
  args: string[];
  executablePath(input?: string): Promise<string>;
  setGraphicsMode: boolean;
}

/** The Lambda build of Chromium (x86-64 Linux). */
export const SPARTICUZ = '@sparticuz/chromium';

/**
 * `@sparticuz/chromium`'s binary: unpacked (brotli) into the temp folder on the first call of a
 * process (~2 s), reused after. No WebGL for printing: its SwiftShader is then not unpacked at all.
 */
export const lambdaChromium: ChromiumLauncher = async () => {
  const mod = load<SparticuzChromium | { default: SparticuzChromium }>(SPARTICUZ);
  const chromium = 'default' in mod ? mod.default : mod;
  chromium.setGraphicsMode = false;
  return {
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--disable-dev-shm-usage'],
  };
};

export function debianChromium(executablePath: string): ChromiumLauncher {
  return async () => ({ executablePath, args: CHROMIUM_ARGS });
}

export interface RenderTiming {
  /** Milliseconds from the HTML handed over to the PDF bytes (browser start not included). */
  renderMs: number;
  bytes: number;
}

export class ChromiumPdfRenderer implements PdfRenderer {
  private browser: Promise<{ browser: Browser; context: BrowserContext }> | undefined;
  private readonly launcher: ChromiumLauncher;

  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Milliseconds the last browser took to start (unpacking included, on Lambda). */
  launchMs: number | undefined;

  constructor(
    /** A Chromium binary's path, or how to get one. */
    chromium: string | ChromiumLauncher,
    /** Close the browser after this long without work (0: only on close()). */
    private readonly idleMs = 5_000,
    /** Told how long each document took (the metrics hook). */
    private readonly onRender?: (timing: RenderTiming) => void,
  ) {
    this.launcher = typeof chromium === 'string' ? debianChromium(chromium) : chromium;
  }

  private launch(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.browser ??= (async () => {
      const started = performance.now();
      const { executablePath, args } = await this.launcher();
      // Loaded on first use: processes that never print a PDF never load playwright-core.
      const { chromium } = load<typeof import('playwright-core')>('playwright-core');
      const browser = await chromium.launch({ executablePath, args, headless: true });
      // One context for every document (creating one costs about a second); pages are not reused.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      this.launchMs = performance.now() - started;
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
      const started = performance.now();
      const page = await context.newPage();
      try {
        await page.setContent(withDocumentFonts(html), { waitUntil: 'load' });
        // Fonts load when layout first needs them, not by `load`: lay out, then wait for them all,
        // or the PDF could print with a fallback face. (Evaluated in Playwright's own world, which
        // runs with page scripts disabled.)
        await page.evaluate(
          'void document.body.offsetHeight, document.fonts.ready.then(() => document.fonts.status)',
        );
        const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
        this.onRender?.({ renderMs: performance.now() - started, bytes: pdf.length });
        return pdf;
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

export type PdfRendererChoice =
  | { kind: 'debian'; executablePath: string }
  | { kind: 'lambda' }
  | { kind: 'none'; reason: string };

/**
 * Which Chromium prints: none when PDF_RENDERER is `off`; on Lambda (AWS_LAMBDA_FUNCTION_NAME set)
 * always `@sparticuz/chromium`, whatever else the machine has; elsewhere Debian's (CHROMIUM_PATH or
 * /usr/bin/chromium), and `@sparticuz/chromium` on an x86-64 Linux machine without it. Both print
 * with the same fonts. Without any, documents are stored as HTML only.
 */
export function choosePdfRenderer(env: NodeJS.ProcessEnv = process.env): PdfRendererChoice {
  if (env.PDF_RENDERER === 'off') return { kind: 'none', reason: 'PDF_RENDERER=off' };
  const lambdaBinary = installed(SPARTICUZ) && process.platform === 'linux' && process.arch === 'x64';
  if (env.AWS_LAMBDA_FUNCTION_NAME || env.PDF_RENDERER === 'lambda')
    return lambdaBinary
      ? { kind: 'lambda' }
      : { kind: 'none', reason: `${SPARTICUZ} is not installed for this platform (x86-64 Linux only)` };
  const path = chromiumPath();
  if (path) return { kind: 'debian', executablePath: path };
  if (lambdaBinary) return { kind: 'lambda' };
  return { kind: 'none', reason: 'no Chromium: install Debian’s chromium or set CHROMIUM_PATH' };
}

let shared: PdfRenderer | null | undefined;

/** Who hears of each document the process's renderer prints or fails to print (the metrics). */
export interface PdfRenderObserver {
  rendered(timing: RenderTiming): void;
  failed(error: unknown): void;
}

let observer: PdfRenderObserver | undefined;

/**
 * Set by the entry that prints documents (functions/api/scheduled.ts), so this adapter reports
 * render times and failures without knowing where they go.
 */
export function observePdfRenders(next: PdfRenderObserver | undefined): void {
  observer = next;
}

/** A renderer whose failures (browser start included) reach the observer; the error still throws. */
function observed(renderer: ChromiumPdfRenderer): PdfRenderer {
  return {
    async toPdf(html) {
      try {
        return await renderer.toPdf(html);
      } catch (error) {
        observer?.failed(error);
        throw error;
      }
    },
    close: () => renderer.close(),
  };
}

/** The process's PDF renderer (choosePdfRenderer), or null: documents are then HTML only. */
export function defaultPdfRenderer(): PdfRenderer | null {
  if (shared !== undefined) return shared;
  const choice = choosePdfRenderer();
  const onRender = (timing: RenderTiming) => observer?.rendered(timing);
  shared =
    choice.kind === 'debian'
      ? observed(new ChromiumPdfRenderer(choice.executablePath, undefined, onRender))
      : choice.kind === 'lambda'
        ? observed(new ChromiumPdfRenderer(lambdaChromium, undefined, onRender))
        : null;
  return shared;
}

export async function closeDefaultPdfRenderer(): Promise<void> {
  const renderer = shared;
  shared = undefined;
  await renderer?.close?.();
}

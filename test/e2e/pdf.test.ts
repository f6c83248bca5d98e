import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumPdfRenderer, chromiumPath } from '../../functions/adapters/documents/chromium.ts';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import { appointmentLetterView, bulletinView, type NameBook } from '../../functions/documents/view-models.ts';
import { EVIL_NAME, fixtureEvaluation, fixtureIds } from '../support/week-fixture.ts';

/**
 * The print path end to end: HTML → Chromium → PDF, then poppler (pdftotext, pdffonts, pdfinfo,
 * pdftoppm) checks that the PDF holds real Chinese text in embedded fonts on A4 pages, and that the
 * glyphs are drawn (not empty boxes). Needs the apt packages in .ci/run (chromium, fonts-noto-cjk,
 * poppler-utils); the page images are left in the temp folder printed below for a person to look at.
 */
const settings = documentSettings({});
const ids = fixtureIds();
const evaluation = fixtureEvaluation(ids);
const names: NameBook = {
  cadres: new Map(evaluation.cadres.map((c) => [c.cadreId, { name: c.name, unit: '县水务局' }])),
  villages: new Map([[ids.village, '红旗村']]),
  townships: new Map([[ids.township, '东风镇']]),
  problems: new Map(),
};
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

function appointment(name: string): string {
  return renderDocumentHtml(
    'appointmentLetter',
    appointmentLetterView(
      { cadre: { name, unit: '县水务局' }, village: '红旗村', township: '东风镇', from: '2026-11-24' },
      { settings, issue: { number: '指任〔2026〕2号', issuedOn: '2026-11-24' } },
    ),
  );
}

/** Page 1 as an 8-bit grey raster (PGM), for pixel checks. */
function greyPage(pdfFile: string, dpi = 50): { width: number; height: number; pixels: Buffer } {
  const base = pdfFile.replace(/\.pdf$/, `-grey${dpi}`);
  run('pdftoppm', ['-gray', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', pdfFile, base]);
  const data = readFileSync(`${base}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(data.subarray(0, 50).toString('latin1'));
  if (!header) throw new Error('not a PGM');
  return {
    width: Number(header[1]),
    height: Number(header[2]),
    pixels: data.subarray(header[0].length),
  };
}

describe('PDF rendering with Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baocun-pdf-'));
  const renderer = new ChromiumPdfRenderer(chromiumPath() ?? '/usr/bin/chromium');
  const bulletinPdf = join(dir, 'bulletin.pdf');

  beforeAll(async () => {
    const html = renderDocumentHtml(
      'bulletin',
      bulletinView(evaluation, {
        settings,
        names,
        revision: 1,
        issue: { number: '2026年第12期', issuedOn: '2026-11-23' },
      }),
    );
    writeFileSync(bulletinPdf, await renderer.toPdf(html));
    run('pdftoppm', ['-png', '-r', '80', bulletinPdf, join(dir, 'bulletin-page')]);
    console.info(`PDF page images: ${dir}`);
  }, 60_000);
  afterAll(async () => {
    await renderer.close();
    if (!process.env.KEEP_PDF) rmSync(dir, { recursive: true, force: true });
  });

  it('produces an A4 PDF', () => {
    expect(readFileSync(bulletinPdf).subarray(0, 5).toString()).toBe('%PDF-');
    const info = run('pdfinfo', [bulletinPdf]);
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
  });

  it('holds the Chinese title and names as text (pdftotext), the <script> name as plain text', () => {
    const text = run('pdftotext', ['-layout', bulletinPdf, '-']).replace(/\s+/g, '');
    expect(text).toContain(settings.bulletinName);
    expect(text).toContain('2026年第12期');
    expect(text).toContain('干部包村工作督查情况的通报');
    expect(text).toContain('诫勉谈话');
    expect(text).toContain('张三');
    expect(text).toContain(EVIL_NAME);
    expect(text).toMatch(/—1—/);
  });

  it('embeds every font it uses, with a Unicode map (pdffonts)', () => {
    const rows = run('pdffonts', [bulletinPdf]).trim().split('\n').slice(2);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // columns: name type encoding emb sub uni object-id gen
      const cols = row.trim().split(/\s+/);
      const [emb, , uni] = cols.slice(-5, -2);
      expect(emb, row).toBe('yes');
      expect(uni, row).toBe('yes');
    }
  });

  it('draws glyphs on the page, not blank space', () => {
    const page = greyPage(bulletinPdf);
    const dark = page.pixels.reduce((n, v) => n + (v < 128 ? 1 : 0), 0);
    expect(dark / (page.width * page.height)).toBeGreaterThan(0.01);
  });

  it('draws different glyphs for different characters (no tofu boxes)', async () => {
    const a = join(dir, 'a.pdf');
    const b = join(dir, 'b.pdf');
    writeFileSync(a, await renderer.toPdf(appointment('张三丰')));
    writeFileSync(b, await renderer.toPdf(appointment('李四光')));
    const pa = greyPage(a, 100);
    const pb = greyPage(b, 100);
    expect(pa.width).toBe(pb.width);
    // Missing glyphs would all print as the same box, so the pages would match pixel for pixel.
    let differing = 0;
    for (let i = 0; i < pa.pixels.length; i++) if (pa.pixels[i] !== pb.pixels[i]) differing++;
    expect(differing).toBeGreaterThan(50);
    const text = run('pdftotext', [a, '-']).replace(/\s+/g, '');
    expect(text).toContain('兹任命张三丰同志');
  }, 30_000);
});

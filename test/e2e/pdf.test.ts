import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumPdfRenderer, chromiumPath } from '../../functions/adapters/documents/chromium.ts';
import type { DocumentKind } from '../../functions/documents/render.ts';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import {
  appointmentLetterView,
  bulletinView,
  criticismNoticeView,
  type NameBook,
  rectificationNoticeView,
  talkNoticeView,
} from '../../functions/documents/view-models.ts';
import { pdfFonts } from '../support/pdf.ts';
import { EVIL_NAME, fixtureEvaluation, fixtureIds } from '../support/week-fixture.ts';

/**
 * The print path end to end: HTML → Chromium → PDF, then poppler (pdftotext, pdffonts, pdfinfo,
 * pdftoppm) checks that the PDF holds real Chinese text in the project's own fonts, embedded as CID
 * TrueType (never Type 3) on A4 pages, that the glyphs are drawn (not empty boxes), and that the
 * bulletin carries its charts and keeps township names on one line. Needs the apt packages in
 * .ci/run (chromium, poppler-utils); the page images are left in the temp folder printed below (with
 * KEEP_PDF=1) for a person to look at. The same checks on Lambda's Chromium: pdf-lambda.test.ts.
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

const cadre = (id: string) => evaluation.cadres.find((c) => c.cadreId === id)!;

/** One page (the first by default) as an 8-bit grey raster (PGM), for pixel checks. */
function greyPage(pdfFile: string, dpi = 50, pageNo = 1): { width: number; height: number; pixels: Buffer } {
  const base = pdfFile.replace(/\.pdf$/, `-grey${dpi}-${pageNo}`);
  run('pdftoppm', [
    '-gray',
    '-r',
    String(dpi),
    '-f',
    String(pageNo),
    '-l',
    String(pageNo),
    '-singlefile',
    pdfFile,
    base,
  ]);
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

  it('embeds only the project fonts, as CID TrueType: no Type 3 font, no system font', () => {
    const fonts = pdfFonts(bulletinPdf);
    expect(fonts.map((f) => f.type)).not.toContain('Type 3');
    expect(new Set(fonts.map((f) => f.type))).toEqual(new Set(['CID TrueType']));
    // 仿宋 and 小标宋 → Noto Serif SC, 黑体 → Noto Sans SC, 楷体 → LXGW WenKai (docs/documents.md).
    const faces = new Set(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')));
    expect([...faces].sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NotoSerifSC.*-Regular$/),
        expect.stringMatching(/^NotoSerifSC.*-Bold$/),
        expect.stringMatching(/^NotoSansSC.*-Medium$/),
        expect.stringMatching(/^LXGWWenKai-Regular$/),
      ]),
    );
    for (const face of faces) expect(face).toMatch(/^(NotoSerifSC|NotoSansSC|LXGWWenKai)/);
  });

  it('carries the charts of the bulletin page in its attachment', () => {
    const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [bulletinPdf]))?.[1]);
    const last = run('pdftotext', ['-f', String(pages - 1), '-l', String(pages), bulletinPdf, '-']).replace(
      /\s+/g,
      '',
    );
    for (const caption of ['附件', '图1各乡镇问题数', '图2对号入座人数周变化', '图3问题整改用时中位数'])
      expect(last).toContain(caption);
    expect(last).toContain('本周新发现');
    // The bars themselves are vector paths: the attachment page has dark area besides its text.
    const chartPage = greyPage(bulletinPdf, 50, pages - 1);
    const dark = chartPage.pixels.reduce((n, v) => n + (v < 100 ? 1 : 0), 0);
    expect(dark / (chartPage.width * chartPage.height)).toBeGreaterThan(0.01);
  });

  it('keeps township names on one line in its tables', async () => {
    const township = '红旗岭满族乡';
    const html = renderDocumentHtml(
      'bulletin',
      bulletinView(evaluation, {
        settings,
        names: { ...names, townships: new Map([[ids.township, township]]) },
        revision: 1,
        issue: { number: '2026年第12期', issuedOn: '2026-11-23' },
      }),
    );
    const file = join(dir, 'bulletin-long-township.pdf');
    writeFileSync(file, await renderer.toPdf(html));
    const lines = run('pdftotext', ['-layout', file, '-']).split('\n');
    // The effectiveness table row and the chart's figures table both print the whole name on one line.
    expect(lines.filter((l) => l.includes(township) && l.includes('0（—）')).length).toBe(1);
    expect(lines.filter((l) => new RegExp(`${township}\\s+9\\s+9`).test(l)).length).toBe(1);
    expect(lines.some((l) => l.includes(township.slice(0, 3)) && !l.includes(township))).toBe(false);
  }, 30_000);

  const issue = (number: string) => ({ settings, names, issue: { number, issuedOn: '2026-11-23' } });
  const talk = evaluation.talkNotices[0]!;
  it.each<{ kind: DocumentKind; view: () => object; text: string }>([
    {
      kind: 'talkNotice',
      view: () => talkNoticeView(evaluation, cadre(talk.cadreId), talk.tier, issue('指谈〔2026〕3号')),
      text: '谈话通知书',
    },
    {
      kind: 'rectificationNotice',
      view: () =>
        rectificationNoticeView(
          evaluation,
          cadre(ids.heavy),
          evaluation.problems.filter((p) => p.cadreId === ids.heavy),
          issue('指整〔2026〕4号'),
        ),
      text: '张三同志',
    },
    {
      kind: 'criticismNotice',
      view: () => criticismNoticeView(evaluation, evaluation.majorFailures[0]!, issue('指通〔2026〕1号')),
      text: '予以通报批评',
    },
  ])(
    'prints a $kind with CID TrueType fonts only, and its text',
    async ({ kind, view, text }) => {
      const file = join(dir, `${kind}.pdf`);
      writeFileSync(file, await renderer.toPdf(renderDocumentHtml(kind, view())));
      const fonts = pdfFonts(file);
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts)
        expect(f, f.name).toMatchObject({ type: 'CID TrueType', embedded: true, unicode: true });
      const printed = run('pdftotext', [file, '-']).replace(/\s+/g, '');
      expect(printed).toContain(settings.mark);
      expect(printed).toContain(text);
    },
    30_000,
  );

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
    expect(pdfFonts(a).map((f) => f.type)).not.toContain('Type 3');
  }, 30_000);
});

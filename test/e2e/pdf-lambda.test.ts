import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions } from '../../infra/bundling.ts';
import { stageDocumentLayer } from '../../infra/document-layer.ts';
import { pdfFonts } from '../support/pdf.ts';

/**
 * The Lambda path of the PDFs, on this Linux machine: the document renderer is bundled with the
 * deployed functions' esbuild options (test/fixtures/lambda-render-entry.ts around it), the document
 * layer is staged from node_modules exactly as the stack stages it, and the handler runs in a child
 * process under the environment Lambda gives — AWS_LAMBDA_FUNCTION_NAME set,
 * HOME and the temp folder in a fresh folder (Lambda's /tmp), the layer on NODE_PATH, no
 * CHROMIUM_PATH and a PATH that reaches no Chromium — so it must unpack and drive
 * `@sparticuz/chromium`'s binary and find its fonts in the layer. poppler then checks the PDFs:
 * pages, fonts (CID TrueType only, no Type 3), and the Chinese text.
 */
const ROOT = join(import.meta.dirname, '../..');
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

interface Report {
  choice: { kind: string; reason?: string };
  launchMs: number;
  timings: Array<{ kind: string; ms: number; bytes: number }>;
  nodePeakMb: number;
  chromiumPeakMb: number;
}

describe('PDF rendering on Lambda (@sparticuz/chromium, fonts from the layer)', () => {
  const work = mkdtempSync(join(tmpdir(), 'baocun-lambda-pdf-'));
  const task = join(work, 'var-task');
  const opt = join(work, 'opt');
  const lambdaTmp = join(work, 'tmp');
  const out = join(work, 'out');
  let report: Report;

  beforeAll(async () => {
    for (const dir of [task, opt, lambdaTmp, out]) mkdirSync(dir, { recursive: true });
    const layer = stageDocumentLayer(opt);
    await build(lambdaEsbuildOptions(join(ROOT, 'test/fixtures/lambda-render-entry.ts'), task));
    const started = performance.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(join(task, 'index.mjs'))});
         console.log(JSON.stringify(await handler({ outDir: ${JSON.stringify(out)} })));`,
      ],
      {
        cwd: task,
        // Only what Lambda sets: nothing of this machine's environment (CHROMIUM_PATH, PATH) leaks in.
        env: {
          AWS_LAMBDA_FUNCTION_NAME: 'Baocun-test-ScheduledJobs',
          // Not AWS_EXECUTION_ENV: with it @sparticuz/chromium also unpacks Amazon Linux 2023's own
          // libraries and puts them on LD_LIBRARY_PATH, which Lambda's AL2023 matches but this Debian
          // host does not (Chromium then starts and prints pages without any text). The binary, the
          // args and the fonts are Lambda's; the system libraries are this machine's.
          AWS_REGION: 'cn-northwest-1',
          LAMBDA_TASK_ROOT: task,
          LAMBDA_RUNTIME_DIR: '/var/runtime',
          NODE_PATH: join(opt, 'nodejs/node_modules'),
          HOME: lambdaTmp,
          TMPDIR: lambdaTmp,
          PATH: join(work, 'no-such-bin'),
          TZ: 'UTC',
          LANG: 'en_US.UTF-8',
        },
        timeout: 120_000,
      },
    );
    report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
    console.info(
      `Lambda path: layer ${(layer.bytes / 1e6).toFixed(1)} MB in ${layer.files} files; ` +
        `handler ${Math.round(performance.now() - started)} ms; ${JSON.stringify(report)}`,
    );
  }, 180_000);
  afterAll(() => {
    if (!process.env.KEEP_PDF) rmSync(work, { recursive: true, force: true });
  });

  it('chooses and unpacks the Lambda binary, not a system Chromium', () => {
    expect(report.choice).toEqual({ kind: 'lambda' });
    expect(readFileSync(join(lambdaTmp, 'chromium')).subarray(1, 4).toString()).toBe('ELF');
    expect(report.timings.map((t) => t.kind)).toEqual([
      'bulletin',
      'talkNotice',
      'rectificationNotice',
      'criticismNotice',
    ]);
  });

  it.each(['bulletin', 'talkNotice', 'rectificationNotice', 'criticismNotice'])(
    '%s: an A4 PDF with CID TrueType fonts only (no Type 3) and its Chinese text',
    (kind) => {
      const file = join(out, `${kind}.pdf`);
      const info = run('pdfinfo', [file]);
      expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
      expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(1);
      const fonts = pdfFonts(file);
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) {
        expect(f, f.name).toMatchObject({ type: 'CID TrueType', embedded: true, unicode: true });
        expect(f.name).toMatch(/^[A-Z]{6}\+(NotoSerifSC|NotoSansSC|LXGWWenKai)/);
      }
      const text = run('pdftotext', [file, '-']).replace(/\s+/g, '');
      expect(text).toContain('县脱贫攻坚指挥部');
      expect(text).toMatch(/—1—/);
    },
  );

  it('prints the bulletin with its sections and charts', () => {
    const file = join(out, 'bulletin.pdf');
    const text = run('pdftotext', [file, '-']).replace(/\s+/g, '');
    for (const part of ['干部包村工作督查情况的通报', '一、总体情况', '诫勉谈话', '张三', '图1各乡镇问题数'])
      expect(text).toContain(part);
  });

  it('bundles neither playwright-core nor @sparticuz/chromium into the scheduled-jobs function', async () => {
    const result = await build({
      ...lambdaEsbuildOptions(join(ROOT, 'functions/api/scheduled.ts'), join(work, 'scheduled')),
      metafile: true,
      write: false,
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, join(ROOT, p)));
    expect(inputs.filter((p) => /node_modules\/(playwright-core|@sparticuz)\//.test(p))).toEqual([]);
  }, 60_000);
});

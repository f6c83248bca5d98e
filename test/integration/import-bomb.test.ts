import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WORKBOOK_UNCOMPRESSED_BYTES } from '../../functions/background/zip-limits.ts';
import { upload, waitForTask, workbook } from '../support/background.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';
import { unzip, zip } from '../support/zip.ts';

/**
 * A roster import of a zip bomb: a small .xlsx upload that unpacks to far more than any roster. The
 * worker refuses it before exceljs loads it, with a plain Chinese message in the import report, and
 * writes nothing; also when the archive's directory lies about the sizes.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin', 'bomb-admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});
afterAll(() => t?.stop());

async function bomb(lie: boolean): Promise<Buffer> {
  const parts = unzip(
    await workbook({
      乡镇: [
        ['编号', '名称'],
        ['TBOMB', '炸弹乡'],
      ],
    }),
  );
  const huge = Buffer.alloc(MAX_WORKBOOK_UNCOMPRESSED_BYTES + 20 * 1024 * 1024, 0x20);
  parts.set('xl/worksheets/sheet2.xml', huge);
  return zip(parts, lie ? { 'xl/worksheets/sheet2.xml': 2048 } : {});
}

describe('a zip-bomb workbook', () => {
  for (const lie of [false, true]) {
    it(`is refused before it is loaded, with the limit in the report (${lie ? 'forged sizes' : 'declared sizes'})`, async () => {
      const bytes = await bomb(lie);
      // Small on the wire: well under the upload limit.
      expect(bytes.length).toBeLessThan(200 * 1024);
      const res = await upload(t.url, hq, { bytes, name: '名册.xlsx' });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
      const task = await waitForTask(hq, res.location!);
      expect(task.status).toBe('refused');
      expect(task.result?.issues?.map((i) => i.code)).toEqual(['WORKBOOK_TOO_LARGE']);
      expect(task.result?.issues?.[0]?.message).toContain('工作簿解压后过大（上限 50 MB）');
      expect((await api.get('/townships/TBOMB')).status).toBe(404);
    });
  }
});

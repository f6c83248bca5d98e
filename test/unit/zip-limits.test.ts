import { describe, expect, it } from 'vitest';
import { checkZipSize } from '../../functions/background/zip-limits.ts';
import { workbook } from '../support/background.ts';
import { unzip, zip } from '../support/zip.ts';

/**
 * The size check an import workbook passes before exceljs unpacks it: what the archive declares, and
 * what its entries really inflate to (a forged central directory must not get a bomb through).
 */
const LIMITS = { maxUncompressedBytes: 5 * 1024 * 1024, maxEntries: 50 };

async function realWorkbook(): Promise<Buffer> {
  return workbook({
    乡镇: [
      ['编号', '名称'],
      ['T01', '青石乡'],
    ],
  });
}

describe('checkZipSize', () => {
  it('lets a real workbook through and says how large it is unpacked', async () => {
    const result = await checkZipSize(await realWorkbook(), LIMITS);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.uncompressedBytes).toBeGreaterThan(1000);
  });

  it('refuses a workbook that declares more than the limit, without inflating it', async () => {
    const parts = unzip(await realWorkbook());
    parts.set('xl/media/zeros.bin', Buffer.alloc(6 * 1024 * 1024));
    const bomb = zip(parts);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await checkZipSize(bomb, LIMITS)).toMatchObject({ ok: false, reason: 'TOO_LARGE' });
  });

  it('refuses a bomb whose central directory lies about its size (found while inflating)', async () => {
    const parts = unzip(await realWorkbook());
    parts.set('xl/worksheets/sheet9.xml', Buffer.alloc(20 * 1024 * 1024, 0x20));
    const bomb = zip(parts, { 'xl/worksheets/sheet9.xml': 1000 });
    expect(await checkZipSize(bomb, LIMITS)).toMatchObject({ ok: false, reason: 'TOO_LARGE' });
  });

  it('refuses an archive of thousands of entries, and one that is not a zip', async () => {
    const many = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++) many.set(`x/${i}.xml`, Buffer.from('<a/>'));
    expect(await checkZipSize(zip(many), LIMITS)).toMatchObject({ ok: false, reason: 'TOO_MANY_ENTRIES' });
    expect(await checkZipSize(Buffer.from('PK\u0003\u0004 not really'), LIMITS)).toEqual({
      ok: false,
      reason: 'MALFORMED',
    });
    const truncated = (await realWorkbook()).subarray(0, 400);
    expect(await checkZipSize(truncated, LIMITS)).toEqual({ ok: false, reason: 'MALFORMED' });
  });
});

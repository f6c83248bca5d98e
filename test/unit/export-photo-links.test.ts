import { describe, expect, it } from 'vitest';
import { exportSheet } from '../../functions/background/export-columns.ts';
import type { Problem } from '../../functions/schemas/problems.ts';

/**
 * The problem ledger export lists each problem's photos as lasting addresses of the pages
 * (/app/photos/{id}), not the API's short-lived links, which would be dead by the time the sheet is read.
 */
const names = { townships: new Map(), villages: new Map(), cadres: new Map() };
const problem = {
  id: 'P-1',
  foundOn: '2026-01-05',
  townshipId: 'T01',
  villageId: 'V001',
  cadreId: 'C001',
  description: '台账不全',
  severity: 'major',
  status: 'open',
  rectifyBy: '2026-01-19',
  falseRectifications: 0,
  photoIds: ['U1', 'U/2'],
} as Problem;

describe('photo links in the problem ledger export', () => {
  it('gives the count and one lasting address a line, under the server address', () => {
    const sheet = exportSheet('problems', '问题', [problem, { ...problem, photoIds: undefined }], names, {
      photo: (id) => `https://baocun.example.cn/app/photos/${encodeURIComponent(id)}`,
    });
    const headers = sheet.columns.map((c) => c.header);
    const row = sheet.rows[0]!;
    expect(row[headers.indexOf('照片数')]).toBe(2);
    expect(row[headers.indexOf('问题照片（链接）')]).toBe(
      'https://baocun.example.cn/app/photos/U1\nhttps://baocun.example.cn/app/photos/U%2F2',
    );
    expect(sheet.rows[1]![headers.indexOf('照片数')]).toBe(0);
    expect(sheet.rows[1]![headers.indexOf('问题照片（链接）')]).toBe('');
  });

  it('writes root-relative addresses when no server address is configured', () => {
    const sheet = exportSheet('problems', '问题', [problem], names);
    const headers = sheet.columns.map((c) => c.header);
    expect(sheet.rows[0]![headers.indexOf('问题照片（链接）')]).toBe('/app/photos/U1\n/app/photos/U%2F2');
  });
});

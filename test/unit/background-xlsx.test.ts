import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { NOTES_SHEET, templateSheets } from '../../functions/background/template.ts';
import { cellText, readWorkbook } from '../../functions/background/xlsx.ts';
import { safeCell, unguard, writeWorkbook } from '../../functions/background/xlsx-writer.ts';
import { unzip } from '../support/zip.ts';

/** Workbooks out (guarded against formula injection) and in (every cell as its text). */
const created = new Date('2026-11-24T10:00:00Z');

describe('formula guard', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+8613800138000', "'+8613800138000"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['李明', '李明'],
    ["'已有引号", "'已有引号"],
    ['', ''],
  ])('writes %j as %j, and reads it back as it was', (value, cell) => {
    expect(safeCell(value)).toBe(cell);
    expect(unguard(safeCell(value))).toBe(value);
  });

  it('writes a cadre named =HYPERLINK("http://x","y") as a plain text cell with the apostrophe, never a formula', async () => {
    const evil = '=HYPERLINK("http://x","y")';
    const bytes = await writeWorkbook(
      [
        {
          name: '干部名单',
          columns: [
            { header: '编号', width: 10 },
            { header: '姓名', width: 10 },
          ],
          rows: [
            ['C001', evil],
            ['C002', 42],
          ],
        },
      ],
      { creator: 'test', created },
    );
    const files = unzip(bytes);
    const sheetXml = files.get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheetXml).not.toMatch(/<f[\s>]/);
    // Every cell is an inline string, numbers included: nothing in the file is a formula or a number.
    const cells = [...sheetXml.matchAll(/<c r="([A-Z]+\d+)"([^>]*)>/g)].map((m) => [m[1], m[2]]);
    expect(cells.map(([ref]) => ref)).toEqual(['A1', 'B1', 'A2', 'B2', 'A3', 'B3']);
    expect(cells.every(([, attributes]) => /t="inlineStr"/.test(attributes!))).toBe(true);
    expect(sheetXml).toContain(
      `<c r="B2" t="inlineStr"><is><t>'=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</t></is></c>`,
    );
    expect(sheetXml).toContain('<c r="B3" t="inlineStr"><is><t>42</t></is></c>');
    expect(files.has('xl/sharedStrings.xml')).toBe(false);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const cell = wb.getWorksheet('干部名单')!.getCell('B2');
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(cell.value).toBe(`'${evil}`);
  });

  it('freezes the header row and sets the column widths', async () => {
    const bytes = await writeWorkbook(
      [
        {
          name: '村名单',
          columns: [
            { header: '编号', width: 12 },
            { header: '名称', width: 30 },
          ],
          rows: [['V1', '红旗村']],
        },
      ],
      { creator: 'test', created },
    );
    const sheetXml = unzip(bytes).get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheetXml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    expect(sheetXml).toMatch(/<col min="2" max="2" width="30"/);
    expect(sheetXml).toContain('<autoFilter ref="A1:B1"');
  });
});

describe('the file itself', () => {
  it('is the same bytes for the same input (no clock inside but the one given)', () => {
    const sheet = { name: '乡镇名单', columns: [{ header: '编号', width: 10 }], rows: [['T01']] };
    expect(
      writeWorkbook([sheet], { creator: 'test', created }).equals(
        writeWorkbook([sheet], { creator: 'test', created }),
      ),
    ).toBe(true);
  });

  it('drops characters XML cannot hold and keeps spaces and line breaks', async () => {
    const bytes = writeWorkbook(
      [
        {
          name: 'a/b:c',
          columns: [{ header: '备注', width: 10 }],
          rows: [[' 前后有空格 '], ['第一行\n第二行'], ['响\u0007铃']],
        },
      ],
      { creator: 'test', created },
    );
    const [sheet] = await readWorkbook(bytes);
    expect(sheet!.name).toBe('a_b_c');
    expect(sheet!.rows.map((r) => r.cells[0])).toEqual(['备注', '前后有空格', '第一行\n第二行', '响铃']);
    expect(unzip(bytes).get('xl/worksheets/sheet1.xml')!.toString('utf8')).toContain(
      '<t xml:space="preserve"> 前后有空格 </t>',
    );
  });
});

describe('round trip', () => {
  it('reads back what it wrote: sheets, row numbers, text of every cell', async () => {
    const bytes = await writeWorkbook(
      [
        {
          name: '乡镇',
          columns: [
            { header: '编号', width: 10 },
            { header: '名称', width: 10 },
          ],
          rows: [
            ['T01', '青石乡'],
            ['T02', '=坏名字'],
          ],
        },
        { name: '村', columns: [{ header: '编号', width: 10 }], rows: [['V01']] },
      ],
      { creator: 'test', created },
    );
    expect(await readWorkbook(bytes)).toEqual([
      {
        name: '乡镇',
        rows: [
          { row: 1, cells: ['编号', '名称'] },
          { row: 2, cells: ['T01', '青石乡'] },
          { row: 3, cells: ['T02', '=坏名字'] },
        ],
      },
      {
        name: '村',
        rows: [
          { row: 1, cells: ['编号'] },
          { row: 2, cells: ['V01'] },
        ],
      },
    ]);
  });

  it('reads what people type in Excel: numbers, dates, links, rich text, formulas by their result; skips empty rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('干部');
    ws.addRow(['编号', '手机', '开始日期', '电子邮箱', '姓名', '户数']);
    ws.addRow([]);
    ws.addRow([
      1001,
      13800138000,
      new Date(Date.UTC(2026, 0, 5)),
      { text: 'li@example.cn', hyperlink: 'mailto:li@example.cn' },
      { richText: [{ text: '李' }, { text: '明', font: { bold: true } }] },
      { formula: 'A3*2', result: 2002 },
    ]);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const [sheet] = await readWorkbook(bytes);
    expect(sheet!.rows).toEqual([
      { row: 1, cells: ['编号', '手机', '开始日期', '电子邮箱', '姓名', '户数'] },
      { row: 3, cells: ['1001', '13800138000', '2026-01-05', 'li@example.cn', '李明', '2002'] },
    ]);
  });

  it.each([
    [null, ''],
    [true, 'TRUE'],
    [3.5, '3.5'],
    [new Date(Date.UTC(2026, 10, 24, 8, 30)), '2026-11-24 08:30'],
    [{ error: '#N/A' }, '#N/A'],
  ])('reads the cell value %j as %j', (value, text) => {
    expect(cellText(value as ExcelJS.CellValue)).toBe(text);
  });

  it('refuses bytes that are not a workbook', async () => {
    await expect(readWorkbook(Buffer.from('PK\u0003\u0004 not really'))).rejects.toThrow(
      'not an xlsx workbook',
    );
  });
});

describe('import template', () => {
  it('has one sheet per kind with the import headers and an example row, and the notes', async () => {
    const sheets = await readWorkbook(await writeWorkbook(templateSheets(), { creator: 'test', created }));
    expect(sheets.map((s) => s.name)).toEqual([
      '乡镇',
      '单位',
      '村',
      '干部',
      '包村关系',
      '片区',
      '包镇领导',
      NOTES_SHEET,
    ]);
    expect(sheets.find((s) => s.name === '包镇领导')!.rows[0]!.cells).toEqual([
      '乡镇编号',
      '干部编号',
      '起始日期',
      '结束日期',
      '备注',
    ]);
    const cadres = sheets.find((s) => s.name === '干部')!;
    expect(cadres.rows[0]!.cells).toEqual([
      '编号',
      '姓名',
      '派出单位',
      '单位编号',
      '职级',
      '所在乡镇编号',
      '手机',
      '电子邮箱',
    ]);
    expect(cadres.rows[1]!.cells).toEqual([
      'C001',
      '李明',
      '县水务局',
      'U01',
      '科级',
      'T01',
      '13800138000',
      'liming@example.cn',
    ]);
    const villages = sheets.find((s) => s.name === '村')!;
    expect(villages.rows[1]!.cells.slice(0, 4)).toEqual(['V001', '红旗村', 'T01', '深度贫困村']);
  });
});

import { SHEET_ORDER, SHEETS } from './columns.ts';
import { type OutSheet, writeWorkbook } from './xlsx-writer.ts';

/**
 * The import template (导入模板.xlsx): one sheet per kind with the headers the import reads and one
 * example row, and a 填写说明 sheet that says what each column takes. The import ignores sheets it
 * does not know, so the notes may stay in the file.
 */
export const TEMPLATE_FILE_NAME = '包村名册导入模板.xlsx';
export const NOTES_SHEET = '填写说明';

export function templateSheets(): OutSheet[] {
  const data: OutSheet[] = SHEET_ORDER.map((kind) => {
    const spec = SHEETS[kind];
    return {
      name: spec.sheet,
      columns: spec.columns.map((c) => ({
        header: c.header,
        width: Math.max(c.width, c.header.length * 2 + 2),
      })),
      rows: [spec.columns.map((c) => c.example)],
    };
  });
  const notes: OutSheet = {
    name: NOTES_SHEET,
    columns: [
      { header: '工作表', width: 12 },
      { header: '列', width: 16 },
      { header: '填写要求', width: 60 },
    ],
    rows: [
      [
        '（全部）',
        '',
        '每个工作表第 1 行为表头，第 2 行为示例：请改为实际数据或删除。不需要的工作表可以删除。',
      ],
      [
        '（全部）',
        '',
        '导入时先逐行检查全部数据，有任何一行不符合要求则整份文件不导入，并列出每处问题的行号和原因。',
      ],
      ['（全部）', '', '系统中已有且内容相同的记录不会重复写入；编号相同但内容不同的记录会被列为问题。'],
      ...SHEET_ORDER.flatMap((kind) =>
        SHEETS[kind].columns.map((c) => [SHEETS[kind].sheet, c.header, c.hint]),
      ),
    ],
  };
  return [...data, notes];
}

export function importTemplate(now: Date): Buffer {
  return writeWorkbook(templateSheets(), { creator: '包村', created: now });
}

import type ExcelJSModule from 'exceljs';

/**
 * Excel workbooks in and out, through exceljs (loaded on first use: the web function carries it only
 * for the template download).
 *
 * Out: every cell is written as a string, never a formula, and text that a spreadsheet would take
 * for a formula (starting with = + - @, a tab or a carriage return) gets an apostrophe in front, as
 * OWASP advises against formula injection: a cadre called `=HYPERLINK("http://x","y")` stays text.
 * In: every cell becomes text (numbers as written, dates as YYYY-MM-DD, rich text and links as their
 * text, formulas as their cached result), and that apostrophe is taken off again, so an exported
 * list imports back as it was.
 */
type ExcelJS = typeof ExcelJSModule;
type Worksheet = ExcelJSModule.Worksheet;
type CellValue = ExcelJSModule.CellValue;

let loaded: Promise<ExcelJS> | undefined;
export function excel(): Promise<ExcelJS> {
  loaded ??= import('exceljs').then((m) => ((m as { default?: ExcelJS }).default ?? m) as ExcelJS);
  return loaded;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text as a cell must hold it so that no spreadsheet evaluates it. */
export function safeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The guard undone when such a cell is read back. */
export function unguard(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell's value as the text a person sees in it. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return unguard(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    // Excel dates carry no zone: exceljs hands over the wall-clock time as if it were UTC.
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const time = value.getUTCHours() * 60 + value.getUTCMinutes();
    return time ? `${date} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}` : date;
  }
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText))
      return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) {
      return cellText((value as { result?: CellValue }).result ?? null);
    }
    if ('text' in value && typeof value.text === 'string') return unguard(value.text);
    if ('text' in value) return cellText(value.text as CellValue);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

export interface SheetRows {
  name: string;
  /** Non-empty rows with their Excel row numbers (1-based); cells by column (0-based). */
  rows: Array<{ row: number; cells: string[] }>;
}

export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

export async function readWorkbook(bytes: Buffer): Promise<SheetRows[]> {
  const ExcelJS = await excel();
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's types predate Node's generic Buffer.
    await workbook.xlsx.load(bytes as unknown as ExcelJSModule.Buffer);
  } catch (error) {
    throw new UnreadableFileError('not an xlsx workbook', { cause: error });
  }
  return workbook.worksheets.map((sheet) => ({ name: sheet.name, rows: sheetRows(sheet) }));
}

function sheetRows(sheet: Worksheet): SheetRows['rows'] {
  const rows: SheetRows['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      cells[column - 1] = cellText(cell.value).trim();
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (cells.some((c) => c !== '')) rows.push({ row: rowNumber, cells });
  });
  return rows;
}

export interface OutColumn {
  header: string;
  /** Width in characters (a Chinese character counts about 2). */
  width: number;
}

export interface OutSheet {
  name: string;
  columns: OutColumn[];
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>;
}

/**
 * A workbook of plain-text sheets: bold header row, frozen so it stays on screen, an auto filter on
 * it, set column widths. Values are written as strings (numbers too), each through safeCell().
 */
export async function writeWorkbook(
  sheets: OutSheet[],
  meta: { creator: string; created: Date },
): Promise<Buffer> {
  const ExcelJS = await excel();
  const workbook = new ExcelJS.Workbook();
  workbook.creator = meta.creator;
  workbook.created = meta.created;
  workbook.modified = meta.created;
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sheet.name.slice(0, 31), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }],
    });
    ws.columns = sheet.columns.map((c) => ({ header: safeCell(c.header), width: c.width }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F4' } };
    for (const values of sheet.rows) {
      ws.addRow(values.map((v) => safeCell(v === null || v === undefined ? '' : String(v))));
    }
    if (sheet.columns.length) {
      ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
    }
  }
  const out = await workbook.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

/** An .xlsx file is a zip archive: it starts with the local file header signature. */
export function looksLikeXlsx(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

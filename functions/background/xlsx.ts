import type ExcelJSModule from 'exceljs';
import { unguard } from './xlsx-writer.ts';

/**
 * Excel workbooks in, through exceljs (loaded on first use; only the worker reads workbooks). Every
 * cell becomes text: numbers as written, dates as YYYY-MM-DD, rich text and links as their text,
 * formulas as their cached result; the apostrophe the writer puts before formula-like text
 * (xlsx-writer.ts) is taken off again, so an exported list imports back as it was.
 */
type ExcelJS = typeof ExcelJSModule;
type Worksheet = ExcelJSModule.Worksheet;
type CellValue = ExcelJSModule.CellValue;

let loaded: Promise<ExcelJS> | undefined;
export function excel(): Promise<ExcelJS> {
  loaded ??= import('exceljs').then((m) => ((m as { default?: ExcelJS }).default ?? m) as ExcelJS);
  return loaded;
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

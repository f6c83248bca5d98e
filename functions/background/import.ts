import { safeParse } from 'zod/v4/core';
import { ApiCallError, type ApiClient, errorOf, type ItemOf } from '../client/api-client.ts';
import { fieldMessages, formToBody } from '../client/form-data.ts';
import { fieldIssues } from '../http/validation.ts';
import { ASSIGNMENT_ROLE_LABELS } from '../schemas/assignments.ts';
import {
  IMPORT_SHEET_NAMES,
  type ImportKind,
  MAX_IMPORT_ROWS,
  type RowIssue,
  type SheetCount,
} from '../schemas/background.ts';
import { TOWNSHIP_UNIT_KINDS, type UnitKind } from '../schemas/organisation.ts';
import {
  type HeaderMap,
  headerOf,
  mapHeaders,
  rowEntries,
  SHEET_ORDER,
  SHEETS,
  type SheetSpec,
  sheetFor,
} from './columns.ts';
import { decodeText, parseCsv } from './csv.ts';
import { mapLimit, ONE_BY_ONE_MAX, recordsById } from './lookup.ts';
import { readWorkbook, type SheetRows, UnreadableFileError } from './xlsx.ts';
import { looksLikeXlsx } from './xlsx-writer.ts';
import { checkZipSize, MAX_WORKBOOK_ENTRIES, MAX_WORKBOOK_UNCOMPRESSED_BYTES } from './zip-limits.ts';

/**
 * A roster import in two phases, both through the API as the person who asked for it:
 * 1. Validate every row: each becomes the body of its create route and is checked with that route's
 *    own zod schema (same messages as the API and the forms), then across rows and against the
 *    database: ids given twice, references to townships, villages and cadres that are neither in the
 *    file nor in the system, ids that exist with different content, a second chief for a village.
 *    Any problem at all and the import is refused with a row-by-row report, before a single write.
 * 2. Write the rows that are not there yet, in dependency order (townships, villages, cadres,
 *    assignments), each POST with an Idempotency-Key made of task id, sheet and row: a crashed or
 *    retried task repeats its own writes instead of doubling them, and rows found identical in the
 *    system count as already present.
 */
export interface ImportFile {
  bytes: Buffer;
  fileName: string;
  format: 'xlsx' | 'csv';
  csvKind?: ImportKind | undefined;
}

export interface ImportDeps {
  api: ApiClient;
  taskId: string;
  /** Validation passed; `total` rows will be written or found present. */
  startWriting(total: number): Promise<void>;
  /** Rows done so far (throttled by the caller); also called while validating, with total 0. */
  progress(done: number, total: number): Promise<void>;
  /** Parallel writes (default 8). */
  width?: number;
}

export type ImportOutcome =
  | { status: 'succeeded'; sheets: SheetCount[]; notes: string[] }
  | { status: 'refused' | 'failed'; sheets: SheetCount[]; notes: string[]; issues: RowIssue[] };

interface Row {
  row: number;
  cells: string[];
  /** The request body (as formToBody makes it from the cells). */
  body: Record<string, unknown>;
  /** The body as the schema outputs it (codes, trimmed names); undefined when invalid. */
  value: Record<string, unknown> | undefined;
  /** The row's own id (or cadre|village for assignments), as typed. */
  key: string;
  present: boolean;
  /** Body paths with a problem of their own (their references are not checked again). */
  bad: Set<string>;
}

interface Sheet {
  spec: SheetSpec;
  /** The sheet's name in the file (CSV: the chosen kind's sheet name). */
  name: string;
  map: HeaderMap;
  headerRow: number;
  rows: Row[];
  counts: SheetCount;
}

class Report {
  readonly issues: RowIssue[] = [];
  readonly notes: string[] = [];
  add(sheet: string, row: number, column: string, code: string, message: string): void {
    this.issues.push({ sheet, row, column, code, message });
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }
}

// ---------- reading the file ----------

function fileSheets(file: ImportFile, raw: SheetRows[], report: Report): Sheet[] {
  const sheets: Sheet[] = [];
  const seen = new Map<ImportKind, string>();
  for (const s of raw) {
    const spec = file.format === 'csv' ? SHEETS[file.csvKind!] : sheetFor(s.name);
    if (!spec) {
      if (s.rows.length) report.notes.push(`工作表「${s.name}」不是导入内容，已忽略`);
      continue;
    }
    const name = file.format === 'csv' ? spec.sheet : s.name;
    if (seen.has(spec.kind)) {
      report.add(
        name,
        0,
        '',
        'DUPLICATE_SHEET',
        `与工作表「${seen.get(spec.kind)}」内容相同（都是${spec.sheet}），请合并为一个工作表`,
      );
      continue;
    }
    seen.set(spec.kind, name);
    const [header, ...data] = s.rows;
    const counts: SheetCount = { kind: spec.kind, sheet: name, rows: data.length, created: 0, present: 0 };
    if (!header) continue;
    const map = mapHeaders(spec, header.cells);
    for (const column of map.missing) {
      report.add(name, header.row, column.header, 'MISSING_COLUMN', `缺少「${column.header}」列`);
    }
    for (const d of map.duplicated) {
      report.add(
        name,
        header.row,
        d.header,
        'DUPLICATE_COLUMN',
        `「${d.header}」与「${d.column.header}」是同一列，只能保留一个`,
      );
    }
    if (map.ignored.length)
      report.notes.push(
        `工作表「${name}」中的列 ${map.ignored.map((h) => `「${h}」`).join('')} 不是导入内容，已忽略`,
      );
    sheets.push({
      spec,
      name,
      map,
      headerRow: header.row,
      rows: data.map((r) => ({
        row: r.row,
        cells: r.cells,
        body: {},
        value: undefined,
        key: '',
        present: false,
        bad: new Set<string>(),
      })),
      counts,
    });
  }
  return sheets.sort((a, b) => SHEET_ORDER.indexOf(a.spec.kind) - SHEET_ORDER.indexOf(b.spec.kind));
}

async function readFile(file: ImportFile, report: Report): Promise<Sheet[]> {
  let raw: SheetRows[];
  if (file.format === 'xlsx') {
    if (!looksLikeXlsx(file.bytes)) {
      report.add(
        '',
        0,
        '',
        'UNREADABLE',
        '文件不是有效的 .xlsx 工作簿（如为 .xls 或 .et 文件，请在 Excel/WPS 中另存为 .xlsx）',
      );
      return [];
    }
    // Before exceljs unpacks it all in memory: a small file may hold gigabytes of XML (a zip bomb).
    const size = await checkZipSize(file.bytes);
    if (!size.ok) {
      report.add(
        '',
        0,
        '',
        size.reason === 'MALFORMED' ? 'UNREADABLE' : 'WORKBOOK_TOO_LARGE',
        size.reason === 'MALFORMED'
          ? '文件无法打开：不是有效的 .xlsx 工作簿，或已损坏'
          : size.reason === 'TOO_MANY_ENTRIES'
            ? `工作簿内部的部件过多（上限 ${MAX_WORKBOOK_ENTRIES} 个），不像是名册表格，已拒绝`
            : `工作簿解压后过大（上限 ${MAX_WORKBOOK_UNCOMPRESSED_BYTES / 1024 / 1024} MB），已拒绝。请只保留名册数据，或分成几个文件`,
      );
      return [];
    }
    try {
      raw = await readWorkbook(file.bytes);
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      report.add('', 0, '', 'UNREADABLE', '文件无法打开：不是有效的 .xlsx 工作簿，或已损坏');
      return [];
    }
  } else {
    const { text } = decodeText(file.bytes);
    raw = [
      {
        name: IMPORT_SHEET_NAMES[file.csvKind!],
        rows: parseCsv(text)
          .map((cells, i) => ({ row: i + 1, cells: cells.map((c) => c.trim()) }))
          .filter((r) => r.cells.some((c) => c !== '')),
      },
    ];
  }
  const sheets = fileSheets(file, raw, report);
  const rows = sheets.reduce((n, s) => n + s.rows.length, 0);
  if (sheets.length === 0 && report.ok) {
    report.add(
      '',
      0,
      '',
      'NO_SHEETS',
      `文件中没有可导入的工作表：工作表名应为 ${SHEET_ORDER.map((k) => `「${SHEETS[k].sheet}」`).join('')} 之一`,
    );
  } else if (rows === 0 && report.ok) {
    report.add(sheets[0]?.name ?? '', 0, '', 'EMPTY', '文件中没有数据行（表头下面是空的）');
  } else if (rows > MAX_IMPORT_ROWS) {
    report.add(
      '',
      0,
      '',
      'TOO_MANY_ROWS',
      `一次最多导入 ${MAX_IMPORT_ROWS} 行，本文件有 ${rows} 行，请分成几个文件`,
    );
  }
  return sheets;
}

// ---------- phase 1: validation ----------

/** Each row through its create route's schema; messages land on the column that holds the field. */
function validateRows(sheet: Sheet, report: Report): void {
  if (sheet.map.missing.length) return;
  for (const row of sheet.rows) {
    const { body, paths } = formToBody(sheet.spec.schema, rowEntries(sheet.map, row.cells));
    row.body = body;
    row.key =
      sheet.spec.kind === 'assignments'
        ? `${String(body.cadreId ?? '')}|${String(body.villageId ?? '')}`
        : sheet.spec.kind === 'leaders'
          ? `${String(body.townshipId ?? '')}|${String(body.cadreId ?? '')}|${String(body.from ?? '')}`
          : String(body.id ?? '');
    const result = safeParse(sheet.spec.schema as Parameters<typeof safeParse>[0], body);
    if (result.success) {
      row.value = result.data as Record<string, unknown>;
      continue;
    }
    for (const issue of fieldMessages(fieldIssues(result.error, 'body'), paths)) {
      row.bad.add(issue.name);
      report.add(sheet.name, row.row, headerOf(sheet.spec, issue.name), issue.code, issue.message);
    }
  }
}

/** The same id twice in one sheet; a village's chief named twice. */
function crossRowChecks(sheet: Sheet, report: Report): void {
  const first = new Map<string, number>();
  const chiefs = new Map<string, number>();
  const isAssignment = sheet.spec.kind === 'assignments';
  const isLeader = sheet.spec.kind === 'leaders';
  for (const row of sheet.rows) {
    if (!row.value) continue;
    const earlier = first.get(row.key);
    if (earlier !== undefined) {
      const [a, b, c] = row.key.split('|');
      report.add(
        sheet.name,
        row.row,
        isAssignment || isLeader ? '干部编号' : '编号',
        'DUPLICATE',
        isAssignment
          ? `干部 ${a} 包联村 ${b} 的安排与第 ${earlier} 行重复`
          : isLeader
            ? `干部 ${b} 自 ${c} 起包镇 ${a} 的安排与第 ${earlier} 行重复`
            : `编号 ${row.key} 与第 ${earlier} 行重复`,
      );
      row.value = undefined;
      continue;
    }
    first.set(row.key, row.row);
    if (isAssignment && row.value.role === 'chief') {
      const villageId = String(row.value.villageId);
      const chief = chiefs.get(villageId);
      if (chief !== undefined) {
        report.add(
          sheet.name,
          row.row,
          '角色',
          'CHIEF_TWICE',
          `村 ${villageId} 已在第 ${chief} 行指定了总队长，每村只能有一名总队长`,
        );
        row.value = undefined;
      } else chiefs.set(villageId, row.row);
    }
  }
}

const stable = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

/** Fields given in the row, as paths (`profile.households`), with their values. */
function flatten(value: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

function valueAt(record: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      record,
    );
}

/** How a stored value reads in a message (labels for codes). */
function shown(record: Record<string, unknown>, path: string): string {
  if (path === 'category') return String(record.categoryLabel ?? record.category ?? '');
  if (path === 'rank') return String(record.rankLabel ?? record.rank ?? '');
  const v = valueAt(record, path);
  return v === undefined || v === null ? '（空）' : String(v);
}

/** An id that exists: identical in every field the row gives → present; else one issue per field. */
function compareExisting(sheet: Sheet, row: Row, stored: Record<string, unknown>, report: Report): void {
  let same = true;
  for (const [path, value] of flatten(row.value!)) {
    if (path === 'id' || stable(valueAt(stored, path)) === stable(value)) continue;
    same = false;
    const header = headerOf(sheet.spec, path);
    report.add(
      sheet.name,
      row.row,
      header,
      'CONFLICT',
      `编号 ${row.key} 在系统中已存在，但${header}不同（系统中为「${shown(stored, path)}」）；如需修改请在系统中处理`,
    );
  }
  row.present = same;
}

type ActiveAssignment = ItemOf<'/assignments'>;

async function activeAssignments(api: ApiClient, villageIds: string[]): Promise<ActiveAssignment[]> {
  if (villageIds.length === 0) return [];
  if (villageIds.length > ONE_BY_ONE_MAX) {
    const wanted = new Set(villageIds);
    const all = await api.all('/assignments', { query: { active: 'true' } }, Number.POSITIVE_INFINITY);
    return all.filter((a) => wanted.has(a.villageId));
  }
  const lists = await mapLimit(villageIds, 8, (villageId) =>
    api.all('/assignments', { query: { villageId, active: 'true' } }, Number.POSITIVE_INFINITY),
  );
  return lists.flat();
}

/** References and existing records, read through the API in batches. */
async function databaseChecks(sheets: Sheet[], api: ApiClient, report: Report): Promise<void> {
  const byKind = new Map(sheets.map((s) => [s.spec.kind, s]));
  const valid = (kind: ImportKind) => (byKind.get(kind)?.rows ?? []).filter((r) => r.value);
  /** Ids the file itself defines (valid or not: a broken row is reported once, on its own line). */
  const inFile = (kind: ImportKind) =>
    new Set((byKind.get(kind)?.rows ?? []).map((r) => r.key).filter(Boolean));
  const fileTownships = inFile('townships');
  const fileVillages = inFile('villages');
  const fileCadres = inFile('cadres');

  /**
   * A reference a row makes (`townshipId`, `cadreId`, `villageId`), checked even when another cell
   * of the row is wrong, so one upload reports everything; not when that cell is wrong itself.
   */
  const ref = (row: Row, path: string): string => {
    if (row.bad.has(path)) return '';
    const v = (row.value ?? row.body)[path];
    return typeof v === 'string' ? v.trim() : '';
  };
  const rows = (kind: ImportKind) => byKind.get(kind)?.rows ?? [];
  /** A district row's villages, as typed (list cells: `村编号`). */
  const villagesOf = (row: Row): string[] => {
    if (row.bad.has('villageIds')) return [];
    const v = (row.value ?? row.body).villageIds;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
  };
  const townshipIds = [
    ...valid('townships').map((r) => r.key),
    ...rows('villages').map((r) => ref(r, 'townshipId')),
    ...rows('cadres').map((r) => ref(r, 'townshipId')),
    ...rows('units').map((r) => ref(r, 'townshipId')),
    ...rows('districts').map((r) => ref(r, 'townshipId')),
    ...rows('leaders').map((r) => ref(r, 'townshipId')),
  ];
  const villageIds = [
    ...valid('villages').map((r) => r.key),
    ...rows('assignments').map((r) => ref(r, 'villageId')),
    ...rows('districts').flatMap(villagesOf),
  ];
  const unitIds = [
    ...valid('units').map((r) => r.key),
    ...rows('cadres').map((r) => ref(r, 'unitId')),
    ...rows('districts').map((r) => ref(r, 'unitId')),
  ];
  const cadreIds = [
    ...valid('cadres').map((r) => r.key),
    ...rows('assignments').map((r) => ref(r, 'cadreId')),
    ...rows('leaders').map((r) => ref(r, 'cadreId')),
  ];
  const leaderTownships = [...new Set(rows('leaders').map((r) => ref(r, 'townshipId')))].filter(Boolean);
  const [townships, villages, cadres, assignments, units, districts, runningDistricts] = await Promise.all([
    recordsById(api, 'townships', townshipIds),
    recordsById(api, 'villages', villageIds),
    recordsById(api, 'cadres', cadreIds),
    activeAssignments(api, [...new Set(valid('assignments').map((r) => String(r.value!.villageId)))]),
    recordsById(api, 'units', unitIds),
    recordsById(
      api,
      'districts',
      valid('districts').map((r) => r.key),
    ),
    rows('districts').length
      ? api.all('/districts', { query: { active: 'true' } }, Number.POSITIVE_INFINITY)
      : Promise.resolve([]),
  ]);

  const missing = (sheet: Sheet, row: Row, column: string, message: string) => {
    report.add(sheet.name, row.row, column, 'UNKNOWN_REFERENCE', message);
  };
  for (const [kind, stored] of [
    ['townships', townships],
    ['units', units],
    ['villages', villages],
    ['cadres', cadres],
    ['districts', districts],
  ] as const) {
    const sheet = byKind.get(kind);
    for (const row of valid(kind)) {
      const existing = stored.get(row.key);
      if (existing) compareExisting(sheet!, row, existing, report);
    }
  }
  const unknownTownship = (
    kind: 'villages' | 'cadres' | 'units' | 'districts' | 'leaders',
    column: string,
  ) => {
    for (const row of rows(kind)) {
      const id = ref(row, 'townshipId');
      if (id && !fileTownships.has(id) && !townships.has(id)) {
        missing(byKind.get(kind)!, row, column, `乡镇 ${id} 不存在：本文件「乡镇」表和系统中都没有`);
      }
    }
  };
  unknownTownship('villages', '所属乡镇编号');
  unknownTownship('cadres', '所在乡镇编号');
  unknownTownship('units', '所属乡镇编号');
  unknownTownship('districts', '所属乡镇编号');
  unknownTownship('leaders', '乡镇编号');
  await leaderChecks({
    sheet: byKind.get('leaders'),
    ref,
    api,
    townships: leaderTownships.filter((id) => townships.has(id)),
    fileCadres: byKind.get('cadres')?.rows ?? [],
    cadres,
    report,
  });
  organisationChecks({ byKind, rows, ref, villagesOf, units, villages, runningDistricts, report });
  const assignmentSheet = byKind.get('assignments');
  const byVillage = new Map<string, ActiveAssignment[]>();
  for (const a of assignments) byVillage.set(a.villageId, [...(byVillage.get(a.villageId) ?? []), a]);
  for (const row of rows('assignments')) {
    const cadreId = ref(row, 'cadreId');
    const villageId = ref(row, 'villageId');
    let known = true;
    if (cadreId && !fileCadres.has(cadreId) && !cadres.has(cadreId)) {
      missing(assignmentSheet!, row, '干部编号', `干部 ${cadreId} 不存在：本文件「干部」表和系统中都没有`);
      known = false;
    }
    if (villageId && !fileVillages.has(villageId) && !villages.has(villageId)) {
      missing(assignmentSheet!, row, '村编号', `村 ${villageId} 不存在：本文件「村」表和系统中都没有`);
      known = false;
    }
    if (!known || !row.value) continue;
    const role = row.value.role as 'chief' | 'member';
    const running = byVillage.get(villageId) ?? [];
    const own = running.find((a) => a.cadreId === cadreId);
    if (own) {
      if (own.role === role) {
        row.present = true;
        continue;
      }
      report.add(
        assignmentSheet!.name,
        row.row,
        '角色',
        'CONFLICT',
        `干部 ${cadreId} 已在包联村 ${villageId}（${ASSIGNMENT_ROLE_LABELS[own.role]}，自 ${own.from} 起），与本行的角色不同；如需调整请在系统中先结束原安排`,
      );
      continue;
    }
    const chief = role === 'chief' ? running.find((a) => a.role === 'chief') : undefined;
    if (chief) {
      report.add(
        assignmentSheet!.name,
        row.row,
        '角色',
        'CHIEF_EXISTS',
        `村 ${villageId} 已有总队长（干部 ${chief.cadreId}，自 ${chief.from} 起），每村只能有一名总队长；须先在系统中结束其任职`,
      );
    }
  }
}

type Leader = ItemOf<'/townships/{id}/leaders'>;
const OPEN_END = '9999-12-31';

/**
 * 包镇领导 rows, before anything is written: the cadre known (in the file or the system) and a
 * county leader; the end not before the start; a row identical to a period in the system is present
 * (without an end it matches that period whatever its end); periods of the same leader in the same
 * township, in the file and in the system, may not overlap (as POST /townships/{id}/leaders refuses).
 */
async function leaderChecks(c: {
  sheet: Sheet | undefined;
  ref: (row: Row, path: string) => string;
  api: ApiClient;
  /** The townships of the rows that exist in the system (whose history is read). */
  townships: string[];
  fileCadres: Row[];
  cadres: Map<string, { id: string; rank?: string; rankLabel?: string; name: string }>;
  report: Report;
}): Promise<void> {
  const { sheet, ref, report } = c;
  if (!sheet) return;
  const histories = await mapLimit(c.townships, 8, (id) =>
    c.api.all('/townships/{id}/leaders', { params: { id } }, Number.POSITIVE_INFINITY),
  );
  const stored = new Map<string, Leader[]>();
  for (const l of histories.flat()) {
    const k = `${l.townshipId}|${l.cadreId}`;
    stored.set(k, [...(stored.get(k) ?? []), l]);
  }
  const fileRanks = new Map(
    c.fileCadres.map((r) => [r.key, String((r.value ?? r.body).rank ?? '')] as const),
  );
  const add = (row: Row, column: string, code: string, message: string) =>
    report.add(sheet.name, row.row, column, code, message);
  /** The periods met so far per township and leader: the file's rows to write. */
  const fromFile = new Map<string, Array<{ row: number; from: string; to: string }>>();
  for (const row of sheet.rows) {
    const cadreId = ref(row, 'cadreId');
    const fileRank = fileRanks.get(cadreId);
    const cadre = c.cadres.get(cadreId);
    if (cadreId && fileRank === undefined && !cadre) {
      add(row, '干部编号', 'UNKNOWN_REFERENCE', `干部 ${cadreId} 不存在：本文件「干部」表和系统中都没有`);
    } else if (cadreId && (fileRank ?? cadre?.rank) !== 'county' && fileRank !== '县级领导') {
      add(
        row,
        '干部编号',
        'NOT_COUNTY_LEADER',
        `干部 ${cadreId} 不是县级领导${cadre?.rankLabel && fileRank === undefined ? `（职级为${cadre.rankLabel}）` : ''}，包镇的须为县级领导`,
      );
    }
    if (!row.value) continue;
    const from = String(row.value.from);
    const to = typeof row.value.to === 'string' ? row.value.to : undefined;
    if (to !== undefined && to < from) {
      add(row, '结束日期', 'BEFORE_FROM', `结束日期不能早于起始日期（${from}）`);
      continue;
    }
    const pair = `${String(row.value.townshipId)}|${cadreId}`;
    const history = stored.get(pair) ?? [];
    const same = history.find((l) => l.from === from);
    if (same) {
      if (to === undefined || to === same.to) row.present = true;
      else {
        add(
          row,
          '结束日期',
          'CONFLICT',
          `该领导自 ${from} 起包镇的任期在系统中已存在，但结束日期不同（系统中为「${same.to ?? '在任'}」）；如需修改请在系统中处理`,
        );
      }
      continue;
    }
    const end = to ?? OPEN_END;
    const overlaps = (a: { from: string; to: string | null }) =>
      a.to !== a.from && from < (a.to ?? OPEN_END) && a.from < end;
    const inSystem = history.find(overlaps);
    const inFile = (fromFile.get(pair) ?? []).find(overlaps);
    if (inSystem) {
      add(
        row,
        '起始日期',
        'LEADER_PERIOD_OVERLAP',
        `与系统中该领导在此乡镇的任期（${inSystem.from}～${inSystem.to ?? '在任'}）重叠，同一领导在同一乡镇的任期不得重叠`,
      );
    } else if (inFile) {
      add(
        row,
        '起始日期',
        'LEADER_PERIOD_OVERLAP',
        `与第 ${inFile.row} 行的任期（${inFile.from}～${inFile.to === OPEN_END ? '在任' : inFile.to}）重叠，同一领导在同一乡镇的任期不得重叠`,
      );
    }
    fromFile.set(pair, [...(fromFile.get(pair) ?? []), { row: row.row, from, to: end }]);
  }
}

/**
 * Units, the references to them and districts, before anything is written (the API would refuse
 * these rows one by one, after earlier sheets were written): a township unit without its township
 * and a department with one; an unknown unit; a district's department that is not a county
 * department; its villages unknown, of another township, given twice or already in a running district.
 */
function organisationChecks(c: {
  byKind: Map<ImportKind, Sheet>;
  rows: (kind: ImportKind) => Row[];
  ref: (row: Row, path: string) => string;
  villagesOf: (row: Row) => string[];
  units: Map<string, { id: string; kind?: string }>;
  villages: Map<string, { id: string; townshipId?: string }>;
  runningDistricts: ReadonlyArray<{ id: string; name: string; villageIds: string[] }>;
  report: Report;
}): void {
  const { byKind, rows, ref, report } = c;
  const fileUnitKinds = new Map(
    rows('units').map((r) => [r.key, String((r.value ?? r.body).kind ?? '')] as const),
  );
  const unitKind = (id: string) => fileUnitKinds.get(id) ?? c.units.get(id)?.kind;
  const unitSheet = byKind.get('units');
  for (const row of rows('units')) {
    if (!row.value) continue;
    const township = TOWNSHIP_UNIT_KINDS.includes(row.value.kind as UnitKind);
    if (township && !row.value.townshipId) {
      report.add(
        unitSheet!.name,
        row.row,
        '所属乡镇编号',
        'REQUIRED',
        '乡镇党委、乡镇政府须填写所属乡镇编号',
      );
    } else if (!township && row.value.townshipId) {
      report.add(
        unitSheet!.name,
        row.row,
        '所属乡镇编号',
        'NOT_ALLOWED',
        '县直部门不属于乡镇，所属乡镇编号请留空',
      );
    }
  }
  const cadreSheet = byKind.get('cadres');
  for (const row of rows('cadres')) {
    const id = ref(row, 'unitId');
    if (id && !unitKind(id)) {
      report.add(
        cadreSheet!.name,
        row.row,
        '单位编号',
        'UNKNOWN_REFERENCE',
        `单位 ${id} 不存在：本文件「单位」表和系统中都没有`,
      );
    }
  }
  const sheet = byKind.get('districts');
  if (!sheet) return;
  const fileVillageTownships = new Map(
    rows('villages').map((r) => [r.key, String((r.value ?? r.body).townshipId ?? '')] as const),
  );
  const inRunning = new Map<string, { id: string; name: string }>();
  for (const d of c.runningDistricts) for (const v of d.villageIds) inRunning.set(v, d);
  const claimed = new Map<string, number>();
  for (const row of rows('districts')) {
    const unitId = ref(row, 'unitId');
    const kind = unitId ? unitKind(unitId) : undefined;
    if (unitId && !kind) {
      report.add(
        sheet.name,
        row.row,
        '包片部门编号',
        'UNKNOWN_REFERENCE',
        `单位 ${unitId} 不存在：本文件「单位」表和系统中都没有`,
      );
    } else if (unitId && kind !== 'department') {
      report.add(
        sheet.name,
        row.row,
        '包片部门编号',
        'NOT_A_DEPARTMENT',
        `单位 ${unitId} 不是县直部门，包片的须为县直部门`,
      );
    }
    const townshipId = ref(row, 'townshipId');
    for (const villageId of c.villagesOf(row)) {
      const township = fileVillageTownships.get(villageId) ?? c.villages.get(villageId)?.townshipId;
      const earlier = claimed.get(villageId);
      const holder = inRunning.get(villageId);
      if (township === undefined) {
        report.add(
          sheet.name,
          row.row,
          '村编号',
          'UNKNOWN_REFERENCE',
          `村 ${villageId} 不存在：本文件「村」表和系统中都没有`,
        );
      } else if (townshipId && township !== townshipId) {
        report.add(
          sheet.name,
          row.row,
          '村编号',
          'VILLAGE_NOT_IN_TOWNSHIP',
          `村 ${villageId} 不属于乡镇 ${townshipId}`,
        );
      } else if (earlier !== undefined) {
        report.add(
          sheet.name,
          row.row,
          '村编号',
          'DUPLICATE',
          `村 ${villageId} 已在第 ${earlier} 行划入片区，一个村只能属于一个片区`,
        );
      } else if (holder && holder.id !== row.key) {
        report.add(
          sheet.name,
          row.row,
          '村编号',
          'VILLAGE_IN_DISTRICT',
          `村 ${villageId} 已属于片区「${holder.name}」，须先在系统中撤销该片区`,
        );
      }
      if (earlier === undefined) claimed.set(villageId, row.row);
    }
  }
}

// ---------- phase 2: writing ----------

export function rowKey(taskId: string, kind: ImportKind, row: number): string {
  return `task-${taskId}-${kind}-${row}`;
}

async function writeSheet(
  sheet: Sheet,
  deps: ImportDeps,
  report: Report,
  tick: () => Promise<void>,
): Promise<boolean> {
  let ok = true;
  const pending = sheet.rows.filter((r) => !r.present);
  await mapLimit(pending, deps.width ?? 8, async (row) => {
    const idempotencyKey = rowKey(deps.taskId, sheet.spec.kind, row.row);
    let res: { status: number; ok: boolean; body: unknown };
    if (sheet.spec.path === '/townships/{id}/leaders') {
      const { townshipId, ...body } = row.body;
      res = await deps.api.relay('POST', sheet.spec.path, {
        params: { id: String(townshipId) },
        body,
        idempotencyKey,
      });
    } else res = await deps.api.relay('POST', sheet.spec.path, { body: row.body, idempotencyKey });
    if (res.status === 201) sheet.counts.created++;
    else if (res.ok) sheet.counts.present++;
    else if (res.status >= 500)
      throw new ApiCallError(res.status, errorOf(res.body), `POST ${sheet.spec.path}`);
    else {
      // Something changed between validation and this write (another person, another import).
      ok = false;
      const error = errorOf(res.body);
      const fields = (error.fields ?? []).filter((f) => f.path.startsWith('body.'));
      if (fields.length === 0) report.add(sheet.name, row.row, '', error.code, error.message);
      for (const f of fields) {
        report.add(
          sheet.name,
          row.row,
          headerOf(sheet.spec, f.path.slice('body.'.length)),
          f.code,
          `${error.message}：${f.message}`,
        );
      }
    }
    await tick();
  });
  return ok;
}

export async function runImport(file: ImportFile, deps: ImportDeps): Promise<ImportOutcome> {
  const report = new Report();
  const sheets = await readFile(file, report);
  const counts = () => sheets.map((s) => s.counts);
  if (!report.ok) return { status: 'refused', sheets: counts(), notes: report.notes, issues: report.issues };

  for (const sheet of sheets) {
    validateRows(sheet, report);
    crossRowChecks(sheet, report);
  }
  await deps.progress(0, 0);
  await databaseChecks(sheets, deps.api, report);
  for (const sheet of sheets) sheet.counts.present = sheet.rows.filter((r) => r.present).length;
  if (!report.ok) {
    report.issues.sort(
      (a, b) =>
        SHEET_ORDER.indexOf(kindOf(sheets, a.sheet)) - SHEET_ORDER.indexOf(kindOf(sheets, b.sheet)) ||
        a.row - b.row,
    );
    return { status: 'refused', sheets: counts(), notes: report.notes, issues: report.issues };
  }

  const total = sheets.reduce((n, s) => n + s.rows.length, 0);
  await deps.startWriting(total);
  let done = sheets.reduce((n, s) => n + s.counts.present, 0);
  await deps.progress(done, total);
  const tick = async () => {
    done++;
    await deps.progress(done, total);
  };
  for (const sheet of sheets) {
    // A later kind depends on the earlier ones: stop at the first sheet that could not be written.
    if (!(await writeSheet(sheet, deps, report, tick))) {
      return { status: 'failed', sheets: counts(), notes: report.notes, issues: report.issues };
    }
  }
  return { status: 'succeeded', sheets: counts(), notes: report.notes };
}

function kindOf(sheets: Sheet[], name: string): ImportKind {
  return sheets.find((s) => s.name === name)?.spec.kind ?? 'townships';
}

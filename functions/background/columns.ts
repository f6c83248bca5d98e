import type { FormEntries } from '../client/form-data.ts';
import { createAssignment } from '../schemas/assignments.ts';
import { IMPORT_KINDS, IMPORT_SHEET_NAMES, type ImportKind } from '../schemas/background.ts';
import {
  createDistrict,
  createUnit,
  importTownshipLeader,
  UNIT_KIND_LABELS,
} from '../schemas/organisation.ts';
import {
  CADRE_RANK_LABELS,
  createCadre,
  createTownship,
  createVillage,
  VILLAGE_CATEGORY_LABELS,
} from '../schemas/roster.ts';

/**
 * The import file's columns: Chinese headers (as in the template and as people write them) mapped to
 * the API body fields of the create routes, so a row becomes exactly the body POST /townships,
 * /villages, /cadres or /assignments validates. Labels (深度贫困村, 科级) pass through as they are,
 * because the API's schemas accept them; the assignment role is the one field whose labels are
 * mapped here (总队长 → chief). Pure: no I/O, used by the import, the template and the tests.
 */
export interface ColumnSpec {
  /** The header in the template. */
  header: string;
  /** Other headers meaning the same column. */
  aliases?: readonly string[];
  /** The API body field (dotted path, e.g. `profile.households`). */
  path: string;
  required?: boolean;
  /** Dates are normalised (2026/1/5, 2026年1月5日, 2026.1.5 → 2026-01-05) before validation. */
  type?: 'date';
  /** Labels mapped to codes before validation. */
  values?: Readonly<Record<string, string>>;
  /** Several values in one cell (村编号 of a district), separated by 、 , ， ; ； or spaces. */
  list?: boolean;
  /** The template's example value and column width (characters). */
  example: string;
  width: number;
  /** Shown under the header in the template's notes row. */
  hint: string;
}

export interface SheetSpec {
  kind: ImportKind;
  sheet: string;
  aliases: readonly string[];
  /** API route the rows are posted to, and the body schema they are checked with. */
  path:
    | '/townships'
    | '/units'
    | '/villages'
    | '/cadres'
    | '/assignments'
    | '/districts'
    // The row's 乡镇编号 fills {id}; the rest of the row is the body.
    | '/townships/{id}/leaders';
  schema: unknown;
  columns: readonly ColumnSpec[];
}

const labels = (map: Record<string, string>) => Object.values(map).join('、');

export const SHEETS: Record<ImportKind, SheetSpec> = {
  townships: {
    kind: 'townships',
    sheet: IMPORT_SHEET_NAMES.townships,
    aliases: ['乡镇名单', '乡镇表'],
    path: '/townships',
    schema: createTownship,
    columns: [
      {
        header: '编号',
        aliases: ['乡镇编号', 'ID'],
        path: 'id',
        required: true,
        example: 'T01',
        width: 12,
        hint: '必填；字母、数字、_ . -',
      },
      {
        header: '名称',
        aliases: ['乡镇名称', '乡镇'],
        path: 'name',
        required: true,
        example: '青石乡',
        width: 16,
        hint: '必填',
      },
    ],
  },
  units: {
    kind: 'units',
    sheet: IMPORT_SHEET_NAMES.units,
    aliases: ['单位名单', '单位表'],
    path: '/units',
    schema: createUnit,
    columns: [
      {
        header: '编号',
        aliases: ['单位编号', 'ID'],
        path: 'id',
        required: true,
        example: 'U01',
        width: 12,
        hint: '必填；字母、数字、_ . -',
      },
      {
        header: '名称',
        aliases: ['单位名称', '单位'],
        path: 'name',
        required: true,
        example: '县水务局',
        width: 20,
        hint: '必填',
      },
      {
        header: '类别',
        aliases: ['单位类别'],
        path: 'kind',
        required: true,
        example: UNIT_KIND_LABELS.department,
        width: 12,
        hint: `必填：${labels(UNIT_KIND_LABELS)}`,
      },
      {
        header: '所属乡镇编号',
        aliases: ['乡镇编号'],
        path: 'townshipId',
        example: '',
        width: 14,
        hint: '乡镇党委、乡镇政府必填；县直部门不填',
      },
    ],
  },
  villages: {
    kind: 'villages',
    sheet: IMPORT_SHEET_NAMES.villages,
    aliases: ['村名单', '村表', '行政村'],
    path: '/villages',
    schema: createVillage,
    columns: [
      {
        header: '编号',
        aliases: ['村编号', 'ID'],
        path: 'id',
        required: true,
        example: 'V001',
        width: 12,
        hint: '必填',
      },
      {
        header: '名称',
        aliases: ['村名称', '村名', '村'],
        path: 'name',
        required: true,
        example: '红旗村',
        width: 16,
        hint: '必填',
      },
      {
        header: '所属乡镇编号',
        aliases: ['乡镇编号'],
        path: 'townshipId',
        required: true,
        example: 'T01',
        width: 14,
        hint: '必填；本文件「乡镇」表中或系统中已有的乡镇',
      },
      {
        header: '类别',
        aliases: ['村类别', '贫困类别'],
        path: 'category',
        required: true,
        example: VILLAGE_CATEGORY_LABELS.deep,
        width: 14,
        hint: `必填：${labels(VILLAGE_CATEGORY_LABELS)}`,
      },
      { header: '户数', path: 'profile.households', example: '412', width: 8, hint: '整数' },
      {
        header: '人口',
        aliases: ['人口数'],
        path: 'profile.population',
        example: '1630',
        width: 8,
        hint: '整数',
      },
      {
        header: '党员人数',
        aliases: ['党员数'],
        path: 'profile.partyMembers',
        example: '46',
        width: 10,
        hint: '整数',
      },
      {
        header: '外出务工人数',
        aliases: ['外出务工'],
        path: 'profile.migrantWorkers',
        example: '380',
        width: 12,
        hint: '整数',
      },
      { header: '贫困户数', path: 'profile.poorHouseholds', example: '88', width: 10, hint: '整数' },
      {
        header: '贫困人口',
        aliases: ['贫困人口数'],
        path: 'profile.poorPopulation',
        example: '301',
        width: 10,
        hint: '整数',
      },
      {
        header: '纬度',
        aliases: ['村委会纬度'],
        path: 'location.lat',
        example: '34.5812',
        width: 10,
        hint: '村委会位置（WGS-84，度），与经度同填或同空',
      },
      {
        header: '经度',
        aliases: ['村委会经度'],
        path: 'location.lng',
        example: '105.7231',
        width: 10,
        hint: '村委会位置（WGS-84，度）',
      },
    ],
  },
  cadres: {
    kind: 'cadres',
    sheet: IMPORT_SHEET_NAMES.cadres,
    aliases: ['干部名单', '包村干部', '干部表'],
    path: '/cadres',
    schema: createCadre,
    columns: [
      {
        header: '编号',
        aliases: ['干部编号', 'ID'],
        path: 'id',
        required: true,
        example: 'C001',
        width: 12,
        hint: '必填；干部登录时用此编号',
      },
      {
        header: '姓名',
        aliases: ['名称', '干部姓名'],
        path: 'name',
        required: true,
        example: '李明',
        width: 10,
        hint: '必填',
      },
      {
        header: '派出单位',
        aliases: ['单位', '工作单位'],
        path: 'unit',
        required: true,
        example: '县水务局',
        width: 20,
        hint: '必填',
      },
      {
        header: '单位编号',
        aliases: ['所属单位编号'],
        path: 'unitId',
        example: 'U01',
        width: 12,
        hint: '可选；本文件「单位」表中或系统中已有的单位',
      },
      {
        header: '职级',
        aliases: ['级别'],
        path: 'rank',
        required: true,
        example: CADRE_RANK_LABELS.section,
        width: 10,
        hint: `必填：${labels(CADRE_RANK_LABELS)}`,
      },
      {
        header: '所在乡镇编号',
        aliases: ['所属乡镇编号', '乡镇编号'],
        path: 'townshipId',
        example: 'T01',
        width: 14,
        hint: '可选；乡镇干部填写',
      },
      {
        header: '手机',
        aliases: ['手机号', '手机号码', '电话', '联系电话'],
        path: 'phone',
        example: '13800138000',
        width: 14,
        hint: '可选；11 位手机号或带区号的固定电话',
      },
      {
        header: '电子邮箱',
        aliases: ['邮箱', '电子邮件', 'Email'],
        path: 'email',
        example: 'liming@example.cn',
        width: 22,
        hint: '可选；用于接收通知',
      },
    ],
  },
  assignments: {
    kind: 'assignments',
    sheet: IMPORT_SHEET_NAMES.assignments,
    aliases: ['包村', '包联关系', '包村安排'],
    path: '/assignments',
    schema: createAssignment,
    columns: [
      {
        header: '干部编号',
        path: 'cadreId',
        required: true,
        example: 'C001',
        width: 12,
        hint: '必填；本文件「干部」表中或系统中已有的干部',
      },
      {
        header: '村编号',
        path: 'villageId',
        required: true,
        example: 'V001',
        width: 12,
        hint: '必填；本文件「村」表中或系统中已有的村',
      },
      {
        header: '角色',
        aliases: ['包村角色', '职务'],
        path: 'role',
        required: true,
        values: { 总队长: 'chief', 队长: 'chief', 工作队员: 'member', 队员: 'member' },
        example: '总队长',
        width: 10,
        hint: '必填：总队长、工作队员（每村一名总队长）',
      },
      {
        header: '开始日期',
        aliases: ['起始日期', '开始时间'],
        path: 'from',
        type: 'date',
        example: '2026-01-05',
        width: 12,
        hint: '可选；默认导入当天',
      },
      { header: '备注', path: 'note', example: '', width: 20, hint: '可选' },
    ],
  },
  districts: {
    kind: 'districts',
    sheet: IMPORT_SHEET_NAMES.districts,
    aliases: ['片区名单', '片区表', '包片'],
    path: '/districts',
    schema: createDistrict,
    columns: [
      {
        header: '编号',
        aliases: ['片区编号', 'ID'],
        path: 'id',
        required: true,
        example: 'D01',
        width: 12,
        hint: '必填',
      },
      {
        header: '名称',
        aliases: ['片区名称', '片区'],
        path: 'name',
        required: true,
        example: '青石东片',
        width: 16,
        hint: '必填',
      },
      {
        header: '所属乡镇编号',
        aliases: ['乡镇编号'],
        path: 'townshipId',
        required: true,
        example: 'T01',
        width: 14,
        hint: '必填',
      },
      {
        header: '村编号',
        aliases: ['片区内的村'],
        path: 'villageIds',
        required: true,
        list: true,
        example: 'V001、V002',
        width: 24,
        hint: '必填；用顿号或逗号分隔，须属于该乡镇，一个村只属于一个片区',
      },
      {
        header: '包片部门编号',
        aliases: ['包片单位编号', '单位编号'],
        path: 'unitId',
        example: 'U01',
        width: 14,
        hint: '可选；县直部门',
      },
      {
        header: '开始日期',
        aliases: ['起始日期'],
        path: 'from',
        type: 'date',
        example: '2026-01-05',
        width: 12,
        hint: '可选；默认导入当天',
      },
    ],
  },
  leaders: {
    kind: 'leaders',
    sheet: IMPORT_SHEET_NAMES.leaders,
    aliases: ['包镇', '县级领导包镇', '包镇安排'],
    path: '/townships/{id}/leaders',
    schema: importTownshipLeader,
    columns: [
      {
        header: '乡镇编号',
        aliases: ['所包乡镇编号'],
        path: 'townshipId',
        required: true,
        example: 'T01',
        width: 12,
        hint: '必填；本文件「乡镇」表中或系统中已有的乡镇',
      },
      {
        header: '干部编号',
        aliases: ['领导编号'],
        path: 'cadreId',
        required: true,
        example: 'C060',
        width: 12,
        hint: '必填；职级为县级领导的干部（本文件「干部」表中或系统中已有）',
      },
      {
        header: '起始日期',
        aliases: ['开始日期', '开始时间'],
        path: 'from',
        type: 'date',
        required: true,
        example: '2026-01-05',
        width: 12,
        hint: '必填；同一领导在同一乡镇的任期不得重叠',
      },
      {
        header: '结束日期',
        aliases: ['截止日期'],
        path: 'to',
        type: 'date',
        example: '',
        width: 12,
        hint: '可选；补录已结束的任期时填写（当天起不再包镇），在任的不填',
      },
      { header: '备注', path: 'note', example: '', width: 20, hint: '可选' },
    ],
  },
};

export const SHEET_ORDER: readonly ImportKind[] = IMPORT_KINDS;

/** Headers and sheet names as people type them: spaces, required marks and notes in brackets go. */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[*＊]/g, '')
    .replace(/[（(][^）)]*[）)]$/, '')
    .toLowerCase();
}

/** The sheet spec a workbook sheet name stands for, if any. */
export function sheetFor(name: string): SheetSpec | undefined {
  const wanted = normalizeHeader(name);
  return Object.values(SHEETS).find(
    (s) => normalizeHeader(s.sheet) === wanted || s.aliases.some((a) => normalizeHeader(a) === wanted),
  );
}

export interface HeaderMap {
  /** Column index (0-based) → column spec, for the recognised columns. */
  columns: Map<number, ColumnSpec>;
  /** Headers nobody asked for (kept out of the body: 序号 and the like). */
  ignored: string[];
  /** Required columns the header row lacks. */
  missing: ColumnSpec[];
  /** A column given twice (two headers meaning the same field). */
  duplicated: Array<{ column: ColumnSpec; header: string }>;
}

export function mapHeaders(spec: SheetSpec, headers: readonly string[]): HeaderMap {
  const byName = new Map<string, ColumnSpec>();
  for (const column of spec.columns) {
    for (const name of [column.header, ...(column.aliases ?? [])]) byName.set(normalizeHeader(name), column);
  }
  const columns = new Map<number, ColumnSpec>();
  const ignored: string[] = [];
  const duplicated: HeaderMap['duplicated'] = [];
  const seen = new Set<ColumnSpec>();
  headers.forEach((header, index) => {
    if (header.trim() === '') return;
    const column = byName.get(normalizeHeader(header));
    if (!column) {
      ignored.push(header.trim());
      return;
    }
    if (seen.has(column)) {
      duplicated.push({ column, header: header.trim() });
      return;
    }
    seen.add(column);
    columns.set(index, column);
  });
  const missing = spec.columns.filter((c) => c.required && !seen.has(c));
  return { columns, ignored, missing, duplicated };
}

/** 2026/1/5, 2026.1.5, 2026年1月5日, 2026-1-5 → 2026-01-05; anything else as it is (the schema says why). */
export function normalizeDate(text: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.trim());
  if (!m) return text.trim();
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/**
 * One data row → form entries named by body path, for formToBody with the sheet's schema. Every
 * recognised column is given (empty ones too), so an empty required cell reads "不能为空".
 */
export function rowEntries(map: HeaderMap, cells: readonly string[]): FormEntries {
  const entries: Array<[string, string]> = [];
  for (const [index, column] of map.columns) {
    let value = (cells[index] ?? '').trim();
    if (column.list) {
      for (const part of value.split(/[、,，;；\s]+/).filter(Boolean)) entries.push([column.path, part]);
      continue;
    }
    if (value && column.type === 'date') value = normalizeDate(value);
    if (value && column.values) value = column.values[value] ?? value;
    entries.push([column.path, value]);
  }
  return entries;
}

/** The header of the column holding a body path (`profile.households` → 户数). */
export function headerOf(spec: SheetSpec, path: string): string {
  const exact = spec.columns.find((c) => c.path === path);
  if (exact) return exact.header;
  const parent = spec.columns.find((c) => path.startsWith(`${c.path}.`) || c.path.startsWith(`${path}.`));
  return parent?.header ?? '';
}

import * as z from 'zod/mini';
import {
  built,
  calendarDate,
  entityId,
  freeText,
  LIMITS,
  nameText,
  orList,
  page,
  pageQuery,
} from './common.ts';

/**
 * The organisation above the village teams (seed 004: 县级领导包镇（街道）、部门包片、干部包村):
 * units (单位: county departments, township party committees and governments) that cadres belong
 * to; county leaders over townships (包镇); districts (片区: named groups of a township's villages)
 * covered by a department (包片). Leaders and a district's departments carry effective dates, half-open
 * like assignments: `from` is the first day, `to` the first day no longer.
 */
export const UNIT_KINDS = ['department', 'township-committee', 'township-government'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UNIT_KIND_LABELS: Record<UnitKind, string> = {
  department: '县直部门',
  'township-committee': '乡镇党委',
  'township-government': '乡镇政府',
};
/** The kinds that belong to a township: their cadres are that township's cadres. */
export const TOWNSHIP_UNIT_KINDS: readonly UnitKind[] = ['township-committee', 'township-government'];

const byLabel = new Map<string, string>(
  Object.entries(UNIT_KIND_LABELS).map(([code, label]) => [label, code]),
);
const kindMessage = `请选择单位类别：${orList(UNIT_KINDS.map((k) => UNIT_KIND_LABELS[k]))}`;
/** The code or its Chinese label (as a workbook holds it); stored as the code. */
const unitKind = z.pipe(
  z.transform((v: unknown) => (typeof v === 'string' ? (byLabel.get(v.trim()) ?? v.trim()) : v)),
  z.enum(UNIT_KINDS, { message: kindMessage }),
);

const version = z.number().check(z.int(), z.describe('版本号：修改（PATCH）时以 If-Match 回传'));

export const createUnit = z.lazy(() =>
  z.strictObject({
    id: entityId,
    name: nameText(LIMITS.name).check(z.describe('单位名称，如 县水务局、青石乡党委')),
    kind: unitKind,
    townshipId: z.optional(entityId).check(z.describe('所属乡镇：乡镇党委、乡镇政府必填；县直部门不填')),
  }),
);

export const unit = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(UNIT_KINDS),
    kindLabel: z.string(),
    townshipId: z.optional(z.string()),
    version,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

/** A unit's name may be corrected; its kind and township stay as created (coverage history reads them). */
export const patchUnit = z.lazy(() => z.strictObject({ name: z.optional(built(createUnit).shape.name) }));

export const unitListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    kind: z.optional(z.enum(UNIT_KINDS, { message: kindMessage })),
    townshipId: z.optional(entityId),
  }),
);
export const unitPage = z.lazy(() => page(unit));

// ---------------------------------------------------------------------------------------------
// County leaders over townships (包镇)

export const createTownshipLeader = z.lazy(() =>
  z.strictObject({
    cadreId: entityId.check(z.describe('县级领导的干部编号（职级须为县级领导）')),
    from: z.optional(calendarDate).check(z.describe('开始日期（北京时间，当天起包镇）；默认今天')),
    to: z
      .optional(calendarDate)
      .check(z.describe('结束日期（不含，须晚于开始日期）：补录已结束的包镇任期；不填为在任')),
    note: z.optional(freeText(LIMITS.shortText)).check(z.describe('备注')),
  }),
);

/** A 包镇领导 row of the roster workbook: the township in the row, the start date required. */
export const importTownshipLeader = z.lazy(() =>
  z.strictObject({
    townshipId: entityId.check(z.describe('乡镇编号')),
    ...built(createTownshipLeader).shape,
    from: calendarDate.check(z.describe('开始日期（北京时间，当天起包镇）')),
  }),
);

export const endTownshipLeader = z.lazy(() =>
  z.strictObject({
    to: z
      .optional(calendarDate)
      .check(z.describe('结束日期（自该日起不再包镇，不得早于开始日期）；默认今天')),
    reason: z.optional(freeText(LIMITS.shortText)).check(z.describe('结束原因')),
  }),
);

export const townshipLeaderParams = z.lazy(() => z.strictObject({ id: entityId, leaderId: entityId }));

export const townshipLeader = z.lazy(() =>
  z.object({
    id: z.string(),
    townshipId: z.string(),
    cadreId: z.string(),
    from: z.string().check(z.describe('开始日期（含）')),
    to: z.nullable(z.string()).check(z.describe('结束日期（不含）；未结束为 null')),
    active: z.boolean(),
    note: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    endedAt: z.optional(z.string()),
    endedBy: z.optional(z.string()),
    endReason: z.optional(z.string()),
  }),
);

export const townshipLeaderListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    active: z.optional(
      z.pipe(
        z.enum(['true', 'false'], { message: '请选择是否只看未结束的' }),
        z.transform((v: 'true' | 'false') => v === 'true'),
      ),
    ),
  }),
);
export const townshipLeaderPage = z.lazy(() => page(townshipLeader));

// ---------------------------------------------------------------------------------------------
// Districts (片区) and the departments that cover them (包片)

export const MAX_DISTRICT_VILLAGES = 200;

export const createDistrict = z.lazy(() =>
  z.strictObject({
    id: entityId,
    name: nameText(LIMITS.name).check(z.describe('片区名称，如 青石乡东片')),
    townshipId: entityId.check(z.describe('所属乡镇')),
    villageIds: z
      .array(entityId, {
        error: (issue) => (issue.input === undefined ? '请至少选择一个村' : '须为村编号的列表'),
      })
      .check(
        z.minLength(1, '请至少选择一个村'),
        z.maxLength(MAX_DISTRICT_VILLAGES, `一个片区最多 ${MAX_DISTRICT_VILLAGES} 个村`),
        z.describe('片区内的村（须属于该乡镇；一个村同一时间只属于一个片区）'),
      ),
    unitId: z.optional(entityId).check(z.describe('包片部门（县直部门的单位编号）；暂缺可不填')),
    from: z.optional(calendarDate).check(z.describe('开始日期（北京时间）；默认今天')),
  }),
);

/** A change of the covering department from a date; `unitId: null` ends the cover (a gap). */
export const changeDistrictDepartment = z.lazy(() =>
  z.strictObject({
    unitId: z.nullable(entityId).check(z.describe('新的包片部门（县直部门）；null 为不再有部门包片')),
    from: z.optional(calendarDate).check(z.describe('自该日起（北京时间）；默认今天')),
    reason: z.optional(freeText(LIMITS.shortText)).check(z.describe('调整原因')),
  }),
);

export const endDistrict = z.lazy(() =>
  z.strictObject({
    to: z.optional(calendarDate).check(z.describe('撤销日期（自该日起不再有此片区）；默认今天')),
    reason: z.optional(freeText(LIMITS.shortText)).check(z.describe('撤销原因')),
  }),
);

export const districtDepartment = z.lazy(() =>
  z.object({
    unitId: z.string(),
    from: z.string(),
    to: z.nullable(z.string()),
  }),
);

export const district = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    townshipId: z.string(),
    villageIds: z.array(z.string()),
    unitId: z.optional(z.string()).check(z.describe('当前的包片部门；没有则缺')),
    departments: z.array(districtDepartment).check(z.describe('包片部门的历史，按开始日期')),
    from: z.string(),
    to: z.nullable(z.string()),
    active: z.boolean(),
    endReason: z.optional(z.string()),
    version,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const districtListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    townshipId: z.optional(entityId),
    unitId: z.optional(entityId),
    active: built(townshipLeaderListQuery).shape.active,
  }),
);
export const districtPage = z.lazy(() => page(district));

export type CreateUnit = z.output<typeof createUnit>;
export type Unit = z.output<typeof unit>;
export type CreateTownshipLeader = z.output<typeof createTownshipLeader>;
export type TownshipLeader = z.output<typeof townshipLeader>;
export type CreateDistrict = z.output<typeof createDistrict>;
export type District = z.output<typeof district>;
export type DistrictDepartment = z.output<typeof districtDepartment>;

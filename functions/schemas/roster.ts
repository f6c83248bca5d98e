import * as z from 'zod/mini';
import { built, entityId, LIMITS, nameText, orList, page, pageQuery } from './common.ts';
import { geoPoint } from './location.ts';

export const VILLAGE_CATEGORIES = ['deep', 'general', 'non'] as const;
export const VILLAGE_CATEGORY_LABELS = {
  deep: '深度贫困村',
  general: '一般贫困村',
  non: '非贫困村',
} as const;
export const CADRE_RANKS = ['county', 'section', 'staff', 'general'] as const;
export const CADRE_RANK_LABELS = {
  county: '县级领导',
  section: '科级',
  staff: '股级',
  general: '一般干部',
} as const;

/**
 * The ranks people write on a roster (职务职级并行 since 2019, and the everyday short forms), read as
 * the four rank groups the rules know. 副科级 is a 科级 cadre; 一级主任科员 sits at 科级 too; 科员 and
 * 办事员 are 一般干部. A rank not listed here is refused with the groups to choose from.
 */
export const CADRE_RANK_SYNONYMS: Record<string, (typeof CADRE_RANKS)[number]> = {
  县级: 'county',
  县处级: 'county',
  正县级: 'county',
  副县级: 'county',
  处级: 'county',
  正处级: 'county',
  副处级: 'county',
  县领导: 'county',
  一级调研员: 'county',
  二级调研员: 'county',
  三级调研员: 'county',
  四级调研员: 'county',
  乡科级: 'section',
  正科级: 'section',
  副科级: 'section',
  正科: 'section',
  副科: 'section',
  科级领导: 'section',
  一级主任科员: 'section',
  二级主任科员: 'section',
  三级主任科员: 'section',
  四级主任科员: 'section',
  主任科员: 'section',
  副主任科员: 'section',
  正股级: 'staff',
  副股级: 'staff',
  股长: 'staff',
  副股长: 'staff',
  科员: 'general',
  一级科员: 'general',
  二级科员: 'general',
  办事员: 'general',
  一般: 'general',
};

/** Accept the code or its Chinese label, store the code. */
function labelled<const T extends readonly [string, ...string[]]>(
  codes: T,
  labels: Record<T[number], string>,
  what: string,
  synonyms: Record<string, T[number]> = {},
) {
  const byLabel = new Map<string, string>([
    ...Object.entries(synonyms),
    ...Object.entries(labels).map(([code, label]) => [label as string, code] as [string, string]),
  ]);
  // zod/mini has no preprocess; classic's is exactly this pipe.
  return z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' ? (byLabel.get(v.trim()) ?? v.trim()) : v)),
    z.enum(codes, {
      message: `请选择${what}：${orList(codes.map((c) => labels[c as T[number]]))}`,
    }),
  );
}

const count = z.number().check(z.int('须为整数'), z.gte(0, '不能为负数'), z.lte(10_000_000, '数值过大'));

export const villageProfile = z.lazy(() =>
  z.strictObject({
    households: z.optional(count).check(z.describe('户数')),
    population: z.optional(count).check(z.describe('人口')),
    partyMembers: z.optional(count).check(z.describe('党员人数')),
    migrantWorkers: z.optional(count).check(z.describe('外出务工人数')),
    poorHouseholds: z.optional(count).check(z.describe('贫困户数')),
    poorPopulation: z.optional(count).check(z.describe('贫困人口')),
  }),
);

export const createTownship = z.lazy(() =>
  z.strictObject({
    id: entityId,
    name: nameText(),
  }),
);

export const createVillage = z.lazy(() =>
  z.strictObject({
    id: entityId,
    name: nameText(),
    townshipId: entityId,
    category: labelled(VILLAGE_CATEGORIES, VILLAGE_CATEGORY_LABELS, '村类别'),
    profile: z.optional(villageProfile),
    location: z.optional(geoPoint).check(z.describe('村委会位置（可选）：用于判断驻村记录是否远离本村')),
  }),
);

const phone = z
  .string()
  .check(
    z.trim(),
    z.regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '电话号码格式不正确（手机号 11 位，或带区号的固定电话）'),
  );

export const createCadre = z.lazy(() =>
  z.strictObject({
    id: entityId,
    name: nameText(),
    unit: nameText(LIMITS.shortText).check(z.describe('派出单位')),
    unitId: z.optional(entityId).check(z.describe('所属单位编号（单位名册中的单位，可选）')),
    rank: labelled(CADRE_RANKS, CADRE_RANK_LABELS, '职级', CADRE_RANK_SYNONYMS),
    townshipId: z.optional(entityId).check(z.describe('所在乡镇（可选）')),
    email: z.optional(z.email('电子邮箱格式不正确').check(z.maxLength(254))),
    phone: z.optional(phone),
  }),
);

/**
 * A roster record's version: 1 when created, one more on every correction (PATCH with If-Match).
 * Records written before versions existed read as version 1.
 */
const version = z.number().check(z.int(), z.describe('版本号：修改（PATCH）时以 If-Match 回传'));

export const township = z.lazy(() =>
  z.extend(built(createTownship), {
    version,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const village = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    townshipId: z.string(),
    category: z.enum(VILLAGE_CATEGORIES),
    categoryLabel: z.string(),
    profile: z.optional(villageProfile),
    location: z.optional(geoPoint),
    version,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const cadre = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    unit: z.string(),
    unitId: z.optional(z.string()),
    rank: z.enum(CADRE_RANKS),
    rankLabel: z.string(),
    townshipId: z.optional(z.string()),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    version,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

// Corrections (PATCH): any field a create sets, except the id and a village's township (problems,
// inspections and assignments keep the township they were recorded under). `null` clears an
// optional field. At least one field: an empty correction is refused by the route.
export const patchTownship = z.lazy(() =>
  z.strictObject({ name: z.optional(built(createTownship).shape.name) }),
);

export const patchVillage = z.lazy(() =>
  z.strictObject({
    name: z.optional(built(createVillage).shape.name),
    category: z.optional(built(createVillage).shape.category),
    profile: z.optional(villageProfile).check(z.describe('村情（整体替换）')),
    location: z.optional(z.nullable(geoPoint)).check(z.describe('村委会位置；null 为清除')),
  }),
);

export const patchCadre = z.lazy(() =>
  z.strictObject({
    name: z.optional(built(createCadre).shape.name),
    unit: z.optional(built(createCadre).shape.unit),
    unitId: z.optional(z.nullable(entityId)).check(z.describe('所属单位编号；null 为清除')),
    rank: z.optional(built(createCadre).shape.rank),
    townshipId: z.optional(z.nullable(entityId)).check(z.describe('所在乡镇；null 为清除')),
    email: z.optional(z.nullable(z.email('电子邮箱格式不正确').check(z.maxLength(254)))),
    phone: z.optional(z.nullable(phone)),
  }),
);

export const townshipListQuery = z.lazy(() => z.strictObject({ ...pageQuery }));
export const villageListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    townshipId: z.optional(entityId),
    category: z.optional(z.enum(VILLAGE_CATEGORIES)),
  }),
);
export const cadreListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    townshipId: z.optional(entityId),
    rank: z.optional(z.enum(CADRE_RANKS)),
    unit: z.optional(z.string().check(z.maxLength(LIMITS.shortText))),
    unitId: z.optional(entityId),
  }),
);

export const townshipPage = z.lazy(() => page(township));
export const villagePage = page(village);
export const cadrePage = z.lazy(() => page(cadre));

export type CreateTownship = z.output<typeof createTownship>;
export type CreateVillage = z.output<typeof createVillage>;
export type CreateCadre = z.output<typeof createCadre>;
export type PatchTownship = z.output<typeof patchTownship>;
export type PatchVillage = z.output<typeof patchVillage>;
export type PatchCadre = z.output<typeof patchCadre>;
export type Township = z.output<typeof township>;
export type Village = z.output<typeof village>;
export type Cadre = z.output<typeof cadre>;

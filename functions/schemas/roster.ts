import * as z from 'zod/mini';
import { entityId, LIMITS, nameText, page, pageQuery } from './common.ts';

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

/** Accept the code or its Chinese label, store the code. */
function labelled<const T extends readonly [string, ...string[]]>(
  codes: T,
  labels: Record<T[number], string>,
  what: string,
) {
  const byLabel = new Map(Object.entries(labels).map(([code, label]) => [label as string, code]));
  // zod/mini has no preprocess; classic's is exactly this pipe.
  return z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' ? (byLabel.get(v.trim()) ?? v.trim()) : v)),
    z.enum(codes, {
      message: `${what}只能是：${codes.map((c) => `${c}（${labels[c as T[number]]}）`).join('、')}`,
    }),
  );
}

const count = z.number().check(z.int('须为整数'), z.gte(0, '不能为负数'), z.lte(10_000_000, '数值过大'));

export const villageProfile = z.strictObject({
  households: z.optional(count).check(z.describe('户数')),
  population: z.optional(count).check(z.describe('人口')),
  partyMembers: z.optional(count).check(z.describe('党员人数')),
  migrantWorkers: z.optional(count).check(z.describe('外出务工人数')),
  poorHouseholds: z.optional(count).check(z.describe('贫困户数')),
  poorPopulation: z.optional(count).check(z.describe('贫困人口')),
});

export const createTownship = z.strictObject({
  id: entityId,
  name: nameText(),
});

export const createVillage = z.strictObject({
  id: entityId,
  name: nameText(),
  townshipId: entityId,
  category: labelled(VILLAGE_CATEGORIES, VILLAGE_CATEGORY_LABELS, '村类别'),
  profile: z.optional(villageProfile),
});

const phone = z
  .string()
  .check(
    z.trim(),
    z.regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '电话号码格式不正确（手机号 11 位，或带区号的固定电话）'),
  );

export const createCadre = z.strictObject({
  id: entityId,
  name: nameText(),
  unit: nameText(LIMITS.shortText).check(z.describe('派出单位')),
  rank: labelled(CADRE_RANKS, CADRE_RANK_LABELS, '职级'),
  townshipId: z.optional(entityId).check(z.describe('所在乡镇（可选）')),
  email: z.optional(z.email('电子邮箱格式不正确').check(z.maxLength(254))),
  phone: z.optional(phone),
});

export const township = z.extend(createTownship, { createdAt: z.string(), updatedAt: z.string() });
export const village = z.object({
  id: z.string(),
  name: z.string(),
  townshipId: z.string(),
  category: z.enum(VILLAGE_CATEGORIES),
  categoryLabel: z.string(),
  profile: z.optional(villageProfile),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const cadre = z.object({
  id: z.string(),
  name: z.string(),
  unit: z.string(),
  rank: z.enum(CADRE_RANKS),
  rankLabel: z.string(),
  townshipId: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const townshipListQuery = z.strictObject({ ...pageQuery });
export const villageListQuery = z.strictObject({
  ...pageQuery,
  townshipId: z.optional(entityId),
  category: z.optional(z.enum(VILLAGE_CATEGORIES)),
});
export const cadreListQuery = z.strictObject({
  ...pageQuery,
  townshipId: z.optional(entityId),
  rank: z.optional(z.enum(CADRE_RANKS)),
  unit: z.optional(z.string().check(z.maxLength(LIMITS.shortText))),
});

export const townshipPage = page(township);
export const villagePage = page(village);
export const cadrePage = page(cadre);

export type CreateTownship = z.output<typeof createTownship>;
export type CreateVillage = z.output<typeof createVillage>;
export type CreateCadre = z.output<typeof createCadre>;
export type Township = z.output<typeof township>;
export type Village = z.output<typeof village>;
export type Cadre = z.output<typeof cadre>;

import * as z from 'zod/mini';
/**
 * Assignments (包村关系): which cadre answers for which village, as chief (总队长) or member, over
 * which Beijing dates. Periods are half-open: `from` is the first day the cadre is responsible and
 * `to` the first day they no longer are, so a handover on one day (old `to` = new `from`) leaves
 * exactly one chief responsible on every day.
 */
import { ASSIGNMENT_ROLE_LABELS, ASSIGNMENT_ROLES } from '../core/assignments.ts';
import { calendarDate, entityId, freeText, LIMITS, page, pageQuery } from './common.ts';
import { VILLAGE_CATEGORIES } from './roster.ts';

export { ASSIGNMENT_ROLE_LABELS, ASSIGNMENT_ROLES };
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number];

const role = z.enum(ASSIGNMENT_ROLES, {
  error: (issue) =>
    issue.input === undefined ? '请选择角色：总队长或工作队员' : '请选择角色：总队长或工作队员',
});

/** A team role's code (第一书记 is `first-secretary` by default): see GET /team-roles. */
export const teamRoleId = z
  .string()
  .check(
    z.minLength(1, '请填写角色代码'),
    z.maxLength(40, '角色代码不能超过 40 个字符'),
    z.regex(/^[a-z0-9][a-z0-9-]*$/, '角色代码只能包含小写字母、数字和连字符，且以字母或数字开头'),
  );

export const createAssignment = z.lazy(() =>
  z.strictObject({
    cadreId: entityId.check(z.describe('干部编号')),
    villageId: entityId.check(z.describe('村编号')),
    role,
    teamRole: z
      .optional(teamRoleId)
      .check(z.describe('在村工作队中的角色代码（见 GET /team-roles，如第一书记）；可不填')),
    from: z.optional(calendarDate).check(z.describe('开始日期（北京时间，当天起负责）；默认今天')),
    note: z.optional(freeText(LIMITS.shortText)).check(z.describe('备注')),
  }),
);

export const endAssignment = z.lazy(() =>
  z.strictObject({
    to: z
      .optional(calendarDate)
      .check(
        z.describe(
          '结束日期（北京时间，自该日起不再负责，不得早于开始日期）；默认今天，尚未开始的则默认为开始日期',
        ),
      ),
    reason: z.optional(freeText(LIMITS.shortText)).check(z.describe('结束原因')),
  }),
);

export const assignment = z.lazy(() =>
  z.object({
    id: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    role: z.enum(ASSIGNMENT_ROLES),
    roleLabel: z.string(),
    teamRole: z.optional(z.string()).check(z.describe('在村工作队中的角色代码；未设角色的没有此项')),
    teamRoleLabel: z.optional(z.string()).check(z.describe('队伍角色名称，如“第一书记”')),
    from: z.string().check(z.describe('开始日期（含）')),
    to: z.nullable(z.string()).check(z.describe('结束日期（不含：自该日起不再负责）；未结束为 null')),
    active: z.boolean().check(z.describe('未结束为 true')),
    note: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    endedAt: z.optional(z.string()),
    endedBy: z.optional(z.string()),
    endReason: z.optional(z.string()),
  }),
);

/**
 * A move (调动): the assignment ends on `from` and the same cadre starts in another village on the
 * same day, in one request (POST /assignments/{id}/move).
 */
export const moveAssignment = z.lazy(() =>
  z.strictObject({
    villageId: entityId.check(z.describe('调往的村编号')),
    from: z
      .optional(calendarDate)
      .check(z.describe('调动日期（北京时间）：原包村关系至该日结束，新包村关系自该日开始；默认今天')),
    role: z.optional(role).check(z.describe('在新村的角色；默认与原角色相同')),
    reason: z.optional(freeText(LIMITS.shortText)).check(z.describe('调动原因')),
  }),
);

export const assignmentMove = z.lazy(() =>
  z.object({
    /** The assignment that ended. */
    ended: assignment,
    /** The assignment that started in the new village. */
    started: assignment,
  }),
);

export const assignmentListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    villageId: z.optional(entityId),
    cadreId: z.optional(entityId),
    townshipId: z.optional(entityId),
    role: z.optional(role),
    active: z.optional(
      z.pipe(
        z.enum(['true', 'false'], { message: '请选择是否只看未结束的' }),
        z.transform((v: 'true' | 'false') => v === 'true'),
      ),
    ),
    on: z
      .optional(calendarDate)
      .check(z.describe('只列出该日（北京时间）在岗的包村关系；须同时指定 villageId 或 cadreId')),
  }),
);

export const assignmentPage = z.lazy(() => page(assignment));

export const coverageQuery = z.lazy(() => z.strictObject({ townshipId: z.optional(entityId) }));

const coverageVillage = z.object({
  id: z.string(),
  name: z.string(),
  townshipId: z.string(),
  category: z.enum(VILLAGE_CATEGORIES),
});

export const coverage = z.lazy(() =>
  z.object({
    villagesWithoutChief: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        townshipId: z.string(),
        category: z.enum(VILLAGE_CATEGORIES),
      }),
    ),
    chiefsWithSeveralVillages: z.array(
      z.object({
        cadreId: z.string(),
        name: z.string(),
        villages: z.array(z.object({ id: z.string(), name: z.string(), townshipId: z.string() })),
      }),
    ),
    townshipsWithoutLeader: z
      .array(z.object({ id: z.string(), name: z.string() }))
      .check(z.describe('今天没有县级领导包镇的乡镇')),
    districtsWithoutDepartment: z
      .array(z.object({ id: z.string(), name: z.string(), townshipId: z.string() }))
      .check(z.describe('今天没有部门包片的片区')),
    villagesWithoutTownshipCadre: z
      .array(coverageVillage)
      .check(z.describe('工作队中没有乡镇干部（单位为本乡镇党委或政府）的村')),
    deepVillagesWithJuniorChief: z
      .array(
        z.extend(coverageVillage, {
          cadreId: z.string(),
          cadreName: z.string(),
          rank: z.string(),
          rankLabel: z.string(),
        }),
      )
      .check(z.describe('总队长不是领导干部（县级领导或科级）的深度贫困村')),
    counts: z.object({
      villages: z.number().check(z.int()),
      villagesWithoutChief: z.number().check(z.int()),
      chiefsWithSeveralVillages: z.number().check(z.int()),
      townshipsWithoutLeader: z.number().check(z.int()),
      districtsWithoutDepartment: z.number().check(z.int()),
      villagesWithoutTownshipCadre: z.number().check(z.int()),
      deepVillagesWithJuniorChief: z.number().check(z.int()),
    }),
  }),
);

export type CreateAssignment = z.output<typeof createAssignment>;
export type EndAssignment = z.output<typeof endAssignment>;
export type MoveAssignment = z.output<typeof moveAssignment>;
export type AssignmentMove = z.output<typeof assignmentMove>;
export type AssignmentListQuery = z.output<typeof assignmentListQuery>;
export type Assignment = z.infer<typeof assignment>;
export type Coverage = z.output<typeof coverage>;

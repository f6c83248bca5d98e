import * as z from 'zod/mini';
import { TEAM_ROLES_MAX } from '../core/teams.ts';
import { ASSIGNMENT_ROLES, teamRoleId } from './assignments.ts';
import { nameText } from './common.ts';

/**
 * Village teams (村工作队): the county's list of team roles (GET/PUT /team-roles), a member's team
 * role on their assignment (PUT /assignments/{id}/team-role), and a village's team as read
 * (GET /villages/{id}/team, GET /cadres/{id}/teams).
 */
export const TEAM_ROLE_NAME_MAX = 20;

const teamRoleInput = z.strictObject({
  id: teamRoleId.check(z.describe('角色代码（不变的标识，如 first-secretary）')),
  name: nameText(TEAM_ROLE_NAME_MAX).check(z.describe('角色名称，如“第一书记”')),
});

export const putTeamRoles = z.lazy(() =>
  z.strictObject({
    roles: z.array(teamRoleInput).check(
      z.minLength(1, '至少保留一个队伍角色'),
      z.maxLength(TEAM_ROLES_MAX, `队伍角色不能超过 ${TEAM_ROLES_MAX} 个`),
      z.superRefine((list, ctx) => {
        const ids = new Set<string>();
        const names = new Set<string>();
        list.forEach((r, i) => {
          if (ids.has(r.id)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: '角色代码重复',
              params: { code: 'DUPLICATE' },
              input: r.id,
            });
          }
          if (names.has(r.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: '角色名称重复',
              params: { code: 'DUPLICATE' },
              input: r.name,
            });
          }
          ids.add(r.id);
          names.add(r.name);
        });
      }),
      z.describe('县里使用的全部队伍角色（整体替换），按显示顺序'),
    ),
  }),
);

const teamRoleView = z.object({ id: z.string(), name: z.string() });

export const teamRoles = z.lazy(() =>
  z.object({
    roles: z.array(teamRoleView).check(z.describe('可选用的队伍角色，按显示顺序')),
    retired: z
      .array(teamRoleView)
      .check(z.describe('已停用的角色：不再可选，仍带有它的包村关系照常显示其名称')),
    version: z.number().check(z.int(), z.describe('版本号；修改时以 If-Match 带回')),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
);

export const setTeamRole = z.lazy(() =>
  z.strictObject({
    teamRole: z
      .nullable(teamRoleId)
      .check(z.describe('队伍角色代码（见 GET /team-roles）；null 表示不设角色')),
  }),
);

export const teamMember = z.lazy(() =>
  z.object({
    assignmentId: z.string(),
    cadreId: z.string(),
    cadreName: z.string(),
    unit: z.string(),
    role: z.enum(ASSIGNMENT_ROLES),
    roleLabel: z.string(),
    teamRole: z.nullable(z.string()),
    teamRoleLabel: z.nullable(z.string()),
    from: z.string(),
  }),
);

export const villageTeam = z.lazy(() =>
  z.object({
    villageId: z.string(),
    villageName: z.string(),
    townshipId: z.string(),
    chief: z.nullable(teamMember).check(z.describe('总队长；该村暂无总队长时为 null')),
    members: z.array(teamMember).check(z.describe('总队长在前，其余按队伍角色顺序')),
  }),
);

export const teamsLed = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    teams: z.array(villageTeam).check(z.describe('该干部任总队长的村及其工作队')),
  }),
);

export type PutTeamRoles = z.output<typeof putTeamRoles>;
export type TeamRolesView = z.output<typeof teamRoles>;
export type TeamMember = z.output<typeof teamMember>;
export type VillageTeam = z.output<typeof villageTeam>;

import * as assignments from '../adapters/dynamo/assignments.ts';
import * as roster from '../adapters/dynamo/roster.ts';
import { getTeamRoles, saveTeamRoles, type TeamRoleSettings } from '../adapters/dynamo/team-roles.ts';
import { effectiveOn } from '../core/assignments.ts';
import { retiredAfterUpdate, type TeamAssignment, teamOrder, villagesLed } from '../core/teams.ts';
import { beijingDate } from '../core/time.ts';
import { ConflictError, type FieldIssue, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { isStaff } from '../http/auth.ts';
import { expectedVersion, versionConflict, versionHeaders } from '../http/if-match.ts';
import { defineRoute, ok } from '../http/route.ts';
import { ASSIGNMENT_ROLE_LABELS, assignment } from '../schemas/assignments.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import type { Village } from '../schemas/roster.ts';
import {
  putTeamRoles,
  setTeamRole,
  type TeamRolesView,
  teamRoles,
  teamsLed,
  type VillageTeam,
  villageTeam,
} from '../schemas/teams.ts';
import { byTownship, requireCadre, requireTownship, scopeOf } from './scope.ts';

/**
 * Village teams (村工作队, seed 002): the county's list of team roles, a member's team role, a
 * village's team, and the teams a chief leads. Admins set roles; a team is read by HQ and the
 * inspectors, by a township's staff or a leader within their townships, and by its own members.
 */
const TAGS = ['teams'];
const INVALID = '请求内容有误，请按提示修改';

function rolesView(s: TeamRoleSettings): TeamRolesView {
  return {
    roles: s.roles,
    retired: s.retired,
    version: s.version,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

/** A team role a write names must be one the county offers now (a retired one is refused). */
export async function teamRoleIssues(teamRole: string, path = 'body.teamRole'): Promise<FieldIssue[]> {
  const { roles } = await getTeamRoles();
  if (roles.some((r) => r.id === teamRole)) return [];
  return [
    {
      path,
      code: 'UNKNOWN_TEAM_ROLE',
      message: `队伍角色不在县里的角色列表中，请从以下角色中选择：${roles.map((r) => r.name).join('、')}`,
    },
  ];
}

/** A village's team on a Beijing date: everyone whose assignment there is effective, the chief first. */
export async function teamOf(village: Village, date: string): Promise<VillageTeam> {
  const [running, names] = await Promise.all([assignments.assignmentsOn(village.id, date), getTeamRoles()]);
  const cadres = await roster.getCadres([...new Set(running.map((a) => a.cadreId))]);
  const members = teamOrder(running, names.roles).map((a) => ({
    assignmentId: a.id,
    cadreId: a.cadreId,
    cadreName: cadres.get(a.cadreId)?.name ?? a.cadreId,
    unit: cadres.get(a.cadreId)?.unit ?? '',
    role: a.role,
    roleLabel: ASSIGNMENT_ROLE_LABELS[a.role],
    teamRole: a.teamRole ?? null,
    teamRoleLabel: a.teamRoleLabel ?? null,
    from: a.from,
  }));
  return {
    villageId: village.id,
    villageName: village.name,
    townshipId: village.townshipId,
    chief: members.find((m) => m.role === 'chief') ?? null,
    members,
  };
}

/** The villages a cadre leads today (running chief assignments), and those villages. */
export async function ledVillages(cadreId: string, now: Date): Promise<Village[]> {
  const today = beijingDate(now);
  const own = await assignments.activeAssignmentsForCadre(cadreId);
  const led = villagesLed(own, cadreId, today);
  const villages = await roster.getVillages([...led]);
  return [...villages.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The running assignments of the teams a chief leads, in the shape the team rule reads. */
export function asTeamAssignments(teams: readonly VillageTeam[], date: string): TeamAssignment[] {
  return teams
    .flatMap((t) =>
      t.members.map((m) => ({
        cadreId: m.cadreId,
        villageId: t.villageId,
        role: m.role,
        active: true,
        from: m.from,
        to: null,
      })),
    )
    .filter((a) => effectiveOn(a, date));
}

export const teamsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/team-roles',
    summary: '村工作队的队伍角色（默认：第一书记、驻村工作队员、帮扶干部、村干部）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    responses: { 200: teamRoles },
    async handle() {
      const current = await getTeamRoles();
      return { ...ok(rolesView(current)), headers: versionHeaders(current.version) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/team-roles',
    summary: '设置村工作队的队伍角色（整体替换；须带 If-Match 版本号）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    body: putTeamRoles,
    responses: { 200: teamRoles, 400: errorBody, 412: errorBody, 428: errorBody },
    async handle({ body }, ctx) {
      // 1. The version the caller read; 2. the same list again is answered as it is (a retried
      //    PUT changes nothing); 3. one conditional put on that version; 4. audit before and after.
      const expected = expectedVersion(ctx);
      const current = await getTeamRoles();
      const same = JSON.stringify(current.roles) === JSON.stringify(body.roles);
      if (same) return { ...ok(rolesView(current)), headers: versionHeaders(current.version) };
      if (current.version !== expected) throw versionConflict('队伍角色列表', current.version);
      const next: TeamRoleSettings = {
        roles: body.roles,
        retired: retiredAfterUpdate(current, body.roles),
        version: current.version + 1,
        updatedAt: ctx.now.toISOString(),
        updatedBy: ctx.actor.sub,
      };
      if (!(await saveTeamRoles(next, expected))) {
        throw versionConflict('队伍角色列表', (await getTeamRoles()).version);
      }
      await ctx.audit({
        entityType: 'setting',
        entityId: 'team-roles',
        action: 'update',
        changes: { before: { roles: current.roles }, after: { roles: next.roles }, version: next.version },
      });
      return { ...ok(rolesView(next)), headers: versionHeaders(next.version) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/assignments/{id}/team-role',
    summary: '设置包村干部在村工作队中的队伍角色（null 为不设）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: setTeamRole,
    responses: { 200: assignment, 400: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const current = await assignments.getAssignment(params.id);
      if (!current) throw new NotFoundError('包村关系不存在');
      if (body.teamRole !== null) {
        const issues = await teamRoleIssues(body.teamRole);
        if (issues.length) throw new ValidationError(INVALID, { fields: issues });
      }
      const ended = () => new ConflictError('ALREADY_ENDED', '该包村关系已经结束，不能再设置队伍角色');
      if (!current.active) throw ended();
      // Setting what is already there writes nothing and leaves no audit entry.
      if ((current.teamRole ?? null) === body.teamRole) return ok(current);
      const result = await assignments.setTeamRole(params.id, body.teamRole);
      if (!result) throw ended();
      await ctx.audit({
        entityType: 'assignment',
        entityId: params.id,
        action: 'team-role',
        changes: {
          before: { teamRole: result.before.teamRole ?? null },
          after: { teamRole: result.after.teamRole ?? null },
        },
      });
      return ok(result.after);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/villages/{id}/team',
    summary: '村工作队：总队长和队员（含队伍角色），按今天在岗的包村关系',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: { 200: villageTeam, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const village = await roster.getVillage(params.id);
      if (!village) throw new NotFoundError('村不存在');
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) requireTownship(scope, village.townshipId);
      const team = await teamOf(village, beijingDate(ctx.now));
      // A cadre reads the team they are on, no other.
      if (scope.kind === 'self' && !team.members.some((m) => m.cadreId === ctx.actor.cadreId)) {
        throw new ForbiddenError('您不在该村工作队中，无权查看');
      }
      return ok(team);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/cadres/{id}/teams',
    summary: '干部任总队长的村及其工作队（总队长可向这些队员下达指令）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: { 200: teamsLed, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (scope.kind === 'self' && !isStaff(ctx.actor) && params.id !== ctx.actor.cadreId) {
        throw new ForbiddenError('只能查看本人带领的工作队');
      }
      await requireCadre(scope, ctx.actor, params.id, ctx.now);
      if (!(await roster.getCadre(params.id))) throw new NotFoundError('干部不存在');
      const date = beijingDate(ctx.now);
      const villages = await ledVillages(params.id, ctx.now);
      const teams = await Promise.all(villages.map((v) => teamOf(v, date)));
      return ok({ cadreId: params.id, teams });
    },
  }),
];

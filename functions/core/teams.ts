/**
 * Village teams (村工作队), pure. A village's team is everyone with a running assignment there: the
 * chief (总队长, who commands it: "所有作战指令由总队长统一下达", seed 002) and the members, each with
 * an optional team role from the county's list (seed 002's 第一书记, 驻村工作队员, 帮扶干部, 村干部 by
 * default; the county may change the list). A chief may issue dispatches to the members of the
 * teams they lead, and to nobody else.
 */
import { effectiveOn, type Period } from './assignments.ts';

export interface TeamRole {
  id: string;
  name: string;
}

/** The four teams under the chief in seed 002, used until the county sets its own list. */
export const DEFAULT_TEAM_ROLES: readonly TeamRole[] = [
  { id: 'first-secretary', name: '第一书记' },
  { id: 'work-team', name: '驻村工作队员' },
  { id: 'helper', name: '帮扶干部' },
  { id: 'village-cadre', name: '村干部' },
];

export const TEAM_ROLES_MAX = 20;

/**
 * The county's list after an update: the roles offered now, and those no longer offered but kept
 * (by id) so assignments that still carry one keep reading their name.
 */
export function retiredAfterUpdate(
  before: { roles: readonly TeamRole[]; retired: readonly TeamRole[] },
  offered: readonly TeamRole[],
): TeamRole[] {
  const now = new Set(offered.map((r) => r.id));
  const out = new Map<string, TeamRole>();
  for (const r of [...before.retired, ...before.roles]) if (!now.has(r.id)) out.set(r.id, r);
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The name of a team role id, from the offered and retired roles; the id itself if unknown. */
export function teamRoleName(
  id: string,
  roles: { roles: readonly TeamRole[]; retired: readonly TeamRole[] },
): string {
  return roles.roles.find((r) => r.id === id)?.name ?? roles.retired.find((r) => r.id === id)?.name ?? id;
}

export interface TeamAssignment extends Period {
  cadreId: string;
  villageId: string;
  role: 'chief' | 'member';
  active: boolean;
}

/**
 * The villages a cadre leads on a date: those where their chief assignment is running. An
 * assignment ended, or not yet begun, leads nothing.
 */
export function villagesLed(own: readonly TeamAssignment[], cadreId: string, date: string): Set<string> {
  return new Set(
    own
      .filter((a) => a.cadreId === cadreId && a.role === 'chief' && a.active && effectiveOn(a, date))
      .map((a) => a.villageId),
  );
}

export interface TeamRefusal {
  index: number;
  cadreId: string;
  villageId: string;
  /** `not_led`: the village is not one the chief leads; `not_member`: the cadre is not on its team. */
  reason: 'not_led' | 'not_member';
}

/**
 * Which assignees of a chief's dispatch lie outside the teams they lead. `teams` holds the running
 * assignments of the villages the chief leads; an assignee counts when the village is led and the
 * cadre's assignment there is running on `date` (the chief counts as a member of their own team).
 */
export function outsideTeams(
  assignees: readonly { cadreId: string; villageId: string }[],
  led: ReadonlySet<string>,
  teams: readonly TeamAssignment[],
  date: string,
): TeamRefusal[] {
  const members = new Set(
    teams
      .filter((a) => a.active && led.has(a.villageId) && effectiveOn(a, date))
      .map((a) => `${a.cadreId}\u0000${a.villageId}`),
  );
  const out: TeamRefusal[] = [];
  assignees.forEach((a, index) => {
    if (!led.has(a.villageId)) out.push({ index, ...a, reason: 'not_led' });
    else if (!members.has(`${a.cadreId}\u0000${a.villageId}`))
      out.push({ index, ...a, reason: 'not_member' });
  });
  return out;
}

/** A team in reading order: the chief first, then members by team role (as the list orders them), then id. */
export function teamOrder<T extends { role: 'chief' | 'member'; teamRole?: string | null; cadreId: string }>(
  members: readonly T[],
  roles: readonly TeamRole[],
): T[] {
  const rank = new Map(roles.map((r, i) => [r.id, i]));
  const weight = (m: T) =>
    m.role === 'chief' ? -1 : m.teamRole != null ? (rank.get(m.teamRole) ?? roles.length) : roles.length + 1;
  return [...members].sort((a, b) => weight(a) - weight(b) || a.cadreId.localeCompare(b.cadreId));
}

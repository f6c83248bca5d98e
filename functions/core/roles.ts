/**
 * The roles, broadest first. `township` is a township's own staff (乡镇党委、政府), bound to one
 * township by the claim `custom:townshipId`; `leader` is a county leader (县级领导包镇), who reads what
 * the townships they cover hold (from their leader assignments, by the claim `custom:cadreId`) and
 * decides the talks there.
 */
export const ROLES = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;
export type Role = (typeof ROLES)[number];

/** Role names as people read them (pages, the accounts list, the users command). */
export const ROLE_LABELS: Record<Role, string> = {
  admin: '指挥部',
  inspector: '督查组',
  township: '乡镇',
  leader: '县级领导',
  cadre: '包村干部',
};

/**
 * What a signed-in person may read, by township: the whole county (HQ, inspectors), some townships
 * (a township's staff: its own; a county leader: those they cover today), or only their own records
 * (a cadre).
 */
export type Scope =
  | { kind: 'county' }
  | { kind: 'townships'; townshipIds: readonly string[] }
  | { kind: 'self' };

export const COUNTY_SCOPE: Scope = { kind: 'county' };

/** Whether records of this township lie within the scope (a cadre's scope holds no township). */
export function townshipInScope(scope: Scope, townshipId: string | null | undefined): boolean {
  if (scope.kind === 'county') return true;
  if (scope.kind === 'self' || !townshipId) return false;
  return scope.townshipIds.includes(townshipId);
}

/**
 * Who decides a talk (提醒谈话 / 诫勉谈话) about a cadre of this township: HQ anywhere, a county leader
 * in the townships they cover. `leaderTownshipIds` are the townships the leader covers on the day of
 * the decision (the routes read them from the leader assignments).
 */
export function canDecideTalk(
  roles: readonly Role[],
  townshipId: string | null | undefined,
  leaderTownshipIds: readonly string[] = [],
): boolean {
  if (roles.includes('admin')) return true;
  return roles.includes('leader') && !!townshipId && leaderTownshipIds.includes(townshipId);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * `cognito:groups` reaches a Lambda behind an HTTP API JWT authorizer as a string, in more than one
 * form depending on how the token was issued and forwarded: "[admin inspector]", "[admin, inspector]",
 * '["admin","inspector"]', "admin,inspector", "admin", or (from other callers) a real array.
 */
export function parseGroupsClaim(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String).filter(Boolean);
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String).filter(Boolean);
    } catch {
      // not JSON: the bracketed, space- or comma-separated form AWS renders
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .map((s) => s.replace(/^"|"$/g, ''))
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

export function rolesFromGroups(groups: string[]): Role[] {
  return groups.filter(isRole);
}

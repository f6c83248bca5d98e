import { DEFAULT_TEAM_ROLES, type TeamRole } from '../../core/teams.ts';
import { keys } from './keys.ts';
import { ConditionFailed, getItem, putItem } from './table.ts';

/**
 * The county's team roles: one settings item. Until an admin saves a list, the seed's four roles are
 * the list at version 1 (nothing stored); every save is one conditional put on the version read, so
 * of two concurrent saves from one version exactly one wins.
 */
export interface TeamRoleSettings {
  roles: TeamRole[];
  retired: TeamRole[];
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const ENTITY = 'team-roles';

const asRoles = (value: unknown): TeamRole[] =>
  Array.isArray(value)
    ? value.flatMap((r) =>
        r && typeof r.id === 'string' && typeof r.name === 'string' ? [{ id: r.id, name: r.name }] : [],
      )
    : [];

export async function getTeamRoles(): Promise<TeamRoleSettings> {
  const item = await getItem(keys.teamRoles());
  if (!item) {
    return { roles: [...DEFAULT_TEAM_ROLES], retired: [], version: 1, updatedAt: null, updatedBy: null };
  }
  return {
    roles: asRoles(item.roles),
    retired: asRoles(item.retired),
    version: typeof item.version === 'number' ? item.version : 1,
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : null,
    updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : null,
  };
}

/** Saves the next version if the stored one is still `expected`; false when someone saved first. */
export async function saveTeamRoles(next: TeamRoleSettings, expected: number): Promise<boolean> {
  try {
    await putItem(
      { ...keys.teamRoles(), entity: ENTITY, ...next },
      expected === 1
        ? { expression: 'attribute_not_exists(PK) OR version = :v', values: { ':v': expected } }
        : { expression: 'version = :v', values: { ':v': expected } },
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

import { DEFAULT_TEAM_ROLES, type TeamRole } from '../../core/teams.ts';
import { keys } from './keys.ts';
import { versionedList } from './versioned-list.ts';

/** The county's team roles: one versioned list (versioned-list.ts); the seed's four roles until saved. */
export interface TeamRoleSettings {
  roles: TeamRole[];
  retired: TeamRole[];
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const store = versionedList<TeamRole>({
  key: keys.teamRoles,
  entity: 'team-roles',
  field: 'roles',
  defaults: DEFAULT_TEAM_ROLES,
  parse: (r) =>
    typeof r.id === 'string' && typeof r.name === 'string' ? { id: r.id, name: r.name } : undefined,
});

export async function getTeamRoles(): Promise<TeamRoleSettings> {
  const { items, ...rest } = await store.get();
  return { roles: items, ...rest };
}

/** Saves the next version if the stored one is still `expected`; false when someone saved first. */
export function saveTeamRoles(next: TeamRoleSettings, expected: number): Promise<boolean> {
  const { roles, ...rest } = next;
  return store.save({ items: roles, ...rest }, expected);
}

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEAM_ROLES,
  outsideTeams,
  retiredAfterUpdate,
  type TeamAssignment,
  teamOrder,
  teamRoleName,
  villagesLed,
} from '../../functions/core/teams.ts';

const run = (
  cadreId: string,
  villageId: string,
  role: 'chief' | 'member',
  extra: Partial<TeamAssignment> = {},
) => ({ cadreId, villageId, role, active: true, from: '2026-01-01', to: null, ...extra }) as TeamAssignment;

describe('villagesLed', () => {
  it('counts only running chief assignments effective on the day', () => {
    const own = [
      run('C1', 'V1', 'chief'),
      run('C1', 'V2', 'member'),
      run('C1', 'V3', 'chief', { from: '2026-12-01' }),
      run('C1', 'V4', 'chief', { active: false, to: '2026-02-01' }),
    ];
    expect([...villagesLed(own, 'C1', '2026-06-01')]).toEqual(['V1']);
  });
});

describe('outsideTeams', () => {
  const teams = [
    run('C1', 'V1', 'chief'),
    run('C2', 'V1', 'member'),
    run('C3', 'V1', 'member', { from: '2026-09-01' }),
  ];
  const led = new Set(['V1']);

  it.each([
    ['a member of the led village', { cadreId: 'C2', villageId: 'V1' }, []],
    ['the chief themself', { cadreId: 'C1', villageId: 'V1' }, []],
    ['a village not led', { cadreId: 'C2', villageId: 'V2' }, ['not_led']],
    ['someone not on the team', { cadreId: 'C9', villageId: 'V1' }, ['not_member']],
    ['a member who has not started yet', { cadreId: 'C3', villageId: 'V1' }, ['not_member']],
  ])('%s', (_what, assignee, reasons) => {
    expect(outsideTeams([assignee], led, teams, '2026-06-01').map((r) => r.reason)).toEqual(reasons);
  });

  it('reports each refused assignee with its index', () => {
    const refused = outsideTeams(
      [
        { cadreId: 'C2', villageId: 'V1' },
        { cadreId: 'C9', villageId: 'V1' },
      ],
      led,
      teams,
      '2026-06-01',
    );
    expect(refused).toEqual([{ index: 1, cadreId: 'C9', villageId: 'V1', reason: 'not_member' }]);
  });
});

describe('team roles', () => {
  it('keeps a dropped role as retired and brings a re-offered one back', () => {
    const [first, ...rest] = DEFAULT_TEAM_ROLES;
    const retired = retiredAfterUpdate({ roles: DEFAULT_TEAM_ROLES, retired: [] }, rest);
    expect(retired).toEqual([first]);
    expect(retiredAfterUpdate({ roles: rest, retired }, DEFAULT_TEAM_ROLES)).toEqual([]);
    expect(teamRoleName('first-secretary', { roles: rest, retired })).toBe('第一书记');
    expect(teamRoleName('unknown', { roles: rest, retired })).toBe('unknown');
  });

  it('orders a team: the chief, then members by the list, then those without a role', () => {
    const members = [
      { cadreId: 'C4', role: 'member' as const },
      { cadreId: 'C3', role: 'member' as const, teamRole: 'helper' },
      { cadreId: 'C2', role: 'member' as const, teamRole: 'first-secretary' },
      { cadreId: 'C1', role: 'chief' as const },
    ];
    expect(teamOrder(members, DEFAULT_TEAM_ROLES).map((m) => m.cadreId)).toEqual(['C1', 'C2', 'C3', 'C4']);
  });
});

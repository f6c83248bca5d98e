import { describe, expect, it } from 'vitest';
import { cutEvaluation } from '../../functions/core/bulletin-cut.ts';
import { canDecideTalk, ROLES, type Scope, townshipInScope } from '../../functions/core/roles.ts';
import type { WeeklyEvaluation } from '../../functions/core/rules/evaluation.ts';
import { actorFromClaims } from '../../functions/http/auth.ts';
import { homeOf, sessionFromPayload } from '../../functions/web/session.ts';

describe('roles and claims', () => {
  it('knows the township and leader roles, broadest first', () => {
    expect(ROLES).toEqual(['admin', 'inspector', 'township', 'leader', 'cadre']);
  });

  it('reads custom:townshipId for a township staff member', () => {
    const actor = actorFromClaims({ sub: 's1', 'cognito:groups': '[township]', 'custom:townshipId': 'T01' });
    expect(actor).toMatchObject({ roles: ['township'], townshipId: 'T01' });
  });

  it('drops the township role when the claim has no township', () => {
    expect(actorFromClaims({ sub: 's1', 'cognito:groups': '[township]' }).roles).toEqual([]);
    expect(sessionFromPayload({ sub: 's1', 'cognito:groups': ['township'] })).toBeUndefined();
  });

  it('takes a leader as the cadre in custom:cadreId', () => {
    const actor = actorFromClaims({ sub: 'u1', 'cognito:groups': '[leader]', 'custom:cadreId': 'C001' });
    expect(actor).toMatchObject({ roles: ['leader'], cadreId: 'C001' });
  });

  it('sends a township staff member and a leader to the board of the console', () => {
    expect(homeOf('township')).toBe('/app/admin/board');
    expect(homeOf('leader')).toBe('/app/admin/board');
    expect(homeOf('cadre')).toBe('/app/cadre');
  });
});

describe('scopes and talk decisions', () => {
  const some: Scope = { kind: 'townships', townshipIds: ['T01', 'T02'] };
  it.each([
    [{ kind: 'county' } as Scope, 'T09', true],
    [some, 'T02', true],
    [some, 'T03', false],
    [some, null, false],
    [{ kind: 'self' } as Scope, 'T01', false],
  ])('townshipInScope(%j, %s) is %s', (scope, township, expected) => {
    expect(townshipInScope(scope, township)).toBe(expected);
  });

  it.each([
    [['admin'], 'T05', [], true],
    [['leader'], 'T01', ['T01'], true],
    [['leader'], 'T02', ['T01'], false],
    [['leader'], null, ['T01'], false],
    [['township'], 'T01', ['T01'], false],
    [['cadre'], 'T01', ['T01'], false],
  ] as const)('canDecideTalk(%j, %s, %j) is %s', (roles, township, led, expected) => {
    expect(canDecideTalk(roles, township, led)).toBe(expected);
  });
});

describe('cutting a week to a township or a district', () => {
  const row = (cadreId: string, villageId: string, color: 'red' | 'yellow' | null) => ({
    cadreId,
    villageId,
    townshipId: villageId.slice(0, 2),
    color,
  });
  const week = {
    week: '2026-W10',
    cadres: [
      { cadreId: 'C1', townshipId: 'TA' },
      { cadreId: 'C2', townshipId: 'TB' },
      { cadreId: 'C3', townshipId: null },
      { cadreId: 'C4', townshipId: null },
    ],
    tiers: { commended: ['C3'], selfCriticism: [], reminderTalk: ['C1'], admonishmentTalk: ['C2'] },
    circle: { members: ['C1', 'C2'], entered: ['C1', 'C2'], stayed: [], deepened: [], exited: [] },
    remedialTraining: ['C1', 'C2'],
    talkNotices: [
      { cadreId: 'C1', tier: 'reminderTalk' },
      { cadreId: 'C2', tier: 'admonishmentTalk' },
    ],
    problems: [row('C1', 'TAV1', 'red'), row('C2', 'TBV1', 'yellow'), row('C4', 'TAV2', null)],
    absences: [],
    dispatches: [row('C2', 'TBV1', 'red')],
    overdueDispatches: [row('C2', 'TBV1', 'red')],
    colors: {},
    majorFailures: [],
    unrecognizedMajorFailures: [],
    effectiveness: {
      county: { current: {}, previous: null },
      townships: [{ townshipId: 'TA' }, { townshipId: 'TB' }],
    },
  } as unknown as WeeklyEvaluation;

  it('keeps a township: its villages matters, its cadres and whoever works there', () => {
    const cut = cutEvaluation(week, {
      villageIds: new Set(['TAV1', 'TAV2']),
      cadreIds: new Set(['C3']),
      townshipIds: new Set(['TA']),
      cadresOfTownships: true,
    });
    expect(cut.cadres.map((c) => c.cadreId)).toEqual(['C1', 'C3', 'C4']);
    expect(cut.tiers).toEqual({
      commended: ['C3'],
      selfCriticism: [],
      reminderTalk: ['C1'],
      admonishmentTalk: [],
    });
    expect(cut.circle.members).toEqual(['C1']);
    expect(cut.talkNotices).toEqual([{ cadreId: 'C1', tier: 'reminderTalk' }]);
    expect(cut.dispatches).toEqual([]);
    expect(cut.colors.total).toEqual({ red: 1, yellow: 0, green: 0, onTrack: 1 });
    expect(cut.effectiveness.townships).toEqual([{ townshipId: 'TA' }]);
  });

  it('keeps a district to its villages and workers, not the township cadres elsewhere', () => {
    const cut = cutEvaluation(week, {
      villageIds: new Set(['TAV2']),
      cadreIds: new Set(),
      townshipIds: new Set(['TA']),
      cadresOfTownships: false,
    });
    expect(cut.cadres.map((c) => c.cadreId)).toEqual(['C4']);
    expect(cut.problems).toHaveLength(1);
  });
});

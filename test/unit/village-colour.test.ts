import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULE_SET,
  type DispatchAssigneeFact,
  type ProblemFact,
} from '../../functions/core/rules/index.ts';
import {
  colorChange,
  DEFAULT_VILLAGE_COLOR_RULE,
  type VillageMatter,
  villageColor,
  villageColorRuleOf,
  villageMattersAt,
  villageMattersFromRows,
} from '../../functions/core/rules/village-colors.ts';

const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();
const ms = (local: string) => Date.parse(iso(local));

const matter = (id: string, over: Partial<VillageMatter> = {}): VillageMatter => ({
  kind: 'problem',
  id,
  color: null,
  reason: 'onTrack',
  daysOverdue: 0,
  ...over,
});
const red = (id: string, daysOverdue = 2) => matter(id, { color: 'red', reason: 'overdue', daysOverdue });
const yellow = (id: string) => matter(id, { color: 'yellow', reason: 'dueSoon' });

describe('village colour', () => {
  it('is green with no open matters, and says nothing made it so', () => {
    expect(villageColor([], DEFAULT_VILLAGE_COLOR_RULE)).toEqual({
      color: 'green',
      colorLabel: '绿色',
      reasons: [],
      counts: { red: 0, yellow: 0, open: 0 },
    });
    expect(villageColor([matter('P1')], DEFAULT_VILLAGE_COLOR_RULE).color).toBe('green');
  });

  it('leaves closed matters out', () => {
    const closed = matter('P1', { color: 'green', reason: 'closed' });
    expect(villageColor([closed], DEFAULT_VILLAGE_COLOR_RULE)).toMatchObject({
      color: 'green',
      counts: { open: 0 },
    });
  });

  it('is red from one red matter by default, naming it and the days overdue', () => {
    const c = villageColor([yellow('P2'), red('P1', 3)], DEFAULT_VILLAGE_COLOR_RULE);
    expect(c.color).toBe('red');
    expect(c.reasons).toEqual([
      { kind: 'problem', id: 'P1', color: 'red', reason: 'overdue', label: '已逾期 3 天' },
    ]);
  });

  it('names a severe problem as the reason', () => {
    const severe = matter('P1', { color: 'red', reason: 'severe' });
    expect(villageColor([severe], DEFAULT_VILLAGE_COLOR_RULE).reasons[0]?.label).toBe('问题严重');
  });

  it('is yellow from a yellow matter, naming it', () => {
    const c = villageColor([yellow('P2'), matter('P3')], DEFAULT_VILLAGE_COLOR_RULE);
    expect(c.color).toBe('yellow');
    expect(c.reasons.map((r) => r.id)).toEqual(['P2']);
  });

  it('follows the rule set’s thresholds: red below the red count is yellow', () => {
    const rule = { redItems: 2, yellowItems: 2, redOpenItems: null };
    expect(villageColor([red('P1')], rule).color).toBe('yellow');
    expect(villageColor([red('P1'), red('P2')], rule).color).toBe('red');
    expect(villageColor([yellow('P1')], rule).color).toBe('green');
    expect(villageColor([yellow('P1'), yellow('P2')], rule).color).toBe('yellow');
  });

  it('is red from the number of open matters when the rules set one, and says so', () => {
    const rule = { redItems: 1, yellowItems: 1, redOpenItems: 3 };
    const c = villageColor([matter('P1'), matter('P2'), matter('P3')], rule);
    expect(c.color).toBe('red');
    expect(c.reasons).toEqual([
      expect.objectContaining({ kind: 'openItems', label: '未办结事项 3 项（达到 3 项即为红色）' }),
    ]);
  });

  it('lists the worst matters first: most days overdue, problems before tasks', () => {
    const c = villageColor(
      [
        red('P1', 1),
        matter('D1', { kind: 'dispatch', color: 'red', reason: 'overdue', daysOverdue: 1 }),
        red('P2', 5),
      ],
      DEFAULT_VILLAGE_COLOR_RULE,
    );
    expect(c.reasons.map((r) => r.id)).toEqual(['P2', 'P1', 'D1']);
  });

  it('uses the default thresholds when the rule set has none', () => {
    expect(villageColorRuleOf(DEFAULT_RULE_SET)).toEqual({ redItems: 1, yellowItems: 1, redOpenItems: null });
  });
});

describe('colour change since last week', () => {
  it.each([
    ['green', 'red', 'worse'],
    ['red', 'yellow', 'better'],
    ['yellow', 'yellow', 'same'],
    [null, 'red', 'same'],
  ] as const)('%s → %s is %s', (before, now, change) => {
    expect(colorChange(before, now)).toBe(change);
  });
});

describe('a village’s matters as of an instant', () => {
  const problem = (id: string, over: Partial<ProblemFact> = {}): ProblemFact => ({
    id,
    cadreId: 'C1',
    villageId: 'V1',
    townshipId: 'T1',
    severity: 'minor',
    foundOn: '2026-11-02',
    rectifyBy: '2026-11-16',
    events: [],
    ...over,
  });
  const task: DispatchAssigneeFact = {
    dispatchId: 'D1',
    cadreId: 'C1',
    villageId: 'V1',
    createdAt: iso('2026-11-01 09:00'),
    deadline: iso('2026-11-30 18:00'),
    status: 'pending',
  };

  it('colours now and a week earlier from the same facts', () => {
    const facts = [problem('P1')];
    const now = villageMattersAt(facts, [task], ms('2026-11-18 10:00'), '2026-11-18', DEFAULT_RULE_SET);
    const weekAgo = villageMattersAt(facts, [task], ms('2026-11-11 10:00'), '2026-11-11', DEFAULT_RULE_SET);
    expect(villageColor(now, DEFAULT_VILLAGE_COLOR_RULE).color).toBe('red');
    expect(villageColor(weekAgo, DEFAULT_VILLAGE_COLOR_RULE).color).toBe('green');
  });

  it('leaves out problems found later, closed ones, voided ones and tasks done', () => {
    const closed = problem('P2', {
      events: [
        { kind: 'rectification', at: iso('2026-11-05 09:00') },
        { kind: 'verification', outcome: 'accepted', at: iso('2026-11-06 09:00') },
      ],
    });
    const later = problem('P3', { foundOn: '2026-11-19' });
    const voided = problem('P4', { voided: true });
    const done = { ...task, dispatchId: 'D2', status: 'done' as const, doneAt: iso('2026-11-10 09:00') };
    const items = villageMattersAt(
      [closed, later, voided],
      [done],
      ms('2026-11-18 10:00'),
      '2026-11-18',
      DEFAULT_RULE_SET,
    );
    expect(items).toEqual([]);
  });

  it('groups an evaluation’s open rows by village', () => {
    const byVillage = villageMattersFromRows(
      [
        {
          problemId: 'P1',
          villageId: 'V1',
          state: 'open',
          color: 'red',
          colorReason: 'overdue',
          daysOverdue: 2,
        },
        {
          problemId: 'P2',
          villageId: 'V1',
          state: 'closed',
          color: 'green',
          colorReason: 'closed',
          daysOverdue: 0,
        },
      ],
      [
        {
          dispatchId: 'D1',
          cadreId: 'C1',
          villageId: 'V2',
          doneAt: null,
          color: 'yellow',
          colorReason: 'dueSoon',
          daysOverdue: 0,
        },
      ],
    );
    expect(byVillage.get('V1')?.map((m) => m.id)).toEqual(['P1']);
    expect(villageColor(byVillage.get('V2') ?? [], DEFAULT_VILLAGE_COLOR_RULE).color).toBe('yellow');
  });
});

import { describe, expect, it } from 'vitest';
import {
  categoryIssue,
  DEFAULT_PROBLEM_CATEGORIES,
  problemCategoriesOf,
} from '../../functions/core/problem-categories.ts';
import {
  DEFAULT_RULE_SET,
  evaluateWeek,
  type FindingFact,
  type ProblemFact,
  type RuleSet,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import {
  type CategorizedProblem,
  DEFAULT_REPEAT_RULE,
  findRepeat,
  flagRepeats,
  problemWeight,
  repeatRuleOf,
} from '../../functions/core/rules/repeats.ts';
import { decideTier } from '../../functions/core/rules/tiers.ts';

const earlier = (id: string, over: Partial<CategorizedProblem> = {}): CategorizedProblem => ({
  id,
  cadreId: 'C1',
  category: '档案资料',
  foundOn: '2026-11-02',
  inspectionId: `I-${id}`,
  createdAt: '2026-11-02T02:00:00.000Z',
  ...over,
});
const fresh: CategorizedProblem = {
  id: 'NEW',
  cadreId: 'C1',
  category: '档案资料',
  foundOn: '2026-11-18',
  inspectionId: 'I-NEW',
};
const withRepeats = (repeats: RuleSet['repeats']): RuleSet => ({ ...DEFAULT_RULE_SET, version: 2, repeats });

describe('problem categories', () => {
  it('are the default list when the rule set names none, and the rule set’s own list when it does', () => {
    expect(problemCategoriesOf(DEFAULT_RULE_SET)).toEqual(DEFAULT_PROBLEM_CATEGORIES);
    expect(DEFAULT_PROBLEM_CATEGORIES).toEqual([
      '档案资料',
      '项目推进',
      '产业覆盖',
      '政策落实',
      '作风纪律',
      '其他',
    ]);
    expect(problemCategoriesOf({ problemCategories: ['饮水安全'] })).toEqual(['饮水安全']);
  });

  it('refuse an unlisted category with a Chinese message listing the choices', () => {
    expect(categoryIssue('档案资料', DEFAULT_PROBLEM_CATEGORIES, 'p')).toBeNull();
    expect(categoryIssue(undefined, DEFAULT_PROBLEM_CATEGORIES, 'p')).toBeNull();
    expect(categoryIssue('卫生', DEFAULT_PROBLEM_CATEGORIES, 'body.x')).toEqual({
      path: 'body.x',
      code: 'UNKNOWN_CATEGORY',
      message: '问题类别只能是：档案资料、项目推进、产业覆盖、政策落实、作风纪律、其他',
    });
  });
});

describe('repeat flags', () => {
  it('flag a problem whose category was found for the same cadre within the window', () => {
    expect(findRepeat(fresh, [earlier('A')], DEFAULT_REPEAT_RULE)).toEqual({ of: ['A'], weeks: 8 });
  });

  it.each([
    ['another category', earlier('A', { category: '项目推进' })],
    ['another cadre', earlier('A', { cadreId: 'C2' })],
    ['the same inspection', earlier('A', { inspectionId: 'I-NEW', foundOn: '2026-11-18' })],
    ['a voided inspection', earlier('A', { voided: { at: 'x' } })],
    ['found before the window', earlier('A', { foundOn: '2026-09-22' })],
    ['found later', earlier('A', { foundOn: '2026-11-19' })],
    ['no category', earlier('A', { category: undefined })],
  ])('do not flag against a problem of %s', (_what, other) => {
    expect(findRepeat(fresh, [other], DEFAULT_REPEAT_RULE)).toBeNull();
  });

  it('look back exactly the configured number of weeks, first day included', () => {
    const rule = { withinWeeks: 2, weight: 1 };
    expect(findRepeat(fresh, [earlier('A', { foundOn: '2026-11-04' })], rule)).toEqual({
      of: ['A'],
      weeks: 2,
    });
    expect(findRepeat(fresh, [earlier('A', { foundOn: '2026-11-03' })], rule)).toBeNull();
    expect(findRepeat(fresh, [earlier('A')], { withinWeeks: 0, weight: 1 })).toBeNull();
  });

  it('never flag a problem without a category, and list every earlier one oldest first', () => {
    expect(findRepeat({ ...fresh, category: undefined }, [earlier('A')], DEFAULT_REPEAT_RULE)).toBeNull();
    const two = [earlier('B', { foundOn: '2026-11-10' }), earlier('A')];
    expect(findRepeat(fresh, two, DEFAULT_REPEAT_RULE)?.of).toEqual(['A', 'B']);
  });

  it('on the same day, count only an inspection recorded earlier', () => {
    const sameDay = { ...fresh, createdAt: '2026-11-18T05:00:00.000Z' };
    const before = earlier('A', { foundOn: '2026-11-18', createdAt: '2026-11-18T03:00:00.000Z' });
    const after = earlier('B', { foundOn: '2026-11-18', createdAt: '2026-11-18T06:00:00.000Z' });
    expect(findRepeat(sameDay, [before, after], DEFAULT_REPEAT_RULE)?.of).toEqual(['A']);
  });

  it('flag a batch against stored problems only, never against each other', () => {
    const batch = [fresh, { ...fresh, id: 'NEW2' }];
    expect(flagRepeats(batch, [], DEFAULT_REPEAT_RULE).size).toBe(0);
    expect([...flagRepeats(batch, [earlier('A')], DEFAULT_REPEAT_RULE).keys()]).toEqual(['NEW', 'NEW2']);
  });
});

describe('repeat weight', () => {
  it('is 1 by default, so version 1’s numbers do not change', () => {
    expect(repeatRuleOf(DEFAULT_RULE_SET)).toEqual({ withinWeeks: 8, weight: 1 });
    expect(problemWeight(DEFAULT_RULE_SET, 0, true)).toBe(1);
    expect(problemWeight(DEFAULT_RULE_SET, 1, true)).toBe(2);
  });

  it('weighs a repeat as the rule set says, the heavier of repeat and false rectification', () => {
    const rs = withRepeats({ withinWeeks: 8, weight: 3 });
    expect(problemWeight(rs, 0, true)).toBe(3);
    expect(problemWeight(rs, 1, true)).toBe(3);
    expect(problemWeight(rs, 1, false)).toBe(2);
    expect(problemWeight(rs, 0, false)).toBe(1);
  });

  it('moves the tier and names the repeat in the explanation', () => {
    const rs = withRepeats({ withinWeeks: 8, weight: 2 });
    const decision = decideTier(
      {
        cadreId: 'C1',
        openProblems: [
          { problemId: 'P1', severity: 'minor', falseRectifications: 0, repeatOf: ['P0'] },
          { problemId: 'P2', severity: 'minor', falseRectifications: 0 },
        ],
        absences: [],
        commendations: [],
      },
      rs,
    );
    expect(decision.weightedCount).toBe(3);
    expect(decision.tier).toBe('reminderTalk');
    expect(decision.reasons[0]).toMatchObject({ problemId: 'P1', repeatOf: ['P0'], weight: 2 });
    expect(decision.explanation).toContain('同类问题 8 周内重复发生 1 个，每个按 2 个计');
  });

  it('with weight 1 names the repeat but counts it once', () => {
    const decision = decideTier(
      {
        cadreId: 'C1',
        openProblems: [{ problemId: 'P1', severity: 'minor', falseRectifications: 0, repeatOf: ['P0'] }],
        absences: [],
        commendations: [],
      },
      DEFAULT_RULE_SET,
    );
    expect(decision.weightedCount).toBe(1);
    expect(decision.explanation).toContain('同类问题 8 周内重复发生 1 个');
    expect(decision.explanation).not.toContain('每个按 1 个计');
  });
});

describe('absence counted once', () => {
  const WEEK = '2026-W47';
  const base: ProblemFact = {
    id: 'P1',
    cadreId: 'C1',
    villageId: 'V1',
    townshipId: 'T1',
    severity: 'minor',
    foundOn: '2026-11-17',
    inspectionId: 'I1',
    events: [],
  };
  const absent: FindingFact = {
    inspectionId: 'I1',
    cadreId: 'C1',
    villageId: 'V1',
    townshipId: 'T1',
    date: '2026-11-17',
    present: false,
    presence: 'absent',
  };
  const run = (problems: ProblemFact[], findings: FindingFact[]) =>
    evaluateWeek({
      week: WEEK,
      asOf: weekEndInstant(WEEK),
      ruleSet: DEFAULT_RULE_SET,
      cadres: [{ id: 'C1', name: '甲', townshipId: 'T1' }],
      problems,
      findings,
      dispatches: [],
      directReports: [],
    }).cadres[0];

  it('a headcount absence and a problem recording it at the same inspection are one finding', () => {
    const c = run([{ ...base, absence: true }], [absent]);
    expect(c?.weightedCount).toBe(1);
    expect(c?.reasons.map((r) => r.kind)).toEqual(['openProblem']);
  });

  it('lists the absence as counted by the problem', () => {
    const e = evaluateWeek({
      week: WEEK,
      asOf: weekEndInstant(WEEK),
      ruleSet: DEFAULT_RULE_SET,
      cadres: [{ id: 'C1', name: '甲' }],
      problems: [{ ...base, absence: true }],
      findings: [absent],
      dispatches: [],
      directReports: [],
    });
    expect(e.absences).toEqual([expect.objectContaining({ inspectionId: 'I1', countedAsProblemId: 'P1' })]);
  });

  it.each([
    ['a problem not marked as the absence', { ...base }],
    ['an absence problem of another inspection', { ...base, absence: true, inspectionId: 'I2' }],
    ['an absence problem of another cadre', { ...base, absence: true, cadreId: 'C2' }],
  ])('still counts the headcount absence beside %s', (_what, p) => {
    expect(run([p], [absent])?.reasons.map((r) => r.kind)).toContain('absence');
  });

  it('counts both when the problem is not the absence', () => {
    expect(run([{ ...base }], [absent])?.weightedCount).toBe(2);
  });

  it('counts the absence alone when no problem records it', () => {
    expect(run([], [absent])?.weightedCount).toBe(1);
  });
});

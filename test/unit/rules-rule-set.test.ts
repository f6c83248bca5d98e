import { describe, expect, it } from 'vitest';
import {
  checkRuleSetSuccession,
  DEFAULT_RULE_SET,
  evaluateWeek,
  type ProblemFact,
  type RuleSet,
  rectificationDeadline,
  ruleSetForWeek,
  selectRuleSet,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import { ruleSet as ruleSetSchema } from '../../functions/schemas/rules.ts';

const v = (version: number, effectiveFrom: string, over: Partial<RuleSet> = {}): RuleSet => ({
  ...structuredClone(DEFAULT_RULE_SET),
  version,
  effectiveFrom,
  ...over,
});

/** Stricter rules from 2026-W48: one problem is already a self-criticism, two a reminder talk. */
const strict = v(2, '2026-11-23', {
  tiers: {
    selfCriticism: { min: 1, max: 1 },
    reminderTalk: { min: 2, max: 3 },
    admonishmentTalk: { min: 4 },
  },
});
const correction = v(4, '2026-11-23');
const next = v(3, '2027-01-04');
const history = [next, correction, DEFAULT_RULE_SET, strict];

describe('choosing the rule set in force', () => {
  it.each<[string, number | undefined]>([
    ['2017-12-25', undefined],
    ['2018-01-01', 1],
    ['2026-11-16', 1],
    ['2026-11-23', 4],
    ['2026-12-28', 4],
    ['2027-01-04', 3],
    ['2030-01-07', 3],
  ])(
    'for the week of %s it is version %s (latest start on or before, higher version on the same start)',
    (monday, version) => {
      expect(selectRuleSet(history, monday)?.version).toBe(version);
      expect(selectRuleSet([...history].reverse(), monday)?.version).toBe(version);
    },
  );

  it.each([
    ['2026-W47', 1],
    ['2026-W48', 4],
    ['2027-W01', 3],
  ])('for ISO week %s it is version %s', (week, version) => {
    expect(ruleSetForWeek(history, week)?.version).toBe(version);
  });

  it('builds test rule sets that the schema itself accepts', () => {
    for (const rs of history) expect(ruleSetSchema.safeParse(rs).success).toBe(true);
  });
});

describe('a new rule set never rewrites a past week', () => {
  const cadres = [{ id: 'C1', name: '甲', townshipId: 'T1' }];
  const twoProblems: ProblemFact[] = ['P1', 'P2'].map((id) => ({
    id,
    cadreId: 'C1',
    villageId: 'V1',
    townshipId: 'T1',
    severity: 'minor',
    foundOn: '2026-11-16',
    events: [],
  }));
  const evaluate = (week: string, sets: RuleSet[]) =>
    evaluateWeek({
      week,
      asOf: weekEndInstant(week),
      ruleSet: ruleSetForWeek(sets, week)!,
      cadres,
      problems: twoProblems,
      findings: [],
      dispatches: [],
      directReports: [],
    });

  it('evaluates the week before the new rules exactly as before they were published', () => {
    const before = evaluate('2026-W47', [DEFAULT_RULE_SET]);
    const after = evaluate('2026-W47', [DEFAULT_RULE_SET, strict]);
    expect(after).toEqual(before);
    expect(after.ruleSetVersion).toBe(1);
    expect(after.tiers.selfCriticism).toEqual(['C1']);
  });

  it('applies the new rules from their first week, recording their version', () => {
    const later = evaluate('2026-W48', [DEFAULT_RULE_SET, strict]);
    expect(later.ruleSetVersion).toBe(2);
    expect(later.tiers.reminderTalk).toEqual(['C1']);
    expect(later.cadres[0]!.explanation).toContain('第 2 版');
  });

  it('refuses to evaluate a week with a rule set that had not started yet', () => {
    expect(() =>
      evaluateWeek({
        week: '2026-W47',
        asOf: weekEndInstant('2026-W47'),
        ruleSet: strict,
        cadres,
        problems: [],
        findings: [],
        dispatches: [],
        directReports: [],
      }),
    ).toThrow(RangeError);
  });
});

describe('publishing a new rule set', () => {
  it.each<[string, Pick<RuleSet, 'version' | 'effectiveFrom'>, string, string[]]>([
    ['next Monday, next version', { version: 2, effectiveFrom: '2026-11-23' }, '2026-11-18', []],
    [
      'next Monday, asked on the Sunday before',
      { version: 2, effectiveFrom: '2026-11-23' },
      '2026-11-22',
      [],
    ],
    ['a Monday months ahead', { version: 2, effectiveFrom: '2027-03-01' }, '2026-11-18', []],
    ['the current week', { version: 2, effectiveFrom: '2026-11-16' }, '2026-11-18', ['EFFECTIVE_IN_PAST']],
    [
      'this Monday, asked on that Monday',
      { version: 2, effectiveFrom: '2026-11-23' },
      '2026-11-23',
      ['EFFECTIVE_IN_PAST'],
    ],
    ['a past week', { version: 2, effectiveFrom: '2026-01-05' }, '2026-11-18', ['EFFECTIVE_IN_PAST']],
    ['a Tuesday', { version: 2, effectiveFrom: '2026-11-24' }, '2026-11-18', ['NOT_MONDAY']],
    ['a skipped version', { version: 3, effectiveFrom: '2026-11-23' }, '2026-11-18', ['VERSION_SEQUENCE']],
    [
      'a reused version in the past',
      { version: 1, effectiveFrom: '2026-11-09' },
      '2026-11-18',
      ['VERSION_SEQUENCE', 'EFFECTIVE_IN_PAST'],
    ],
  ])('%s → %j', (_what, candidate, today, codes) => {
    const issues = checkRuleSetSuccession([DEFAULT_RULE_SET], candidate, today);
    expect(issues.map((i) => i.code)).toEqual(codes);
    for (const i of issues) expect(i.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('default rectification deadlines', () => {
  it.each([
    ['minor', '2026-11-30'],
    ['major', '2026-11-23'],
    ['severe', '2026-11-19'],
  ] as const)('a %s problem found on 2026-11-16 is due by %s', (severity, due) => {
    expect(rectificationDeadline(DEFAULT_RULE_SET, '2026-11-16', severity)).toBe(due);
  });
});

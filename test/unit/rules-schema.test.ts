import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET } from '../../functions/core/rules/index.ts';
import { fieldIssues } from '../../functions/http/validation.ts';
import { type RuleSetInput, ruleSet, ruleSetInput } from '../../functions/schemas/rules.ts';

/** A fresh, mutable copy of the default as an admin would send it (no version: the server assigns it). */
function input(): Record<string, unknown> & RuleSetInput {
  const { version: _version, ...rest } = structuredClone(DEFAULT_RULE_SET);
  return rest as Record<string, unknown> & RuleSetInput;
}

describe('rule set schema', () => {
  it('accepts the shipped default unchanged', () => {
    expect(ruleSet.parse(DEFAULT_RULE_SET)).toEqual(DEFAULT_RULE_SET);
  });

  it('accepts the default without a version as an admin input', () => {
    const { version: _v, ...expected } = DEFAULT_RULE_SET;
    expect(ruleSetInput.parse(input())).toEqual(expected);
  });

  it('ships the defaults the issue states', () => {
    expect(DEFAULT_RULE_SET).toMatchObject({
      tiers: {
        selfCriticism: { min: 1, max: 2 },
        reminderTalk: { min: 3, max: 4 },
        admonishmentTalk: { min: 5 },
      },
      falseRectificationWeight: 2,
      colors: { yellowWithinDays: 3, redSeverities: ['severe'] },
      rectificationDays: { minor: 14, major: 7, severe: 3 },
      absenceIsProblem: { enabled: true, severity: 'minor' },
      circle: { tiers: ['reminderTalk', 'admonishmentTalk'] },
    });
    expect(DEFAULT_RULE_SET.majorFailures.map((t) => t.name)).toEqual([
      '人畜饮水中断',
      '因水源发生群体性纠纷',
      '可避免的绝收',
    ]);
  });

  it.each<[string, (rs: ReturnType<typeof input>) => void, string, string]>([
    [
      'a start date that is not a Monday',
      (rs) => Object.assign(rs, { effectiveFrom: '2026-11-17' }),
      'effectiveFrom',
      'NOT_MONDAY',
    ],
    [
      'a start date that does not exist',
      (rs) => Object.assign(rs, { effectiveFrom: '2026-02-30' }),
      'effectiveFrom',
      'INVALID_DATE',
    ],
    [
      'a gap between self-criticism and reminder talk',
      (rs) => {
        rs.tiers.reminderTalk.min = 4;
      },
      'tiers.reminderTalk.min',
      'TIERS_NOT_CONTIGUOUS',
    ],
    [
      'overlapping self-criticism and reminder talk',
      (rs) => {
        rs.tiers.reminderTalk.min = 2;
      },
      'tiers.reminderTalk.min',
      'TIERS_NOT_CONTIGUOUS',
    ],
    [
      'a gap before admonishment talk',
      (rs) => {
        rs.tiers.admonishmentTalk.min = 7;
      },
      'tiers.admonishmentTalk.min',
      'TIERS_NOT_CONTIGUOUS',
    ],
    [
      'a band whose upper bound is below its lower bound',
      (rs) => {
        rs.tiers.selfCriticism = { min: 3, max: 2 };
      },
      'tiers.selfCriticism.max',
      'BAND_INVERTED',
    ],
    [
      'a lightest tier starting at zero problems',
      (rs) => {
        rs.tiers.selfCriticism.min = 0;
      },
      'tiers.selfCriticism.min',
      'TOO_SMALL',
    ],
    [
      'an upper bound on the heaviest tier',
      (rs) => {
        Object.assign(rs.tiers.admonishmentTalk, { max: 9 });
      },
      'tiers.admonishmentTalk.max',
      'UNKNOWN_FIELD',
    ],
    [
      'a missing tier',
      (rs) => {
        delete (rs.tiers as Partial<typeof rs.tiers>).reminderTalk;
      },
      'tiers.reminderTalk',
      'INVALID_TYPE',
    ],
    [
      'a fractional false-rectification weight',
      (rs) => {
        rs.falseRectificationWeight = 1.5;
      },
      'falseRectificationWeight',
      'INVALID_TYPE',
    ],
    [
      'a zero false-rectification weight',
      (rs) => {
        rs.falseRectificationWeight = 0;
      },
      'falseRectificationWeight',
      'TOO_SMALL',
    ],
    [
      'a severe deadline longer than a major one',
      (rs) => {
        rs.rectificationDays.severe = 10;
      },
      'rectificationDays.severe',
      'DEADLINE_ORDER',
    ],
    [
      'a major deadline longer than a minor one',
      (rs) => {
        rs.rectificationDays.major = 20;
      },
      'rectificationDays.major',
      'DEADLINE_ORDER',
    ],
    [
      'a negative yellow window',
      (rs) => {
        rs.colors.yellowWithinDays = -1;
      },
      'colors.yellowWithinDays',
      'TOO_SMALL',
    ],
    [
      'a severity listed twice for red',
      (rs) => {
        rs.colors.redSeverities = ['severe', 'severe'];
      },
      'colors.redSeverities.1',
      'DUPLICATE',
    ],
    [
      'an unknown absence severity',
      (rs) => {
        Object.assign(rs.absenceIsProblem, { severity: 'huge' });
      },
      'absenceIsProblem.severity',
      'INVALID_VALUE',
    ],
    [
      'no major-failure types',
      (rs) => {
        rs.majorFailures = [];
      },
      'majorFailures',
      'TOO_SMALL',
    ],
    [
      'a major-failure code used twice',
      (rs) => {
        rs.majorFailures[1]!.code = rs.majorFailures[0]!.code;
      },
      'majorFailures.1.code',
      'DUPLICATE',
    ],
    [
      'a major-failure name used twice',
      (rs) => {
        rs.majorFailures[2]!.name = rs.majorFailures[0]!.name;
      },
      'majorFailures.2.name',
      'DUPLICATE',
    ],
    [
      'a major-failure code with capitals',
      (rs) => {
        rs.majorFailures[0]!.code = 'Water';
      },
      'majorFailures.0.code',
      'INVALID_FORMAT',
    ],
    [
      'an unknown consequence',
      (rs) => {
        Object.assign(rs.majorFailures[0]!, { consequence: 'fine' });
      },
      'majorFailures.0.consequence',
      'INVALID_VALUE',
    ],
    [
      'a serious consequence lighter than the usual one',
      (rs) => {
        Object.assign(rs.majorFailures[0]!, {
          consequence: 'disciplinary_recommendation',
          seriousConsequence: 'notice_of_criticism',
        });
      },
      'majorFailures.0.seriousConsequence',
      'CONSEQUENCE_ORDER',
    ],
    [
      'an empty circle',
      (rs) => {
        rs.circle.tiers = [];
      },
      'circle.tiers',
      'TOO_SMALL',
    ],
    [
      'a circle without its heaviest tier',
      (rs) => {
        rs.circle.tiers = ['reminderTalk'];
      },
      'circle.tiers',
      'CIRCLE_NOT_UPPER',
    ],
    [
      'a circle tier listed twice',
      (rs) => {
        rs.circle.tiers = ['reminderTalk', 'admonishmentTalk', 'admonishmentTalk'];
      },
      'circle.tiers.2',
      'DUPLICATE',
    ],
    [
      'training for a tier outside the circle',
      (rs) => {
        rs.remedialTraining.tiers = ['selfCriticism'];
      },
      'remedialTraining.tiers.0',
      'NOT_IN_CIRCLE',
    ],
    [
      'zero consecutive weeks for training',
      (rs) => {
        rs.remedialTraining.minConsecutiveCircleWeeks = 0;
      },
      'remedialTraining.minConsecutiveCircleWeeks',
      'TOO_SMALL',
    ],
    [
      'an unknown field',
      (rs) => {
        Object.assign(rs, { bonus: true });
      },
      'bonus',
      'UNKNOWN_FIELD',
    ],
  ])('refuses %s with a Chinese message at the field', (_what, mutate, path, code) => {
    const rs = input();
    mutate(rs);
    const result = ruleSetInput.safeParse(rs);
    expect(result.success).toBe(false);
    const issues = fieldIssues(result.error!, '');
    const hit = issues.find((i) => i.path === path);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.code).toBe(code);
    expect(hit!.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('requires a whole positive version on a stored rule set', () => {
    const result = ruleSet.safeParse({ ...DEFAULT_RULE_SET, version: 0 });
    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!, '').map((i) => i.path)).toEqual(['version']);
  });
});

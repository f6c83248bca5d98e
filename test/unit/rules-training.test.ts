import { describe, expect, it } from 'vitest';
import {
  circleHold,
  DEFAULT_RULE_SET,
  evaluateWeek,
  evaluationFingerprint,
  type PreviousCadreStanding,
  type RuleSet,
  type WeekInput,
  wasTrainingCandidate,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import { meetingAttendees, speakerIssues } from '../../functions/core/self-criticism.ts';

/** Completion of 干部营养餐 as a condition for leaving the circle (off in version 1). */
const REQUIRED: RuleSet = {
  ...DEFAULT_RULE_SET,
  version: 2,
  remedialTraining: { ...DEFAULT_RULE_SET.remedialTraining, completionRequiredToLeave: true },
};
const WEEK = '2026-W48'; // 23–29 November
const MONDAY = '2026-11-23';

const candidate: PreviousCadreStanding = {
  cadreId: 'C1',
  tier: 'admonishmentTalk',
  circle: { member: true, weeks: 1 },
};

function input(over: Partial<WeekInput> = {}): WeekInput {
  return {
    week: WEEK,
    asOf: weekEndInstant(WEEK),
    ruleSet: REQUIRED,
    cadres: [{ id: 'C1', name: '周诫勉', townshipId: 'T1' }],
    problems: [],
    findings: [],
    dispatches: [],
    directReports: [],
    previous: {
      week: '2026-W47',
      cadres: [candidate],
      effectiveness: { county: { current: null }, townships: [] } as never,
    },
    ...over,
  };
}

describe('circleHold', () => {
  it.each([
    ['the rule is off (version 1)', DEFAULT_RULE_SET, candidate, 'none', []],
    ['the cadre stays in a circle tier anyway', REQUIRED, candidate, 'reminderTalk', []],
    [
      'they completed a session since entering',
      REQUIRED,
      candidate,
      'none',
      [{ cadreId: 'C1', trainingId: 'S1', date: '2026-11-18' }],
    ],
    [
      'they were never a candidate (reminder talk, one week)',
      REQUIRED,
      { ...candidate, tier: 'reminderTalk' },
      'none',
      [],
    ],
    [
      'they were outside the circle',
      REQUIRED,
      { ...candidate, tier: 'none', circle: { member: false, weeks: 0 } },
      'none',
      [],
    ],
  ] as const)('is null when %s', (_what, rules, previous, tier, completions) => {
    expect(circleHold('C1', tier, previous, rules, MONDAY, '2026-11-29', completions)).toBeNull();
  });

  it.each([
    ['no completion at all', []],
    [
      'a completion before the run in the circle began',
      [{ cadreId: 'C1', trainingId: 'S0', date: '2026-11-15' }],
    ],
    ['a completion after the evaluated day', [{ cadreId: 'C1', trainingId: 'S2', date: '2026-11-30' }]],
    ['someone else’s completion', [{ cadreId: 'C2', trainingId: 'S1', date: '2026-11-20' }]],
  ])('holds a candidate leaving by tier with %s', (_what, completions) => {
    expect(circleHold('C1', 'none', candidate, REQUIRED, MONDAY, '2026-11-29', completions)).toEqual({
      reason: 'trainingIncomplete',
      since: '2026-11-16',
    });
  });

  it('counts a held cadre as a candidate the next week, whatever their tier', () => {
    expect(
      wasTrainingCandidate({ cadreId: 'C1', tier: 'none', circle: { member: true, weeks: 3 } }, REQUIRED),
    ).toBe(true);
  });
});

describe('evaluateWeek with completion required', () => {
  it('keeps the cadre in the circle, a week more, with the reason in the explanation', () => {
    const e = evaluateWeek(input()).cadres[0];
    expect(e).toMatchObject({
      tier: 'none',
      circle: {
        member: true,
        movement: 'stayed',
        weeks: 2,
        held: { reason: 'trainingIncomplete', since: '2026-11-16' },
      },
      talkNotice: null,
    });
    expect(e?.remedialTraining).toContain('trainingIncomplete');
    expect(e?.explanation).toContain('依第 2 版规则，须完成“干部营养餐”培训方可出圈');
    expect(evaluateWeek(input()).circle.members).toEqual(['C1']);
  });

  it('lets them out once a completion is dated in their run', () => {
    const e = evaluateWeek(
      input({ trainingCompletions: [{ cadreId: 'C1', trainingId: 'S1', date: '2026-11-25' }] }),
    ).cadres[0];
    expect(e?.circle).toEqual({
      member: false,
      movement: 'exited',
      previousTier: 'admonishmentTalk',
      weeks: 0,
    });
  });

  it('changes nothing under version 1: same result and fingerprint as before the rule existed', () => {
    const v1 = input({ ruleSet: DEFAULT_RULE_SET });
    const e = evaluateWeek(v1);
    expect(e.cadres[0]?.circle).toEqual({
      member: false,
      movement: 'exited',
      previousTier: 'admonishmentTalk',
      weeks: 0,
    });
    expect(evaluationFingerprint(e)).toBe(
      evaluationFingerprint(evaluateWeek({ ...v1, trainingCompletions: [] })),
    );
    expect(JSON.stringify(e)).not.toContain('held');
  });
});

describe('self-criticism speakers', () => {
  it('adds speakers to the attendees once', () => {
    expect(meetingAttendees(['A', 'B'], ['B', 'C'])).toEqual(['A', 'B', 'C']);
  });

  it('names each speaker not in the self-criticism tier, in Chinese', () => {
    const issues = speakerIssues(
      ['A', 'B', 'C'],
      new Map([
        ['A', 'selfCriticism'],
        ['B', 'reminderTalk'],
      ]),
      '2026-W47',
      new Map([
        ['B', '钱重'],
        ['C', '孙净'],
      ]),
    );
    expect(issues).toEqual([
      {
        path: 'body.speakerIds.1',
        code: 'NOT_IN_SELF_CRITICISM_TIER',
        message: '钱重第47周（11月16日—11月22日）的档次为提醒谈话，不是检讨发言',
      },
      {
        path: 'body.speakerIds.2',
        code: 'NOT_IN_SELF_CRITICISM_TIER',
        message: '孙净第47周（11月16日—11月22日）没有考评结果，不能列为检讨发言人',
      },
    ]);
  });
});

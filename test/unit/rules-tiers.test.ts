import { describe, expect, it } from 'vitest';
import {
  type CadreFacts,
  DEFAULT_RULE_SET,
  decideTier,
  type OpenProblemFact,
  type RuleSet,
  type Tier,
} from '../../functions/core/rules/index.ts';

const rules = (over: Partial<RuleSet> = {}): RuleSet => ({ ...structuredClone(DEFAULT_RULE_SET), ...over });

const plain = (n: number, prefix = 'P'): OpenProblemFact[] =>
  Array.from({ length: n }, (_, i) => ({
    problemId: `${prefix}${String(i + 1).padStart(2, '0')}`,
    severity: 'minor',
    falseRectifications: 0,
  }));
const falseOnes = (n: number, times = 1): OpenProblemFact[] =>
  Array.from({ length: n }, (_, i) => ({
    problemId: `F${i + 1}`,
    severity: 'major',
    falseRectifications: times,
  }));

const facts = (over: Partial<CadreFacts> = {}): CadreFacts => ({
  cadreId: 'C1',
  openProblems: [],
  absences: [],
  commendations: [],
  ...over,
});
const commendation = { inspectionId: 'I1', date: '2026-11-17' };
const absence = { inspectionId: 'I2', date: '2026-11-18' };

describe('tier thresholds (default 1–2 / 3–4 / 5+)', () => {
  it.each<[number, Tier]>([
    [0, 'none'],
    [1, 'selfCriticism'],
    [2, 'selfCriticism'],
    [3, 'reminderTalk'],
    [4, 'reminderTalk'],
    [5, 'admonishmentTalk'],
    [6, 'admonishmentTalk'],
    [40, 'admonishmentTalk'],
  ])('%i open problems → %s', (count, tier) => {
    const decision = decideTier(facts({ openProblems: plain(count) }), rules());
    expect(decision.tier).toBe(tier);
    expect(decision.weightedCount).toBe(count);
    expect(decision.ruleSetVersion).toBe(1);
  });

  it.each<[string, RuleSet['tiers'], number, Tier]>([
    [
      'a lightest band starting at 2, count 1',
      { selfCriticism: { min: 2, max: 3 }, reminderTalk: { min: 4, max: 6 }, admonishmentTalk: { min: 7 } },
      1,
      'none',
    ],
    [
      'a lightest band starting at 2, count 2',
      { selfCriticism: { min: 2, max: 3 }, reminderTalk: { min: 4, max: 6 }, admonishmentTalk: { min: 7 } },
      2,
      'selfCriticism',
    ],
    [
      'single-count bands, count 2',
      { selfCriticism: { min: 1, max: 1 }, reminderTalk: { min: 2, max: 2 }, admonishmentTalk: { min: 3 } },
      2,
      'reminderTalk',
    ],
    [
      'single-count bands, count 3',
      { selfCriticism: { min: 1, max: 1 }, reminderTalk: { min: 2, max: 2 }, admonishmentTalk: { min: 3 } },
      3,
      'admonishmentTalk',
    ],
    [
      'wide bands, upper edge of reminder',
      { selfCriticism: { min: 1, max: 3 }, reminderTalk: { min: 4, max: 9 }, admonishmentTalk: { min: 10 } },
      9,
      'reminderTalk',
    ],
    [
      'wide bands, first admonishment count',
      { selfCriticism: { min: 1, max: 3 }, reminderTalk: { min: 4, max: 9 }, admonishmentTalk: { min: 10 } },
      10,
      'admonishmentTalk',
    ],
  ])('custom bands: %s → %s', (_what, tiers, count, tier) => {
    expect(decideTier(facts({ openProblems: plain(count) }), rules({ tiers })).tier).toBe(tier);
  });

  it('records the band that placed the cadre', () => {
    expect(decideTier(facts({ openProblems: plain(3) }), rules()).band).toEqual({ min: 3, max: 4 });
    expect(decideTier(facts({ openProblems: plain(9) }), rules()).band).toEqual({ min: 5, max: null });
    expect(decideTier(facts(), rules()).band).toBeNull();
  });
});

describe('false rectification weight', () => {
  it.each<[string, OpenProblemFact[], number, number, Tier]>([
    ['one false rectification, default weight', falseOnes(1), 2, 2, 'selfCriticism'],
    ['one false + one plain', [...falseOnes(1), ...plain(1)], 2, 3, 'reminderTalk'],
    ['two false rectifications', falseOnes(2), 2, 4, 'reminderTalk'],
    ['two false + one plain', [...falseOnes(2), ...plain(1)], 2, 5, 'admonishmentTalk'],
    [
      'a problem rejected twice still weighs as one false rectification',
      falseOnes(1, 2),
      2,
      2,
      'selfCriticism',
    ],
    ['weight 3 set by the rules', falseOnes(1), 3, 3, 'reminderTalk'],
    ['weight 1: a false rectification counts like any problem', falseOnes(2), 1, 2, 'selfCriticism'],
  ])('%s', (_what, problems, weight, count, tier) => {
    const decision = decideTier(
      facts({ openProblems: problems }),
      rules({ falseRectificationWeight: weight }),
    );
    expect(decision.weightedCount).toBe(count);
    expect(decision.tier).toBe(tier);
  });

  it('lists every problem with its weight, sorted by id, so the tier can be explained', () => {
    const decision = decideTier(facts({ openProblems: [...plain(1, 'Z'), ...falseOnes(1)] }), rules());
    expect(decision.reasons).toEqual([
      {
        kind: 'openProblem',
        problemId: 'F1',
        severity: 'major',
        falseRectification: true,
        falseRectifications: 1,
        weight: 2,
      },
      {
        kind: 'openProblem',
        problemId: 'Z01',
        severity: 'minor',
        falseRectification: false,
        falseRectifications: 0,
        weight: 1,
      },
    ]);
    expect(decision.explanation).toBe(
      '未销号问题 2 个（其中虚假整改 1 个，每个按 2 个计），加权合计 3 个；依第 1 版规则（3–4 个：提醒谈话），定为提醒谈话。',
    );
  });
});

describe('commendation', () => {
  it.each<[string, Partial<CadreFacts>, Partial<RuleSet>, Tier]>([
    ['no problems and a commendation', { commendations: [commendation] }, {}, 'commended'],
    ['no problems and no commendation', {}, {}, 'none'],
    [
      'one problem and a commendation',
      { openProblems: plain(1), commendations: [commendation] },
      {},
      'selfCriticism',
    ],
    [
      'an absence and a commendation',
      { absences: [absence], commendations: [commendation] },
      {},
      'selfCriticism',
    ],
    [
      'an absence that the rules do not count, and a commendation',
      { absences: [absence], commendations: [commendation] },
      { absenceIsProblem: { enabled: false, severity: 'minor' } },
      'commended',
    ],
    [
      'commendations switched off by the rules',
      { commendations: [commendation] },
      { commendation: { enabled: false, minCommendations: 1 } },
      'none',
    ],
    [
      'one commendation where the rules ask for two',
      { commendations: [commendation] },
      { commendation: { enabled: true, minCommendations: 2 } },
      'none',
    ],
    [
      'two commendations where the rules ask for two',
      { commendations: [commendation, { inspectionId: 'I9', date: '2026-11-20' }] },
      { commendation: { enabled: true, minCommendations: 2 } },
      'commended',
    ],
    [
      'a count below the lightest band and a commendation',
      { openProblems: plain(1), commendations: [commendation] },
      {
        tiers: {
          selfCriticism: { min: 2, max: 2 },
          reminderTalk: { min: 3, max: 4 },
          admonishmentTalk: { min: 5 },
        },
      },
      'none',
    ],
  ])('%s → %s', (_what, over, ruleOver, tier) => {
    expect(decideTier(facts(over), rules(ruleOver)).tier).toBe(tier);
  });

  it('names the commending inspection among the reasons', () => {
    const decision = decideTier(facts({ commendations: [commendation] }), rules());
    expect(decision.reasons).toEqual([{ kind: 'commendation', inspectionId: 'I1', date: '2026-11-17' }]);
    expect(decision.explanation).toContain('充分肯定');
  });
});

describe('absence at a headcount', () => {
  it('counts as one problem of the rule severity when enabled', () => {
    const decision = decideTier(facts({ openProblems: plain(2), absences: [absence] }), rules());
    expect(decision.tier).toBe('reminderTalk');
    expect(decision.weightedCount).toBe(3);
    expect(decision.reasons).toContainEqual({
      kind: 'absence',
      inspectionId: 'I2',
      date: '2026-11-18',
      severity: 'minor',
      weight: 1,
    });
    expect(decision.explanation).toContain('点名不在岗 1 次');
  });

  it('is left out entirely when the rules switch it off', () => {
    const decision = decideTier(
      facts({ openProblems: plain(2), absences: [absence] }),
      rules({ absenceIsProblem: { enabled: false, severity: 'minor' } }),
    );
    expect(decision.tier).toBe('selfCriticism');
    expect(decision.reasons.some((r) => r.kind === 'absence')).toBe(false);
  });
});

describe('explanations', () => {
  it.each<[string, Partial<CadreFacts>, Partial<RuleSet>, string]>([
    ['none', {}, {}, '无未销号问题，本周未获督查组肯定；依第 1 版规则，不列档次。'],
    [
      'commended',
      { commendations: [commendation] },
      {},
      '无未销号问题，本周获督查组肯定 1 次；依第 1 版规则，予以充分肯定。',
    ],
    [
      'admonishment',
      { openProblems: plain(5) },
      {},
      '未销号问题 5 个，加权合计 5 个；依第 1 版规则（5 个及以上：诫勉谈话），定为诫勉谈话。',
    ],
    [
      'below the lightest band',
      { openProblems: plain(1) },
      {
        tiers: {
          selfCriticism: { min: 2, max: 2 },
          reminderTalk: { min: 3, max: 4 },
          admonishmentTalk: { min: 5 },
        },
      },
      '未销号问题 1 个，加权合计 1 个，未达检讨发言起点（2 个）；依第 1 版规则，不列档次。',
    ],
  ])('say why in Chinese: %s', (_what, over, ruleOver, text) => {
    expect(decideTier(facts(over), rules(ruleOver)).explanation).toBe(text);
  });

  it('do not depend on the order facts arrive in', () => {
    const problems = [...plain(3), ...falseOnes(2)];
    const a = decideTier(facts({ openProblems: problems, absences: [absence, commendation] }), rules());
    const b = decideTier(
      facts({ openProblems: [...problems].reverse(), absences: [commendation, absence] }),
      rules(),
    );
    expect(b).toEqual(a);
  });
});

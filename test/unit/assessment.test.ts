import { describe, expect, it } from 'vitest';
import {
  checkSchemeSuccession,
  DEFAULT_ASSESSMENT_SCHEME,
  emptyFacts,
  latestFinishedQuarter,
  overlapDays,
  parsePeriod,
  periodLabel,
  ranked,
  schemeForPeriod,
  scoreCadre,
  scoreUnit,
  scoreVillage,
} from '../../functions/core/assessment.ts';
import { assess, type PeriodRecords, weeksOf } from '../../functions/core/assessment-facts.ts';

const scheme = DEFAULT_ASSESSMENT_SCHEME;
const q4 = parsePeriod('2026-Q4')!;

describe('periods', () => {
  it.each([
    ['2026-Q1', '2026-01-01', '2026-03-31', '2026年第一季度'],
    ['2026-Q2', '2026-04-01', '2026-06-30', '2026年第二季度'],
    ['2026-Q3', '2026-07-01', '2026-09-30', '2026年第三季度'],
    ['2026-Q4', '2026-10-01', '2026-12-31', '2026年第四季度'],
    ['2026', '2026-01-01', '2026-12-31', '2026年度'],
  ])('%s runs from %s to %s (%s)', (id, from, to, label) => {
    const p = parsePeriod(id)!;
    expect(p).toMatchObject({ from, to });
    expect(periodLabel(p)).toBe(label);
  });

  it.each(['2026-Q5', '2026-Q0', 'abc', '2026-W47', '26', '2026-q4', ''])('%s is not a period', (id) => {
    expect(parsePeriod(id)).toBeUndefined();
  });

  it('the latest finished quarter is the one before today’s', () => {
    expect(latestFinishedQuarter('2026-12-06')).toBe('2026-Q3');
    expect(latestFinishedQuarter('2027-01-01')).toBe('2026-Q4');
  });

  it('counts the days an assignment ran in the period (half-open periods)', () => {
    expect(overlapDays(q4, '2026-01-01', null)).toBe(92);
    expect(overlapDays(q4, '2026-11-01', '2026-11-08')).toBe(7);
    expect(overlapDays(q4, '2026-01-01', '2026-10-01')).toBe(0);
  });

  it('lists the ISO weeks the quarter touches', () => {
    const weeks = weeksOf(q4);
    expect(weeks[0]).toBe('2026-W40');
    expect(weeks[weeks.length - 1]).toBe('2026-W53');
  });
});

describe('scoring', () => {
  it('a village with nothing held against it and nothing measured scores full marks', () => {
    expect(scoreVillage(emptyFacts(), scheme).score).toBe(100);
  });

  it('weighs problems by severity and leaves out items that do not apply', () => {
    const facts = { ...emptyFacts(), problems: { minor: 1, major: 0, severe: 2 } };
    const scored = scoreVillage(facts, scheme);
    const row = (item: string) => scored.breakdown.find((b) => b.item === item)!;
    expect(row('problems')).toMatchObject({ raw: 7, points: 65, weight: 20 });
    // Found three, verified none.
    expect(row('verified')).toMatchObject({ raw: 0, points: 0 });
    expect(row('dispatchesOnTime').points).toBeNull();
    expect(row('exitAssessment').points).toBeNull();
    // problems 65×20, verified 0×10, false 100×10, talks 100×5 over weights 45.
    expect(scored.score).toBe(Math.round(((65 * 20 + 0 + 100 * 10 + 100 * 5) / 45) * 10) / 10);
  });

  it('counts false rectifications, late verification, talks and HQ’s results against the village', () => {
    const facts = {
      ...emptyFacts(),
      problems: { minor: 2, major: 0, severe: 0 },
      verifiedDays: [10, 12],
      falseRectifications: 1,
      reminderTalks: 1,
      admonishmentTalks: 1,
    };
    const scored = scoreVillage(facts, scheme, { exitAssessment: 'average', satisfaction: 80 });
    const row = (item: string) => scored.breakdown.find((b) => b.item === item)!;
    expect(row('verifyDays')).toMatchObject({ raw: 11, points: 80 });
    expect(row('falseRectifications')).toMatchObject({ raw: 1, points: 75 });
    expect(row('talks').points).toBe(40);
    expect(row('exitAssessment')).toMatchObject({ raw: '一般', points: 60 });
    expect(row('satisfaction')).toMatchObject({ raw: 80, points: 80 });
  });

  it('measures visits and nights against what is owed', () => {
    const facts = { ...emptyFacts(), weeks: 13, visitsRequired: 13, visits: 26, nights: 3 };
    const scored = scoreVillage(facts, scheme);
    expect(scored.breakdown.find((b) => b.item === 'visits')!.points).toBe(100);
    expect(scored.breakdown.find((b) => b.item === 'nights')!.points).toBe(Math.round((300 / 6.5) * 10) / 10);
  });

  it('binds a chief’s score to the village (seed 002): half the village, half their own', () => {
    const own = scoreCadre(emptyFacts(), 'chief', [], scheme);
    expect(own.score).toBe(100);
    const bound = scoreCadre(emptyFacts(), 'chief', [60], scheme);
    expect(bound.score).toBe(80);
    expect(bound.breakdown.at(-1)).toMatchObject({ item: 'village', raw: 60, weight: 0.5, contribution: 30 });
    expect(scoreCadre(emptyFacts(), 'member', [60], scheme).score).toBe(88);
  });

  it('scores a unit by the villages its cadres cover', () => {
    const unit = scoreUnit([
      { villageId: 'V1', name: '甲村', score: 90 },
      { villageId: 'V2', name: '乙村', score: 70 },
    ]);
    expect(unit.score).toBe(80);
    expect(unit.breakdown.map((b) => b.label)).toEqual(['甲村', '乙村']);
  });

  it('ranks ties alike', () => {
    expect(ranked([{ score: 80 }, { score: 90 }, { score: 80 }, { score: 70 }]).map((r) => r.rank)).toEqual([
      1, 2, 2, 4,
    ]);
  });
});

describe('assess', () => {
  const records: PeriodRecords = {
    villages: [
      { id: 'V1', name: '甲村', townshipId: 'T1', category: 'deep' },
      { id: 'V2', name: '乙村', townshipId: 'T1', category: 'non' },
    ],
    cadres: [
      { id: 'C1', name: '张一', townshipId: 'T1', unitId: 'U1', unit: '县水务局' },
      { id: 'C2', name: '李二', townshipId: 'T1', unitId: 'U1', unit: '县水务局' },
      { id: 'C3', name: '王三', townshipId: 'T1', unitId: null, unit: null },
    ],
    units: [{ id: 'U1', name: '县水务局' }],
    townships: [{ id: 'T1', name: '青石乡' }],
    assignments: [
      { cadreId: 'C1', villageId: 'V1', role: 'chief', from: '2026-01-01', to: null },
      { cadreId: 'C2', villageId: 'V1', role: 'member', from: '2026-01-01', to: null },
      { cadreId: 'C3', villageId: 'V2', role: 'chief', from: '2026-01-01', to: null },
      // Ended before the quarter: not in it.
      { cadreId: 'C2', villageId: 'V2', role: 'member', from: '2026-01-01', to: '2026-09-01' },
    ],
    problems: [{ id: 'P1', cadreId: 'C2', villageId: 'V1', severity: 'major', foundOn: '2026-10-10' }],
    verifications: [
      {
        problemId: 'P1',
        cadreId: 'C2',
        villageId: 'V1',
        foundOn: '2026-10-10',
        on: '2026-10-13',
        outcome: 'rejected',
        rejectionKind: 'false',
      },
      {
        problemId: 'P1',
        cadreId: 'C2',
        villageId: 'V1',
        foundOn: '2026-10-10',
        on: '2026-10-20',
        outcome: 'accepted',
        rejectionKind: null,
      },
    ],
    dispatchRows: [
      { dispatchId: 'D1', cadreId: 'C3', villageId: 'V2', deadline: '2026-11-01T15:59:59.999Z' },
      { dispatchId: 'D2', cadreId: 'C3', villageId: 'V2', deadline: '2026-11-08T15:59:59.999Z' },
      // Due after the quarter: not counted yet.
      { dispatchId: 'D3', cadreId: 'C3', villageId: 'V2', deadline: '2027-01-08T15:59:59.999Z' },
    ],
    doneReports: [
      { dispatchId: 'D1', cadreId: 'C3', villageId: 'V2', at: '2026-10-30T02:00:00.000Z' },
      { dispatchId: 'D2', cadreId: 'C3', villageId: 'V2', at: '2026-11-20T02:00:00.000Z' },
    ],
    visits: [{ cadreId: 'C1', villageId: 'V1', overnight: true }],
    directReports: [{ id: 'R1', cadreId: 'C1', villageId: 'V1' }],
    talks: [
      { cadreId: 'C2', week: '2026-W42', tier: 'reminderTalk', waived: false },
      { cadreId: 'C1', week: '2026-W42', tier: 'admonishmentTalk', waived: true },
      { cadreId: 'C1', week: '2026-W30', tier: 'admonishmentTalk', waived: false },
    ],
  };
  const a = assess({
    period: q4,
    scheme,
    visitMinimum: { deep: 2, general: 1, non: 0 },
    records,
    results: [],
  });
  const village = (id: string) => a.villages.find((v) => v.villageId === id)!;
  const cadre = (id: string) => a.cadres.find((c) => c.cadreId === id)!;
  const raw = (rows: { item: string; raw: unknown }[], item: string) =>
    rows.find((r) => r.item === item)?.raw;

  it('puts each record on its village and its cadre', () => {
    expect(raw(village('V1').breakdown, 'problems')).toBe(2);
    expect(raw(village('V1').breakdown, 'falseRectifications')).toBe(1);
    expect(raw(village('V1').breakdown, 'verifyDays')).toBe(10);
    expect(raw(cadre('C2').breakdown, 'problems')).toBe(2);
    expect(raw(cadre('C1').breakdown, 'problems')).toBe(0);
    expect(raw(village('V2').breakdown, 'dispatchesOnTime')).toBe(0.5);
  });

  it('counts the talks of the period’s weeks, not waived ones, on the cadre and their village', () => {
    expect(raw(cadre('C2').breakdown, 'talks')).toBe('提醒1次、诫勉0次');
    expect(raw(cadre('C1').breakdown, 'talks')).toBe('提醒0次、诫勉0次');
    expect(raw(village('V1').breakdown, 'talks')).toBe('提醒1次、诫勉0次');
  });

  it('owes visits by the rule set’s minimum for the class, else the scheme’s', () => {
    // V1 is deep: 2 a week over the quarter's 92 days; V2 non: the rule set sets none, the scheme 1.
    const v1 = village('V1').breakdown.find((b) => b.item === 'visits')!;
    expect(v1.points).toBe(Math.round((100 / ((2 * 92) / 7)) * 10) / 10);
    const v2 = village('V2').breakdown.find((b) => b.item === 'visits')!;
    expect(v2.points).toBe(0);
  });

  it('lists only cadres who answered for a village in the period, and units by their cadres', () => {
    expect(a.cadres.map((c) => c.cadreId).sort()).toEqual(['C1', 'C2', 'C3']);
    expect(cadre('C2').villageIds).toEqual(['V1']);
    expect(cadre('C1').role).toBe('chief');
    expect(a.units).toEqual([
      expect.objectContaining({ unitId: 'U1', villageIds: ['V1'], cadreIds: ['C1', 'C2'] }),
    ]);
    expect(a.units[0]!.score).toBe(village('V1').score);
  });
});

describe('scheme versions', () => {
  const v2 = { ...scheme, version: 2, effectiveFrom: '2027-01-01' };
  it('a period is scored by the version in force on its first day', () => {
    expect(schemeForPeriod([scheme, v2], q4).version).toBe(1);
    expect(schemeForPeriod([scheme, v2], parsePeriod('2027-Q1')!).version).toBe(2);
    expect(schemeForPeriod([scheme, v2], parsePeriod('2027')!).version).toBe(2);
  });

  it.each([
    ['2026-11-01', 'NOT_QUARTER_START'],
    ['2026-10-01', 'EFFECTIVE_IN_PAST'],
    ['2027-02-30', 'NOT_QUARTER_START'],
  ])('refuses a version from %s (%s)', (effectiveFrom, code) => {
    expect(checkSchemeSuccession([scheme], { effectiveFrom, weights: scheme.weights }, '2026-12-06')).toEqual(
      [expect.objectContaining({ path: 'effectiveFrom', code })],
    );
  });

  it('refuses all-zero weights and a start before a later version', () => {
    const zero = Object.fromEntries(Object.keys(scheme.weights).map((k) => [k, 0])) as typeof scheme.weights;
    expect(
      checkSchemeSuccession([scheme], { effectiveFrom: '2027-01-01', weights: zero }, '2026-12-06'),
    ).toEqual([expect.objectContaining({ code: 'ALL_WEIGHTS_ZERO' })]);
    expect(
      checkSchemeSuccession(
        [scheme, { ...v2, effectiveFrom: '2027-04-01' }],
        { effectiveFrom: '2027-01-01', weights: scheme.weights },
        '2026-12-06',
      ),
    ).toEqual([expect.objectContaining({ code: 'BEFORE_LATER_VERSION' })]);
  });
});

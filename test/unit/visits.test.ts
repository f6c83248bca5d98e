import { describe, expect, it } from 'vitest';
import {
  type CadreRef,
  DEFAULT_RULE_SET,
  evaluateWeek,
  evaluationFingerprint,
  type RuleSet,
  type VisitDutyFact,
  type VisitFact,
  visitShortfalls,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import {
  distanceMeters,
  FAR_FROM_VILLAGE_METERS,
  farFromVillage,
  visitTimeProblem,
  visitTotals,
} from '../../functions/core/visits.ts';
import { ruleSetInput } from '../../functions/schemas/rules.ts';

/** Week 2026-W47: Monday 16 to Sunday 22 November 2026 (Beijing). */
const WEEK = '2026-W47';
const END = weekEndInstant(WEEK);
const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();

const cadres: CadreRef[] = [
  { id: 'C1', name: '甲', townshipId: 'T1' },
  { id: 'C2', name: '乙', townshipId: 'T1' },
  { id: 'C3', name: '丙', townshipId: 'T2' },
];

const visit = (id: string, cadreId: string, date: string, over: Partial<VisitFact> = {}): VisitFact => ({
  id,
  cadreId,
  villageId: `V-${cadreId}`,
  townshipId: cadreId === 'C3' ? 'T2' : 'T1',
  at: iso(`${date} 09:00`),
  date,
  overnight: false,
  far: false,
  ...over,
});

const duties: VisitDutyFact[] = [
  { cadreId: 'C1', villageId: 'V-C1', category: 'deep', from: '2026-01-01', to: null },
  { cadreId: 'C2', villageId: 'V-C2', category: 'non', from: '2026-01-01', to: null },
  { cadreId: 'C3', villageId: 'V-C3', category: 'general', from: '2026-11-19', to: null },
];

const visits: VisitFact[] = [
  visit('a', 'C1', '2026-11-16', { overnight: true }),
  visit('b', 'C1', '2026-11-18'),
  visit('c', 'C2', '2026-11-20', { overnight: true, far: true }),
  // Outside the week: ignored.
  visit('d', 'C3', '2026-11-23'),
];

const withMinimum: RuleSet = {
  ...DEFAULT_RULE_SET,
  version: 2,
  visitMinimum: { deep: 3, general: 2, non: 1 },
};

function evaluate(ruleSet: RuleSet, over: { visits?: VisitFact[]; asOf?: string } = {}) {
  return evaluateWeek({
    week: WEEK,
    asOf: over.asOf ?? END,
    ruleSet,
    cadres,
    problems: [],
    findings: [],
    dispatches: [],
    directReports: [],
    visits: over.visits ?? visits,
    visitDuties: duties,
    previous: null,
  });
}

describe('distance and the far flag', () => {
  it('measures a degree of latitude as about 111 km', () => {
    expect(distanceMeters({ lat: 34, lng: 105 }, { lat: 35, lng: 105 })).toBeGreaterThan(110_900);
    expect(distanceMeters({ lat: 34, lng: 105 }, { lat: 35, lng: 105 })).toBeLessThan(111_300);
  });

  it.each([
    [{ lat: 34.5, lng: 105.7, accuracy: 20 }, false, 0],
    [{ lat: 34.52, lng: 105.7, accuracy: 20 }, false, 2224],
    [{ lat: 34.54, lng: 105.7, accuracy: 20 }, true, 4448],
    // A coarse fix: the village could be within reach of where the phone might have been.
    [{ lat: 34.54, lng: 105.7, accuracy: 2000 }, false, 4448],
  ])('fix %j: far %s', (fix, far, meters) => {
    const verdict = farFromVillage({ lat: 34.5, lng: 105.7 }, fix);
    expect(verdict.far).toBe(far);
    expect(Math.abs((verdict.distanceMeters ?? 0) - meters)).toBeLessThan(5);
  });

  it('is never far without a village point or a fix', () => {
    expect(farFromVillage(undefined, { lat: 0, lng: 0, accuracy: 1 })).toEqual({
      distanceMeters: null,
      far: false,
    });
    expect(farFromVillage({ lat: 0, lng: 0 }, undefined)).toEqual({ distanceMeters: null, far: false });
    expect(FAR_FROM_VILLAGE_METERS).toBe(3000);
  });
});

describe('visit time', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  it.each([
    [now - 3_600_000, null],
    [now + 60_000, null],
    [now + 3_600_000, 'future'],
    [now - 6.9 * 86_400_000, null],
    [now - 7.1 * 86_400_000, 'too_old'],
  ])('at %d → %s', (at, expected) => {
    expect(visitTimeProblem(at, now)).toBe(expected);
  });
});

describe('totals', () => {
  it('counts visits, nights, far ones and the cadres with a night', () => {
    expect(
      visitTotals([
        { cadreId: 'C1', villageId: 'V1', townshipId: 'T1', overnight: true, far: false },
        { cadreId: 'C1', villageId: 'V1', townshipId: 'T1', overnight: true, far: true },
        { cadreId: 'C2', villageId: 'V2', townshipId: 'T1', overnight: false, far: false },
      ]),
    ).toEqual({ visits: 3, nights: 2, far: 1, cadresVisiting: 2, cadresWithNight: 1 });
  });
});

describe('the weekly visit minimum', () => {
  it('is off in rule set version 1: no shortfall, tiers as before', () => {
    expect(DEFAULT_RULE_SET.visitMinimum).toBeUndefined();
    const on = evaluate(DEFAULT_RULE_SET);
    const without = evaluate(DEFAULT_RULE_SET, { visits: [] });
    expect(on.cadres.map((c) => c.tier)).toEqual(without.cadres.map((c) => c.tier));
    expect(on.cadres.flatMap((c) => c.reasons)).toEqual([]);
    expect(visitShortfalls(DEFAULT_RULE_SET, '2026-11-16', '2026-11-22', duties, visits).size).toBe(0);
    expect(
      visitShortfalls({ ...withMinimum, visitMinimum: null }, '2026-11-16', '2026-11-22', duties, visits)
        .size,
    ).toBe(0);
    expect(
      visitShortfalls(
        { ...withMinimum, visitMinimum: { deep: 0, general: 0, non: 0 } },
        '2026-11-16',
        '2026-11-22',
        duties,
        visits,
      ).size,
    ).toBe(0);
  });

  it('counts each village short of its class minimum as one problem, explained in Chinese', () => {
    const e = evaluate(withMinimum);
    const c1 = e.cadres.find((c) => c.cadreId === 'C1')!;
    expect(c1.reasons).toEqual([
      { kind: 'visitShortfall', villageId: 'V-C1', required: 3, made: 2, weight: 1 },
    ]);
    expect(c1.weightedCount).toBe(1);
    expect(c1.tier).toBe('selfCriticism');
    expect(c1.explanation).toContain('驻村次数未达每周要求 1 个村（每个村按 1 个问题计）');
    // C2 made the one visit a non-poverty village needs; C3 took the village over mid-week.
    expect(e.cadres.find((c) => c.cadreId === 'C2')!.tier).toBe('none');
    expect(e.cadres.find((c) => c.cadreId === 'C3')!.reasons).toEqual([]);
  });

  it('does not judge a week still under way', () => {
    const e = evaluate(withMinimum, { asOf: iso('2026-11-18 12:00') });
    expect(e.provisional).toBe(true);
    expect(e.cadres.flatMap((c) => c.reasons)).toEqual([]);
  });

  it('is accepted by the rule-set schema, with Chinese messages for bad values', () => {
    const base = { ...DEFAULT_RULE_SET, effectiveFrom: '2026-11-30' } as Record<string, unknown>;
    delete base.version;
    expect(ruleSetInput.safeParse({ ...base, visitMinimum: { deep: 3, general: 2, non: 1 } }).success).toBe(
      true,
    );
    expect(ruleSetInput.safeParse({ ...base, visitMinimum: null }).success).toBe(true);
    const bad = ruleSetInput.safeParse({ ...base, visitMinimum: { deep: 15, general: 2, non: 1 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('深度贫困村每周驻村次数不能大于 14');
  });
});

describe('visit figures in the effectiveness', () => {
  it('gives visits, nights per cadre and the share of cadres with a night, county and per township', () => {
    const e = evaluate(DEFAULT_RULE_SET);
    expect(e.effectiveness.county.current.visits).toEqual({
      count: 3,
      nights: 2,
      far: 1,
      cadres: 3,
      perCadre: 1,
      nightsPerCadre: 0.67,
      cadresWithNight: 2,
      nightShare: 0.6667,
    });
    const t1 = e.effectiveness.townships.find((t) => t.townshipId === 'T1')!;
    expect(t1.current.visits).toMatchObject({ count: 3, cadres: 2, cadresWithNight: 2, nightShare: 1 });
    const t2 = e.effectiveness.townships.find((t) => t.townshipId === 'T2')!;
    expect(t2.current.visits).toMatchObject({ count: 0, cadres: 1, nightShare: 0 });
  });

  it('leaves a week without visits exactly as before (same fingerprint)', () => {
    const none = evaluate(DEFAULT_RULE_SET, { visits: [] });
    expect(none.effectiveness.county.current).not.toHaveProperty('visits');
    const old = evaluateWeek({
      week: WEEK,
      asOf: END,
      ruleSet: DEFAULT_RULE_SET,
      cadres,
      problems: [],
      findings: [],
      dispatches: [],
      directReports: [],
      previous: null,
    });
    expect(evaluationFingerprint(none)).toBe(evaluationFingerprint(old));
  });
});

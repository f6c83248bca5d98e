/**
 * From a period's records to scorecards: which facts count for which village and which cadre, then
 * the scoring (assessment.ts). Pure; the adapter reads the records, the route passes them here.
 */
import {
  type AssessmentFacts,
  type AssessmentPeriod,
  type AssessmentScheme,
  type BreakdownRow,
  daysBetweenDates,
  type ExitGrade,
  emptyFacts,
  overlapDays,
  ranked,
  scoreCadre,
  scoreUnit,
  scoreVillage,
} from './assessment.ts';
import { addDays, beijingDate, isoWeekOf } from './time.ts';

type Category = 'deep' | 'general' | 'non';

export interface PeriodRecords {
  villages: { id: string; name: string; townshipId: string; category: Category }[];
  cadres: {
    id: string;
    name: string;
    townshipId: string | null;
    unitId: string | null;
    unit: string | null;
  }[];
  units: { id: string; name: string }[];
  townships: { id: string; name: string }[];
  /** Assignment history (runs from `from` up to, not including, `to`). */
  assignments: {
    cadreId: string;
    villageId: string;
    role: 'chief' | 'member';
    from: string;
    to: string | null;
  }[];
  /** Problems found in the period (not voided). */
  problems: {
    id: string;
    cadreId: string;
    villageId: string;
    severity: 'minor' | 'major' | 'severe';
    foundOn: string;
  }[];
  /** Verifications made in the period, with their problem's cadre, village and finding date. */
  verifications: {
    problemId: string;
    cadreId: string;
    villageId: string;
    foundOn: string;
    on: string;
    outcome: 'accepted' | 'rejected';
    rejectionKind: 'false' | 'incomplete' | null;
  }[];
  /** Assignee rows of the dispatches issued in the period's weeks (deadline: UTC instant). */
  dispatchRows: { dispatchId: string; cadreId: string; villageId: string; deadline: string }[];
  doneReports: { dispatchId: string; cadreId: string; villageId: string; at: string }[];
  visits: { cadreId: string; villageId: string; overnight: boolean }[];
  directReports: { id: string; cadreId: string; villageId: string | null }[];
  /** Talks of the period's weeks. */
  talks: { cadreId: string; week: string; tier: 'reminderTalk' | 'admonishmentTalk'; waived: boolean }[];
}

export interface ResultsEntry {
  villageId: string;
  exitAssessment: ExitGrade | null;
  satisfaction: number | null;
}

export interface AssessmentInputs {
  period: AssessmentPeriod;
  scheme: AssessmentScheme;
  /** Visits a week per village class from the rule set in force (null: the rule set sets none). */
  visitMinimum: { deep: number; general: number; non: number } | null;
  records: PeriodRecords;
  results: readonly ResultsEntry[];
}

export interface VillageCard {
  villageId: string;
  name: string;
  townshipId: string;
  townshipName: string | null;
  category: Category;
  score: number;
  rank: number;
  breakdown: BreakdownRow[];
  results: { exitAssessment: ExitGrade | null; satisfaction: number | null } | null;
}

export interface CadreCard {
  cadreId: string;
  name: string;
  role: 'chief' | 'member';
  townshipId: string | null;
  unitId: string | null;
  unitName: string | null;
  villageIds: string[];
  score: number;
  rank: number;
  breakdown: BreakdownRow[];
}

export interface UnitCard {
  unitId: string;
  name: string;
  cadreIds: string[];
  villageIds: string[];
  score: number;
  rank: number;
  breakdown: BreakdownRow[];
}

export interface Assessment {
  period: string;
  from: string;
  to: string;
  schemeVersion: number;
  villages: VillageCard[];
  cadres: CadreCard[];
  units: UnitCard[];
}

/** ISO weeks with at least one day in the period. */
export function weeksOf(period: AssessmentPeriod): string[] {
  const weeks: string[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
    const w = isoWeekOf(day);
    if (weeks[weeks.length - 1] !== w) weeks.push(w);
  }
  return weeks;
}

function add(map: Map<string, AssessmentFacts>, id: string): AssessmentFacts {
  let f = map.get(id);
  if (!f) {
    f = emptyFacts();
    map.set(id, f);
  }
  return f;
}

export function assess(input: AssessmentInputs): Assessment {
  const { period, scheme, records } = input;
  const periodDays = overlapDays(period, period.from, null);
  const perWeek = (category: Category) =>
    input.visitMinimum && input.visitMinimum[category] > 0
      ? input.visitMinimum[category]
      : scheme.params.visitsPerWeek;
  const villageById = new Map(records.villages.map((v) => [v.id, v]));
  const townshipName = new Map(records.townships.map((t) => [t.id, t.name]));

  // Who answered for which village in the period, and for how many days.
  const inPeriod = records.assignments
    .map((a) => ({ ...a, days: overlapDays(period, a.from, a.to) }))
    .filter((a) => a.days > 0 && villageById.has(a.villageId));

  const villageFacts = new Map<string, AssessmentFacts>();
  const cadreFacts = new Map<string, AssessmentFacts>();
  for (const v of records.villages) {
    const f = add(villageFacts, v.id);
    f.weeks = periodDays / 7;
    f.visitsRequired = perWeek(v.category) * f.weeks;
  }
  for (const a of inPeriod) {
    const f = add(cadreFacts, a.cadreId);
    const weeks = a.days / 7;
    f.weeks += weeks;
    f.visitsRequired += perWeek(villageById.get(a.villageId)?.category ?? 'non') * weeks;
  }
  const both = (cadreId: string, villageId: string | null, apply: (f: AssessmentFacts) => void) => {
    if (villageId && villageFacts.has(villageId)) apply(villageFacts.get(villageId) as AssessmentFacts);
    apply(add(cadreFacts, cadreId));
  };

  for (const p of records.problems) both(p.cadreId, p.villageId, (f) => (f.problems[p.severity] += 1));
  for (const v of records.verifications) {
    if (v.outcome === 'accepted')
      both(v.cadreId, v.villageId, (f) => f.verifiedDays.push(daysBetweenDates(v.foundOn, v.on)));
    else if (v.rejectionKind !== 'incomplete')
      both(v.cadreId, v.villageId, (f) => (f.falseRectifications += 1));
  }
  const done = new Map<string, string>();
  for (const r of records.doneReports) {
    const k = `${r.dispatchId}|${r.cadreId}|${r.villageId}`;
    const earlier = done.get(k);
    if (!earlier || r.at < earlier) done.set(k, r.at);
  }
  for (const row of records.dispatchRows) {
    const due = beijingDate(new Date(row.deadline));
    if (due < period.from || due > period.to) continue;
    const at = done.get(`${row.dispatchId}|${row.cadreId}|${row.villageId}`);
    const onTime = at !== undefined && at <= row.deadline;
    both(row.cadreId, row.villageId, (f) => {
      f.dispatchesDue += 1;
      if (onTime) f.dispatchesOnTime += 1;
    });
  }
  for (const v of records.visits)
    both(v.cadreId, v.villageId, (f) => {
      f.visits += 1;
      if (v.overnight) f.nights += 1;
    });
  for (const r of records.directReports) both(r.cadreId, r.villageId, (f) => (f.directReports += 1));

  // Talks are a cadre's; a village carries those of the cadres who answered for it in the period.
  const villagesOfCadre = new Map<string, Set<string>>();
  const roleOfCadre = new Map<string, 'chief' | 'member'>();
  for (const a of inPeriod) {
    const set = villagesOfCadre.get(a.cadreId) ?? new Set<string>();
    set.add(a.villageId);
    villagesOfCadre.set(a.cadreId, set);
    if (a.role === 'chief' || !roleOfCadre.has(a.cadreId)) roleOfCadre.set(a.cadreId, a.role);
  }
  const weeks = new Set(weeksOf(period));
  for (const t of records.talks) {
    if (t.waived || !weeks.has(t.week)) continue;
    const bump = (f: AssessmentFacts) => {
      if (t.tier === 'admonishmentTalk') f.admonishmentTalks += 1;
      else f.reminderTalks += 1;
    };
    bump(add(cadreFacts, t.cadreId));
    for (const v of villagesOfCadre.get(t.cadreId) ?? []) bump(villageFacts.get(v) as AssessmentFacts);
  }

  const results = new Map(input.results.map((r) => [r.villageId, r]));
  const villages = ranked(
    records.villages.map((v) => {
      const r = results.get(v.id);
      const entered = r ? { exitAssessment: r.exitAssessment, satisfaction: r.satisfaction } : null;
      const scored = scoreVillage(villageFacts.get(v.id) as AssessmentFacts, scheme, entered ?? undefined);
      return {
        villageId: v.id,
        name: v.name,
        townshipId: v.townshipId,
        townshipName: townshipName.get(v.townshipId) ?? null,
        category: v.category,
        ...scored,
        results: entered,
      };
    }),
  );
  const villageScore = new Map(villages.map((v) => [v.villageId, v]));
  const cadreById = new Map(records.cadres.map((c) => [c.id, c]));
  const unitName = new Map(records.units.map((u) => [u.id, u.name]));
  const cadres = ranked(
    [...villagesOfCadre.entries()].flatMap(([cadreId, villageIds]) => {
      const c = cadreById.get(cadreId);
      if (!c) return [];
      const role = roleOfCadre.get(cadreId) ?? 'member';
      const ids = [...villageIds].sort();
      const scored = scoreCadre(
        cadreFacts.get(cadreId) as AssessmentFacts,
        role,
        ids.map((id) => villageScore.get(id)?.score ?? 0),
        scheme,
      );
      return [
        {
          cadreId,
          name: c.name,
          role,
          townshipId: c.townshipId,
          unitId: c.unitId,
          unitName: c.unitId ? (unitName.get(c.unitId) ?? c.unit) : c.unit,
          villageIds: ids,
          ...scored,
        },
      ];
    }),
  );
  const unitMembers = new Map<string, { cadreIds: Set<string>; villageIds: Set<string> }>();
  for (const c of cadres) {
    if (!c.unitId || !unitName.has(c.unitId)) continue;
    const u = unitMembers.get(c.unitId) ?? { cadreIds: new Set(), villageIds: new Set() };
    u.cadreIds.add(c.cadreId);
    for (const v of c.villageIds) u.villageIds.add(v);
    unitMembers.set(c.unitId, u);
  }
  const units = ranked(
    [...unitMembers.entries()].map(([unitId, m]) => {
      const villageIds = [...m.villageIds].sort();
      return {
        unitId,
        name: unitName.get(unitId) as string,
        cadreIds: [...m.cadreIds].sort(),
        villageIds,
        ...scoreUnit(
          villageIds.map((id) => ({
            villageId: id,
            name: villageScore.get(id)?.name ?? id,
            score: villageScore.get(id)?.score ?? 0,
          })),
        ),
      };
    }),
  );
  return {
    period: period.id,
    from: period.from,
    to: period.to,
    schemeVersion: scheme.version,
    villages,
    cadres,
    units,
  };
}

/**
 * Assessment binding (考核捆绑, seeds 002 and 004): quarterly and yearly scorecards for villages, the
 * cadres who answer for them and the units that send those cadres. Pure: the route gathers the
 * period's facts per village and per cadre, this module scores them against a versioned scheme.
 *
 * Every item scores 0–100 (`points`); a scorecard's score is the weighted mean of the items that apply
 * (an item with nothing to measure — no dispatch in the period, no HQ result entered — is left out,
 * not counted as zero). A cadre's score binds to their village's: `binding.chief` (or `.member`) of it
 * is the mean score of the villages they answered for, the rest their own items. A unit's score is the
 * mean of the villages its cadres answered for.
 */
import type { FieldIssue } from './field-issue.ts';
import { addDays, isValidDate } from './time.ts';

// ---------- periods ----------

export interface AssessmentPeriod {
  /** `2026-Q4` or `2026`. */
  id: string;
  kind: 'quarter' | 'year';
  year: number;
  quarter: number | null;
  /** First and last Beijing day, inclusive. */
  from: string;
  to: string;
}

const QUARTER_START = ['01-01', '04-01', '07-01', '10-01'] as const;

/** `2026-Q4` → 2026-10-01…2026-12-31, `2026` → the year; undefined for anything else. */
export function parsePeriod(id: string): AssessmentPeriod | undefined {
  const m = /^(\d{4})(?:-Q([1-4]))?$/.exec(id);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year < 2000 || year > 2100) return undefined;
  if (!m[2]) return { id, kind: 'year', year, quarter: null, from: `${year}-01-01`, to: `${year}-12-31` };
  const quarter = Number(m[2]);
  const from = `${year}-${QUARTER_START[quarter - 1]}`;
  const to = quarter === 4 ? `${year}-12-31` : addDays(`${year}-${QUARTER_START[quarter]}`, -1);
  return { id, kind: 'quarter', year, quarter, from, to };
}

/** The quarter a Beijing date falls in. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** The latest quarter that has ended before `today` (the demo's and the pages' default). */
export function latestFinishedQuarter(today: string): string {
  const current = parsePeriod(quarterOf(today)) as AssessmentPeriod;
  return quarterOf(addDays(current.from, -1));
}

/** "2026年第四季度" / "2026年度". */
export function periodLabel(period: AssessmentPeriod): string {
  if (period.kind === 'year') return `${period.year}年度`;
  return `${period.year}年第${'一二三四'[(period.quarter as number) - 1]}季度`;
}

/** Days of [from, to] (inclusive) that fall in the period. */
export function overlapDays(period: AssessmentPeriod, from: string, to: string | null): number {
  const start = from > period.from ? from : period.from;
  // Assignments run up to, not including, `to`.
  const endExclusive = to && to <= addDays(period.to, 1) ? to : addDays(period.to, 1);
  const ms = Date.parse(`${endExclusive}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`);
  return Math.max(0, Math.round(ms / 86_400_000));
}

// ---------- the scheme (versioned data) ----------

export const ASSESSMENT_ITEMS = [
  'problems',
  'verified',
  'verifyDays',
  'falseRectifications',
  'dispatchesOnTime',
  'visits',
  'nights',
  'directReports',
  'talks',
  'exitAssessment',
  'satisfaction',
] as const;
export type AssessmentItem = (typeof ASSESSMENT_ITEMS)[number];

export const ASSESSMENT_ITEM_LABELS: Record<AssessmentItem | 'village', string> = {
  problems: '督查发现问题（按严重程度加权）',
  verified: '整改复核通过率',
  verifyDays: '整改复核平均用时（天）',
  falseRectifications: '虚假整改',
  dispatchesOnTime: '派遣任务按时完成率',
  visits: '下村次数（对照规则要求）',
  nights: '吃住在村（住宿夜数）',
  directReports: '信息直报',
  talks: '提醒谈话、诫勉谈话',
  exitAssessment: '脱贫攻坚成效考核结果',
  satisfaction: '群众满意度测评',
  village: '所在村成效（捆绑）',
};

/** The annual poverty-exit assessment's grades (脱贫攻坚成效考核), best first. */
export const EXIT_GRADES = ['good', 'fairlyGood', 'average', 'poor'] as const;
export type ExitGrade = (typeof EXIT_GRADES)[number];
export const EXIT_GRADE_LABELS: Record<ExitGrade, string> = {
  good: '好',
  fairlyGood: '较好',
  average: '一般',
  poor: '较差',
};

/** Items a cadre is scored on by themself (HQ's per-village results bind through the village). */
export const CADRE_ITEMS: readonly AssessmentItem[] = ASSESSMENT_ITEMS.filter(
  (i) => i !== 'exitAssessment' && i !== 'satisfaction',
);

export interface AssessmentParams {
  /** Weight of one problem found, by severity. */
  severityWeights: { minor: number; major: number; severe: number };
  /** Points off per weighted problem. */
  pointsPerProblem: number;
  /** Mean days from finding to accepted verification within which the item scores full. */
  verifyTargetDays: number;
  /** Points off per day beyond the target. */
  pointsPerDayLate: number;
  pointsPerFalseRectification: number;
  /** Visits a week owed per village when the rule set in force sets no visit minimum. */
  visitsPerWeek: number;
  /** Nights in the village a week the nights item expects. */
  nightsPerWeek: number;
  /** Direct reports a quarter that score full (a year expects four times as many). */
  directReportsPerQuarter: number;
  reminderTalkPoints: number;
  admonishmentTalkPoints: number;
  /** Points per grade of the poverty-exit assessment. */
  exitGradePoints: Record<ExitGrade, number>;
}

export interface AssessmentSchemeInput {
  /** The first day of a quarter: periods starting on or after it are scored by this version. */
  effectiveFrom: string;
  note?: string | undefined;
  weights: Record<AssessmentItem, number>;
  params: AssessmentParams;
  /** Share of a cadre's score that is their village's (seed 002: "捆绑"), chief and team member. */
  binding: { chief: number; member: number };
}

export interface AssessmentScheme extends AssessmentSchemeInput {
  version: number;
}

export const DEFAULT_ASSESSMENT_SCHEME: AssessmentScheme = {
  version: 1,
  effectiveFrom: '2018-01-01',
  note: '默认考核办法：问题、整改、任务、下村、直报、谈话与指挥部录入的村级考核结果加权计分，干部与所在村成效捆绑。',
  weights: {
    problems: 20,
    verified: 10,
    verifyDays: 5,
    falseRectifications: 10,
    dispatchesOnTime: 10,
    visits: 10,
    nights: 5,
    directReports: 5,
    talks: 5,
    exitAssessment: 15,
    satisfaction: 5,
  },
  params: {
    severityWeights: { minor: 1, major: 2, severe: 3 },
    pointsPerProblem: 5,
    verifyTargetDays: 7,
    pointsPerDayLate: 5,
    pointsPerFalseRectification: 25,
    visitsPerWeek: 1,
    nightsPerWeek: 0.5,
    directReportsPerQuarter: 2,
    reminderTalkPoints: 20,
    admonishmentTalkPoints: 40,
    exitGradePoints: { good: 100, fairlyGood: 85, average: 60, poor: 0 },
  },
  binding: { chief: 0.5, member: 0.3 },
};

/** The version in force on a period's first day: the latest effectiveFrom on or before it. */
export function schemeForPeriod(
  schemes: readonly AssessmentScheme[],
  period: AssessmentPeriod,
): AssessmentScheme {
  let best: AssessmentScheme = DEFAULT_ASSESSMENT_SCHEME;
  for (const s of schemes) {
    if (s.effectiveFrom > period.from) continue;
    if (
      s.effectiveFrom > best.effectiveFrom ||
      (s.effectiveFrom === best.effectiveFrom && s.version > best.version)
    )
      best = s;
  }
  return best;
}

/**
 * A new version must start on the first day of a quarter that has not begun, so no period already
 * under way (or scored) changes; and after every version already published.
 */
export function checkSchemeSuccession(
  existing: readonly AssessmentScheme[],
  input: Pick<AssessmentSchemeInput, 'effectiveFrom' | 'weights'>,
  today: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const d = input.effectiveFrom;
  if (!isValidDate(d) || !QUARTER_START.some((q) => d.endsWith(`-${q}`)))
    issues.push({
      path: 'effectiveFrom',
      code: 'NOT_QUARTER_START',
      message: '生效日期须为某季度的第一天（1月1日、4月1日、7月1日或10月1日）',
    });
  else if (d <= today)
    issues.push({
      path: 'effectiveFrom',
      code: 'EFFECTIVE_IN_PAST',
      message: '生效日期须在今天之后，已开始的考核期不改用新办法',
    });
  else if (existing.some((s) => s.effectiveFrom > d))
    issues.push({
      path: 'effectiveFrom',
      code: 'BEFORE_LATER_VERSION',
      message: '已有更晚生效的版本，新版本的生效日期不能早于它',
    });
  if (Object.values(input.weights).every((w) => w === 0))
    issues.push({ path: 'weights', code: 'ALL_WEIGHTS_ZERO', message: '至少一个考核项目的权重须大于 0' });
  return issues;
}

// ---------- facts and scoring ----------

/** What happened in the period for one village, or one cadre (their own records). */
export interface AssessmentFacts {
  /** Problems found in the period, by severity. */
  problems: { minor: number; major: number; severe: number };
  /** Problems whose rectification was accepted in the period, with days from finding to acceptance. */
  verifiedDays: number[];
  falseRectifications: number;
  /** Dispatch assignee rows due in the period, and those done by their deadline. */
  dispatchesDue: number;
  dispatchesOnTime: number;
  visits: number;
  nights: number;
  /** Visits owed in the period (the rule set's weekly minimum, or the scheme's, times the weeks). */
  visitsRequired: number;
  /** Weeks the village or cadre was answered for in the period (nights are expected per week). */
  weeks: number;
  directReports: number;
  reminderTalks: number;
  admonishmentTalks: number;
}

export const emptyFacts = (): AssessmentFacts => ({
  problems: { minor: 0, major: 0, severe: 0 },
  verifiedDays: [],
  falseRectifications: 0,
  dispatchesDue: 0,
  dispatchesOnTime: 0,
  visits: 0,
  nights: 0,
  visitsRequired: 0,
  weeks: 0,
  directReports: 0,
  reminderTalks: 0,
  admonishmentTalks: 0,
});

export interface VillageResults {
  exitAssessment: ExitGrade | null;
  satisfaction: number | null;
}

export interface BreakdownRow {
  item: AssessmentItem | 'village';
  label: string;
  /** What was measured (a count, a share 0–1, days, a grade, a score). */
  raw: number | string | null;
  /** 0–100; null when the item does not apply (left out of the weighted mean). */
  points: number | null;
  weight: number;
  /** Points this row adds to the score. */
  contribution: number;
  villageId?: string;
}

export interface Scored {
  score: number;
  breakdown: BreakdownRow[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const clamp = (n: number) => Math.max(0, Math.min(100, n));
const share = (n: number, of: number) => clamp((100 * n) / of);

function itemRaw(item: AssessmentItem, f: AssessmentFacts, p: AssessmentParams, results?: VillageResults) {
  const weighted =
    f.problems.minor * p.severityWeights.minor +
    f.problems.major * p.severityWeights.major +
    f.problems.severe * p.severityWeights.severe;
  const found = f.problems.minor + f.problems.major + f.problems.severe;
  const meanDays = f.verifiedDays.length
    ? f.verifiedDays.reduce((a, b) => a + b, 0) / f.verifiedDays.length
    : null;
  const nightsRequired = p.nightsPerWeek * f.weeks;
  const reportsTarget = p.directReportsPerQuarter * (f.weeks / 13);
  switch (item) {
    case 'problems':
      return { raw: weighted, points: clamp(100 - p.pointsPerProblem * weighted) };
    case 'verified':
      // Verified in the period against found in it: catching up older problems can make up for new ones.
      return found === 0
        ? { raw: f.verifiedDays.length ? 1 : null, points: f.verifiedDays.length ? 100 : null }
        : {
            raw: round1(Math.min(1, f.verifiedDays.length / found) * 100) / 100,
            points: share(f.verifiedDays.length, found),
          };
    case 'verifyDays':
      return meanDays === null
        ? { raw: null, points: null }
        : {
            raw: round1(meanDays),
            points: clamp(100 - p.pointsPerDayLate * Math.max(0, meanDays - p.verifyTargetDays)),
          };
    case 'falseRectifications':
      return {
        raw: f.falseRectifications,
        points: clamp(100 - p.pointsPerFalseRectification * f.falseRectifications),
      };
    case 'dispatchesOnTime':
      return f.dispatchesDue === 0
        ? { raw: null, points: null }
        : {
            raw: round1((f.dispatchesOnTime / f.dispatchesDue) * 100) / 100,
            points: share(f.dispatchesOnTime, f.dispatchesDue),
          };
    case 'visits':
      return f.visitsRequired <= 0
        ? { raw: f.visits, points: null }
        : { raw: f.visits, points: share(f.visits, f.visitsRequired) };
    case 'nights':
      return nightsRequired <= 0
        ? { raw: f.nights, points: null }
        : { raw: f.nights, points: share(f.nights, nightsRequired) };
    case 'directReports':
      return reportsTarget <= 0
        ? { raw: f.directReports, points: null }
        : { raw: f.directReports, points: share(f.directReports, reportsTarget) };
    case 'talks':
      return {
        raw: `提醒${f.reminderTalks}次、诫勉${f.admonishmentTalks}次`,
        points: clamp(
          100 - p.reminderTalkPoints * f.reminderTalks - p.admonishmentTalkPoints * f.admonishmentTalks,
        ),
      };
    case 'exitAssessment': {
      const grade = results?.exitAssessment ?? null;
      return grade
        ? { raw: EXIT_GRADE_LABELS[grade], points: p.exitGradePoints[grade] }
        : { raw: null, points: null };
    }
    case 'satisfaction': {
      const s = results?.satisfaction ?? null;
      return s === null ? { raw: null, points: null } : { raw: s, points: clamp(s) };
    }
  }
}

/** The weighted mean of the items that apply; with none, 100 (nothing held against it). */
export function scoreItems(
  items: readonly AssessmentItem[],
  facts: AssessmentFacts,
  scheme: AssessmentScheme,
  results?: VillageResults,
): Scored {
  const rows = items.map((item) => {
    const { raw, points } = itemRaw(item, facts, scheme.params, results);
    return {
      item,
      label: ASSESSMENT_ITEM_LABELS[item],
      raw,
      points: points === null ? null : round1(points),
      weight: scheme.weights[item],
    };
  });
  const counted = rows.filter((r) => r.points !== null && r.weight > 0);
  const total = counted.reduce((s, r) => s + r.weight, 0);
  const breakdown = rows.map((r) => ({
    ...r,
    contribution: r.points !== null && total > 0 ? round1((r.weight * r.points) / total) : 0,
  }));
  const score = total > 0 ? counted.reduce((s, r) => s + (r.weight * (r.points as number)) / total, 0) : 100;
  return { score: round1(score), breakdown };
}

export function scoreVillage(
  facts: AssessmentFacts,
  scheme: AssessmentScheme,
  results?: VillageResults,
): Scored {
  return scoreItems(ASSESSMENT_ITEMS, facts, scheme, results);
}

/**
 * A cadre's scorecard bound to their villages' (seed 002: "年度考核与所在村脱贫攻坚成效考核捆绑"): the
 * binding share of the score is the mean of the villages' scores, the rest their own items.
 */
export function scoreCadre(
  facts: AssessmentFacts,
  role: 'chief' | 'member',
  villageScores: readonly number[],
  scheme: AssessmentScheme,
): Scored {
  const own = scoreItems(CADRE_ITEMS, facts, scheme);
  if (villageScores.length === 0) return own;
  const bind = Math.max(0, Math.min(1, scheme.binding[role]));
  const village = villageScores.reduce((a, b) => a + b, 0) / villageScores.length;
  const breakdown: BreakdownRow[] = [
    ...own.breakdown.map((r) => ({ ...r, contribution: round1(r.contribution * (1 - bind)) })),
    {
      item: 'village',
      label: ASSESSMENT_ITEM_LABELS.village,
      raw: round1(village),
      points: round1(village),
      weight: bind,
      contribution: round1(bind * village),
    },
  ];
  return { score: round1((1 - bind) * own.score + bind * village), breakdown };
}

/** A unit's scorecard: the mean of the villages its cadres answered for, each village a row. */
export function scoreUnit(villages: readonly { villageId: string; name: string; score: number }[]): Scored {
  if (villages.length === 0) return { score: 0, breakdown: [] };
  const mean = villages.reduce((s, v) => s + v.score, 0) / villages.length;
  return {
    score: round1(mean),
    breakdown: villages.map((v) => ({
      item: 'village' as const,
      label: v.name,
      villageId: v.villageId,
      raw: v.score,
      points: v.score,
      weight: 1,
      contribution: round1(v.score / villages.length),
    })),
  };
}

/** Competition ranking (1, 2, 2, 4) by score, best first; ties keep the given order. */
export function ranked<T extends { score: number }>(items: readonly T[]): (T & { rank: number })[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  let rank = 0;
  let last: number | undefined;
  return sorted.map((item, i) => {
    if (item.score !== last) {
      rank = i + 1;
      last = item.score;
    }
    return { ...item, rank };
  });
}

/** Whole days from a finding's date to an accepted verification's Beijing date. */
export function daysBetweenDates(from: string, to: string): number {
  return Math.max(
    0,
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000),
  );
}

/**
 * Rule sets in time. Each version applies from its `effectiveFrom` Monday until a later one takes over,
 * so a week is always judged by the rules that were in force for it, and publishing new rules never
 * rewrites a past week. The default below ships with the product (version 1, in force since 2018).
 */
import type { FieldIssue } from '../field-issue.ts';
import { addDays } from '../time.ts';
import { byString, isMonday, weekBounds } from './calendar.ts';
import type { Consequence, PenaltyTier, Severity } from './terms.ts';

/** A closed band of weighted problem counts, e.g. 1–2. */
export interface CountBand {
  min: number;
  max: number;
}

/** A major failure defined in advance (e.g. 人畜饮水中断) and what it leads to. */
export interface MajorFailureType {
  code: string;
  name: string;
  description?: string;
  consequence: Consequence;
  /** When the case is serious; the same as `consequence` when left out. */
  seriousConsequence?: Consequence;
}

/**
 * A rule set as an admin sends it (the server assigns the version). The engine owns this type, so it
 * imports no zod; functions/schemas/rules.ts validates it, and the compiler checks the two agree.
 */
export interface RuleSetInput {
  /** A Monday (Beijing date): the first week these rules apply to. */
  effectiveFrom: string;
  note?: string;
  tiers: { selfCriticism: CountBand; reminderTalk: CountBand; admonishmentTalk: { min: number } };
  falseRectificationWeight: number;
  commendation: { enabled: boolean; minCommendations: number };
  colors: { yellowWithinDays: number; redSeverities: Severity[] };
  rectificationDays: Record<Severity, number>;
  absenceIsProblem: { enabled: boolean; severity: Severity };
  majorFailures: MajorFailureType[];
  circle: { tiers: PenaltyTier[] };
  remedialTraining: {
    tiers: PenaltyTier[];
    minConsecutiveCircleWeeks: number;
    /**
     * A training candidate leaves the circle only after completing a training session (干部营养餐)
     * since their run in the circle began (training-rules.ts). Absent or false: off (version 1).
     */
    completionRequiredToLeave?: boolean | undefined;
  };
  /**
   * Visits to the village a cadre owes each week for each village they answer for, by the village's
   * class; each (cadre, village) falling short counts as one problem toward the tier. Absent, null or
   * 0 for a class: no minimum (version 1 sets none).
   */
  visitMinimum?: VisitMinimum | null | undefined;
  /**
   * The problem categories an inspector chooses from (档案资料, 项目推进…), versioned with the rules so
   * a week is read with the words in force for it. Absent: DEFAULT_PROBLEM_CATEGORIES
   * (core/problem-categories.ts).
   */
  problemCategories?: string[] | undefined;
  /**
   * Repeats (屡查屡犯): a problem of a category already found for the same cadre within `withinWeeks`
   * weeks is flagged, and counts `weight` problems toward the tier while open (1 = no extra weight).
   * Absent: DEFAULT_REPEAT_RULE (core/rules/repeats.ts).
   */
  repeats?: RepeatRule | undefined;
  /**
   * A village's colour from its open matters (core/rules/village-colors.ts): red from `redItems` red
   * matters (or `redOpenItems` open ones, when set), yellow from `yellowItems` yellow ones, else green.
   * Absent: DEFAULT_VILLAGE_COLOR_RULE.
   */
  villageColors?: VillageColorRule | undefined;
  /**
   * Where each rule is written in the county's rules document (issuer settings' rulesDocumentName),
   * as article numbers (第X条) the documents cite. Absent, or a rule left out: DEFAULT_RULE_ARTICLES.
   */
  articles?: { [K in keyof RuleArticles]?: number | undefined } | undefined;
}

/** The article (第X条) of the rules document each rule is written in. */
export interface RuleArticles {
  /** Rectification deadlines (整改期限). */
  rectification: number;
  /** Tiers by weighted problem count (对号入座). */
  tiers: number;
  /** False rectification weight (虚假整改加重计数). */
  falseRectification: number;
  /** Red / yellow / green colours (三色清单). */
  colors: number;
  /** Predefined major failures and their consequences (重大失误). */
  majorFailures: number;
  /** Commendation (充分肯定、通报表扬). */
  commendation: number;
}

export const DEFAULT_RULE_ARTICLES: RuleArticles = {
  rectification: 5,
  tiers: 6,
  falseRectification: 7,
  colors: 8,
  majorFailures: 9,
  commendation: 10,
};

/** The articles a rule set cites, defaults filling what it leaves out. */
export function ruleArticles(ruleSet: Pick<RuleSetInput, 'articles'>): RuleArticles {
  const given = Object.entries(ruleSet.articles ?? {}).filter(([, v]) => typeof v === 'number');
  return { ...DEFAULT_RULE_ARTICLES, ...Object.fromEntries(given) };
}

/** Repeats of a problem category by the same cadre (see RuleSetInput.repeats). */
export interface RepeatRule {
  withinWeeks: number;
  weight: number;
}

/** Thresholds of a village's colour (see RuleSetInput.villageColors). */
export interface VillageColorRule {
  redItems: number;
  yellowItems: number;
  redOpenItems: number | null;
}

/** Visits a week per village class (深度贫困村, 一般贫困村, 非贫困村). */
export interface VisitMinimum {
  deep: number;
  general: number;
  non: number;
}

/** A stored rule set. */
export interface RuleSet extends RuleSetInput {
  version: number;
}

export const DEFAULT_RULE_SET: RuleSet = {
  version: 1,
  effectiveFrom: '2018-01-01',
  note: '默认规则：按未销号问题个数对号入座，虚假整改一个按两个计。',
  tiers: {
    selfCriticism: { min: 1, max: 2 },
    reminderTalk: { min: 3, max: 4 },
    admonishmentTalk: { min: 5 },
  },
  falseRectificationWeight: 2,
  commendation: { enabled: true, minCommendations: 1 },
  colors: { yellowWithinDays: 3, redSeverities: ['severe'] },
  rectificationDays: { minor: 14, major: 7, severe: 3 },
  absenceIsProblem: { enabled: true, severity: 'minor' },
  majorFailures: [
    {
      code: 'drinking_water_loss',
      name: '人畜饮水中断',
      consequence: 'notice_of_criticism',
      seriousConsequence: 'disciplinary_recommendation',
    },
    {
      code: 'water_dispute',
      name: '因水源发生群体性纠纷',
      consequence: 'notice_of_criticism',
      seriousConsequence: 'disciplinary_recommendation',
    },
    {
      code: 'avoidable_crop_failure',
      name: '可避免的绝收',
      consequence: 'notice_of_criticism',
      seriousConsequence: 'disciplinary_recommendation',
    },
  ],
  circle: { tiers: ['reminderTalk', 'admonishmentTalk'] },
  remedialTraining: { tiers: ['admonishmentTalk'], minConsecutiveCircleWeeks: 2 },
};

/**
 * The rule set in force for the week starting `weekMonday` (YYYY-MM-DD): the latest `effectiveFrom` on
 * or before it; on the same date the higher version (a correction published before that week began).
 * Undefined when none had started yet.
 */
export function selectRuleSet(ruleSets: readonly RuleSet[], weekMonday: string): RuleSet | undefined {
  let best: RuleSet | undefined;
  for (const rs of ruleSets) {
    if (rs.effectiveFrom > weekMonday) continue;
    if (
      !best ||
      rs.effectiveFrom > best.effectiveFrom ||
      (rs.effectiveFrom === best.effectiveFrom && rs.version > best.version)
    )
      best = rs;
  }
  return best;
}

/** `selectRuleSet` for an ISO week, e.g. "2026-W47". */
export function ruleSetForWeek(ruleSets: readonly RuleSet[], week: string): RuleSet | undefined {
  return selectRuleSet(ruleSets, weekBounds(week).monday);
}

/** The band of a penalty tier, `max` null for the open-ended heaviest tier. */
export function tierBand(ruleSet: RuleSet, tier: PenaltyTier): { min: number; max: number | null } {
  const band = ruleSet.tiers[tier];
  return { min: band.min, max: 'max' in band ? band.max : null };
}

/** The penalty tier a weighted count of problems falls in, or null below the lightest band. */
export function tierForCount(ruleSet: RuleSet, weightedCount: number): PenaltyTier | null {
  const { selfCriticism, reminderTalk, admonishmentTalk } = ruleSet.tiers;
  if (weightedCount >= admonishmentTalk.min) return 'admonishmentTalk';
  if (weightedCount >= reminderTalk.min && weightedCount <= reminderTalk.max) return 'reminderTalk';
  if (weightedCount >= selfCriticism.min && weightedCount <= selfCriticism.max) return 'selfCriticism';
  return null;
}

/**
 * The default rectification deadline for a problem found on `foundOn` (Beijing date): the intake side
 * stores this on the problem when the inspector gives none, using the rule set in force that day.
 */
export function rectificationDeadline(ruleSet: RuleSet, foundOn: string, severity: Severity): string {
  return addDays(foundOn, ruleSet.rectificationDays[severity]);
}

/**
 * Checks a new rule set against the ones already stored, before it is saved: the version follows the
 * highest one, and it starts in a week that has not begun yet (`today` is the Beijing date now), so no
 * evaluated or provisional week changes under anyone's feet. Field issues in the API's error shape.
 */
export function checkRuleSetSuccession(
  existing: readonly RuleSet[],
  candidate: Pick<RuleSet, 'version' | 'effectiveFrom'>,
  today: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const highest = existing.reduce((max, rs) => Math.max(max, rs.version), 0);
  if (candidate.version !== highest + 1)
    issues.push({ path: 'version', code: 'VERSION_SEQUENCE', message: `版本号应为 ${highest + 1}` });
  const currentMonday = mondayOf(today);
  if (!isMonday(candidate.effectiveFrom))
    issues.push({ path: 'effectiveFrom', code: 'NOT_MONDAY', message: '生效日期须为星期一：规则按整周生效' });
  else if (candidate.effectiveFrom <= currentMonday)
    issues.push({
      path: 'effectiveFrom',
      code: 'EFFECTIVE_IN_PAST',
      message: `新规则只能自下周起生效（最早 ${addDays(currentMonday, 7)}），不得改写已开始的周`,
    });
  return issues;
}

function mondayOf(date: string): string {
  const weekday = new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay() || 7;
  return addDays(date, 1 - weekday);
}

/** Rule sets oldest first (by effectiveFrom, then version): the order an admin reads the history in. */
export function sortRuleSets(ruleSets: readonly RuleSet[]): RuleSet[] {
  return [...ruleSets].sort((a, b) => byString(a.effectiveFrom, b.effectiveFrom) || a.version - b.version);
}

/**
 * View models: everything a template prints, computed here as plain strings and rows, so templates
 * only lay out (strict mode makes a forgotten field an error, not an empty gap). Pure: names and
 * numbers are passed in by the job.
 */

import type { EffectivenessFigures, FiguresBeside } from '../core/rules/effectiveness.ts';
import type {
  CadreEvaluation,
  DispatchRow,
  MajorFailureRow,
  ProblemRow,
  WeeklyEvaluation,
} from '../core/rules/evaluation.ts';
import { DEFAULT_RULE_SET, type RuleSet, ruleArticles } from '../core/rules/rule-set.ts';
import type { PenaltyTier } from '../core/rules/terms.ts';
import { SEVERITY_LABELS, TIER_LABELS } from '../core/rules/terms.ts';
import { chineseDate } from '../core/time.ts';
import { weekDates, weekWords } from '../core/week-words.ts';
import { CHART_TIERS, bulletinCharts as drawBulletinCharts } from './bulletin-charts.ts';
import type { HBarChart, LineChart } from './charts.ts';
import type { DocumentSettings } from './settings.ts';
import { chineseNumeral } from './template-helpers.ts';

export interface NameBook {
  cadres: ReadonlyMap<string, { name: string; unit?: string | undefined }>;
  villages: ReadonlyMap<string, string>;
  townships: ReadonlyMap<string, string>;
  /** Problem descriptions by id. */
  problems: ReadonlyMap<string, string>;
  /** Thumbnails of a problem's photos (data: URLs, so the printed file carries them), by problem id. */
  problemPhotos?: ReadonlyMap<string, readonly string[]>;
}

export interface Issue {
  /** Printed number: 指谈〔2026〕3号, or the bulletin's 2026年第12期. */
  number: string;
  /** Beijing date of issue, YYYY-MM-DD. */
  issuedOn: string;
}

const cadreName = (names: NameBook, id: string, fallback?: string) =>
  names.cadres.get(id)?.name ?? fallback ?? id;
const villageName = (names: NameBook, id: string) => names.villages.get(id) ?? id;
const townshipName = (names: NameBook, id: string | null | undefined) =>
  id ? (names.townships.get(id) ?? id) : '未归属乡镇';

/** 第47周（11月16日—11月22日）: the one way a week reads to people (core/week-words.ts). */
export function weekLabel(evaluation: Pick<WeeklyEvaluation, 'week'>): string {
  return weekWords(evaluation.week);
}

/**
 * What the templates cite and print of the rule set in force: the rules document's name, the article
 * of each rule (第X条) and the numbers a rule decides. The wording around them is the templates'.
 */
export function ruleCitation(settings: DocumentSettings, rules: RuleSet = DEFAULT_RULE_SET) {
  return {
    document: settings.rulesDocumentName,
    articles: ruleArticles(rules),
    version: rules.version,
    yellowWithinDays: rules.colors.yellowWithinDays,
    falseRectificationWeight: rules.falseRectificationWeight,
    rectificationDays: rules.rectificationDays,
  };
}

function common(settings: DocumentSettings, issue: Issue) {
  return {
    signature: {
      issuer: settings.issuer,
      signerTitle: settings.signerTitle,
      date: chineseDate(issue.issuedOn),
    },
    record: { cc: settings.cc, printer: settings.printer, printedOn: chineseDate(issue.issuedOn) },
  };
}

function problemRows(rows: readonly ProblemRow[], names: NameBook) {
  return rows.map((p) => ({
    village: villageName(names, p.villageId),
    foundOn: chineseDate(p.foundOn),
    description: names.problems.get(p.problemId) ?? `问题 ${p.problemId}`,
    falseRectification: p.falseRectifications > 0,
    severity: SEVERITY_LABELS[p.severity],
    rectifyBy: chineseDate(p.rectifyBy),
    photos: names.problemPhotos?.get(p.problemId) ?? [],
  }));
}

const listNames = (ids: readonly string[], names: NameBook, evaluation: WeeklyEvaluation) => {
  const byId = new Map(evaluation.cadres.map((c) => [c.cadreId, c.name]));
  return ids.map((id) => cadreName(names, id, byId.get(id))).join('、');
};

function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
const num = (value: number | null) => (value === null ? '—' : String(value));

function beside(f: FiguresBeside, pick: (x: EffectivenessFigures) => string): string {
  return `${pick(f.current)}（${f.previous ? pick(f.previous) : '—'}）`;
}

/** Tier counts of an earlier evaluated week, for the tiers-over-weeks chart. */
export interface WeekCounts {
  week: string;
  counts: Record<'commended' | 'selfCriticism' | 'reminderTalk' | 'admonishmentTalk', number>;
}

export interface BulletinOptions {
  settings: DocumentSettings;
  /** The rule set the week was judged by (its numbers and articles are printed); default version 1. */
  rules?: RuleSet | undefined;
  issue: Issue;
  revision: number;
  names: NameBook;
  /** Earlier weeks (any order; only those before this one count, the last seven are drawn). */
  history?: readonly WeekCounts[];
  /** Sanctions on villages' quotas approved in the week (seed 000), in order of approval. */
  sanctions?: readonly BulletinSanction[];
}

/** An approved sanction as the bulletin lists it (functions/schemas/resources.ts has the record). */
export interface BulletinSanction {
  villageName: string;
  townshipId: string;
  kind: 'reduce' | 'suspend';
  share: number | null;
  from: string;
  to: string;
  reason: string;
  majorFailureName: string | null;
}

export interface BulletinChart<C> {
  caption: string;
  categoryHead: string;
  chart: C;
}

/**
 * The bulletin's attachment: the charts of the HQ bulletin page (same geometry, documents/charts.ts),
 * each with its figures as a table below it, since a printed chart cannot be hovered.
 */
export function bulletinCharts(
  evaluation: WeeklyEvaluation,
  names: NameBook,
  history: readonly WeekCounts[] = [],
): {
  problems: BulletinChart<HBarChart>;
  tiers: BulletinChart<LineChart>;
  resolution: BulletinChart<HBarChart>;
} {
  // Townships of the week: where its cadres are placed or its problems are, ordered by id (roster order).
  const townshipIds = [
    ...new Set([
      ...evaluation.cadres.flatMap((c) => (c.townshipId ? [c.townshipId] : [])),
      ...evaluation.problems.map((p) => p.townshipId),
    ]),
  ].sort();
  const weeks = [
    {
      week: evaluation.week,
      counts: Object.fromEntries(CHART_TIERS.map((t) => [t, evaluation.tiers[t].length])),
    },
    ...[...history].filter((h) => h.week < evaluation.week).sort((a, b) => (a.week < b.week ? 1 : -1)),
  ]
    .slice(0, 8)
    .reverse() as WeekCounts[];
  const eff = evaluation.effectiveness;
  const { problems, tiers, resolution } = drawBulletinCharts({
    townships: townshipIds.map((id) => ({
      label: townshipName(names, id),
      problems: evaluation.problems.filter((p) => p.townshipId === id),
    })),
    weeks,
    scopes: [
      { label: '全县', figures: eff.county as FiguresBeside },
      ...eff.townships.map((t) => ({
        label: townshipName(names, t.townshipId),
        figures: t as FiguresBeside,
      })),
    ],
  });
  return {
    problems: { caption: '图1 各乡镇问题数（个）', categoryHead: '乡镇', chart: problems },
    tiers: { caption: '图2 对号入座人数周变化（人）', categoryHead: '周次', chart: tiers },
    resolution: { caption: '图3 问题整改用时中位数（天）', categoryHead: '范围', chart: resolution },
  };
}

export function bulletinView(evaluation: WeeklyEvaluation, options: BulletinOptions) {
  const { settings, issue, revision, names } = options;
  const label = weekDates(evaluation.week);
  const charts = bulletinCharts(evaluation, names, options.history);
  const names_ = (ids: readonly string[]) => listNames(ids, names, evaluation);
  const tiers = (
    [
      ['commended', evaluation.tiers.commended],
      ['selfCriticism', evaluation.tiers.selfCriticism],
      ['reminderTalk', evaluation.tiers.reminderTalk],
      ['admonishmentTalk', evaluation.tiers.admonishmentTalk],
    ] as const
  ).map(([tier, ids]) => ({ label: TIER_LABELS[tier], count: ids.length, names: names_(ids) }));
  const c = evaluation.colors;
  const title = `关于${label}干部包村工作督查情况的通报`;
  const eff = evaluation.effectiveness;
  const sanctions = options.sanctions ?? [];
  // Sections after 五 shift by one for each optional one present (重大失误, 资源分配约束).
  const extraSections = (evaluation.majorFailures.length ? 1 : 0) + (sanctions.length ? 1 : 0);
  return {
    documentTitle: `${settings.bulletinName} ${issue.number}`,
    masthead: {
      name: settings.bulletinName,
      issue: issue.number,
      unit: settings.issuer,
      date: chineseDate(issue.issuedOn),
      revisionNote: revision > 1 ? `（修订版：第${revision}次评定，替代此前印发的本期通报）` : null,
      provisionalNote: evaluation.provisional ? '（暂定：本周尚未结束，截至统计时点的情况）' : null,
    },
    title,
    recipients: `${settings.recipients}：`,
    period: label,
    rules: ruleCitation(settings, options.rules),
    overview: `本周参与评定干部${evaluation.cadres.length}人，其中充分肯定${tiers[0]!.count}人，检讨发言${tiers[1]!.count}人，提醒谈话${tiers[2]!.count}人，诫勉谈话${tiers[3]!.count}人；发现问题${evaluation.problems.filter((p) => p.isNew).length}个，逾期未完成任务${evaluation.overdueDispatches.length}项。`,
    tiers,
    circle: {
      summary: `目前在圈干部${evaluation.circle.members.length}人，本周进圈${evaluation.circle.entered.length}人、出圈${evaluation.circle.exited.length}人。`,
      enteredCount: evaluation.circle.entered.length,
      entered: names_(evaluation.circle.entered),
      exitedCount: evaluation.circle.exited.length,
      exited: names_(evaluation.circle.exited),
      trainingCount: evaluation.remedialTraining.length,
      training: names_(evaluation.remedialTraining),
    },
    colors: [
      { label: '问题整改', ...c.problems },
      { label: '派遣任务', ...c.dispatches },
      { label: '合计', ...c.total },
    ],
    overdue: evaluation.overdueDispatches.map((d: DispatchRow) => ({
      dispatch: [d.number, d.title].filter(Boolean).join(' ') || d.dispatchId,
      cadre: cadreName(names, d.cadreId),
      village: villageName(names, d.villageId),
      deadline: chineseDate(d.deadline.slice(0, 10)),
      daysOverdue: d.daysOverdue,
    })),
    majorFailures: evaluation.majorFailures.map((m: MajorFailureRow) => ({
      occurredOn: chineseDate(m.occurredOn),
      township: townshipName(names, m.townshipId),
      village: villageName(names, m.villageId),
      name: m.name,
      cadres: m.cadreIds.map((id) => cadreName(names, id)).join('、') || '（未认定）',
      consequence: `予以${m.consequenceLabel}`,
      summary: m.summary,
    })),
    sanctionsNo: evaluation.majorFailures.length ? 7 : 6,
    sanctions: sanctions.map((s) => ({
      township: townshipName(names, s.townshipId),
      village: s.villageName,
      reduce: s.kind === 'reduce',
      share: s.share === null ? null : `${Math.round(s.share * 1000) / 10}%`,
      from: chineseDate(s.from),
      to: chineseDate(s.to),
      reason: s.reason,
      majorFailure: s.majorFailureName,
    })),
    effectivenessHeading: `${chineseNumeral(extraSections + 6)}、工作成效（括号内为上周）`,
    effectiveness: [
      { scope: '全县', figures: eff.county },
      ...eff.townships.map((t) => ({
        scope: townshipName(names, t.townshipId),
        figures: t as FiguresBeside,
      })),
    ].map(({ scope, figures }) => ({
      scope,
      presence: beside(figures, (f) => percent(f.presence.rate)),
      rectification: beside(figures, (f) => num(f.rectification.medianHours)),
      directReports: beside(figures, (f) => num(f.directReports.perCadre)),
      acknowledgement: beside(figures, (f) => num(f.acknowledgement.medianMinutes)),
      // Visits (下村) and nights (吃住在村): only for weeks that had a visit.
      visits: beside(figures, (f) => num(f.visits?.perCadre ?? null)),
      nights: beside(figures, (f) => num(f.visits?.nightsPerCadre ?? null)),
      nightShare: beside(figures, (f) => percent(f.visits?.nightShare ?? null)),
      farVisits: String(figures.current.visits?.far ?? 0),
      // Direct reports closed (办结) in the week: how many, and the median hours from report to closure.
      closedReports: String(figures.current.resolution?.closed ?? 0),
      resolutionHours: beside(figures, (f) => {
        const m = f.resolution?.medianMinutes ?? null;
        return num(m === null ? null : Math.round(m / 6) / 10);
      }),
    })),
    showVisits: eff.county.current.visits !== undefined,
    showResolution: eff.county.current.resolution !== undefined,
    requirementsHeading: `${chineseNumeral(extraSections + 7)}、工作要求`,
    requirements: [
      '被通报的干部要对照问题清单逐条整改，按期报送整改情况，整改不到位的从严问责。',
      '进圈干部由派出单位主要负责人督促整改，连续在圈的列入干部营养餐培训。',
      '各乡镇要对红色、黄色事项逐项盯办，确保按期销号。',
    ],
    attachments: '附件：本周督查情况统计图',
    charts,
    ...common(settings, issue),
  };
}

export interface NoticeOptions {
  settings: DocumentSettings;
  /** The rule set in force (its numbers and articles are printed); default version 1. */
  rules?: RuleSet | undefined;
  issue: Issue;
  names: NameBook;
}

const TALK_CONDUCTOR: Record<PenaltyTier, string> = {
  selfCriticism: '乡镇党委书记',
  reminderTalk: '县包村办主任',
  admonishmentTalk: '县委组织部分管负责同志',
};

/** Who decided a talk and when: printed on the notice (numbered at this decision, not at evaluation). */
export interface TalkDecision {
  approvedByName: string;
  /** Beijing date of the decision, YYYY-MM-DD. */
  approvedOn: string;
  /** Approved by the county's setting at evaluation, not by a person. */
  automatic: boolean;
  /** Days the cadre has to attend once notified. */
  holdWithinDays?: number | undefined;
}

export function talkNoticeView(
  evaluation: Pick<WeeklyEvaluation, 'problems' | 'sunday'>,
  cadre: Pick<CadreEvaluation, 'cadreId' | 'name' | 'weightedCount' | 'explanation'>,
  tier: PenaltyTier,
  options: NoticeOptions & { decision?: TalkDecision | undefined },
) {
  const { settings, issue, names, decision } = options;
  const label = TIER_LABELS[tier];
  const open = evaluation.problems.filter((p) => p.cadreId === cadre.cadreId && p.state !== 'closed');
  const person = names.cadres.get(cadre.cadreId);
  return {
    documentTitle: `${label}通知书（${cadre.name}）`,
    header: { mark: settings.mark, number: issue.number },
    title: `${label}通知书`,
    cadre: { name: person?.name ?? cadre.name, unit: person?.unit ?? '' },
    findings: `经督查，截至${chineseDate(evaluation.sunday)}，你有未销号问题${open.length}个（加权合计${cadre.weightedCount}个），具体如下：`,
    problems: problemRows(open, names),
    explanation: cadre.explanation,
    tierLabel: label,
    rules: ruleCitation(settings, options.rules),
    talk: {
      time: decision?.holdWithinDays
        ? `接到本通知书后${decision.holdWithinDays}日内，具体时间另行电话通知`
        : '接到本通知书后3个工作日内，具体时间另行电话通知',
      place: settings.talkPlace,
      conductor: TALK_CONDUCTOR[tier],
      bring: '本人书面说明材料及上述问题的整改情况报告',
    },
    closing: '请按时参加谈话，不得无故缺席。',
    approvalNote: decision
      ? decision.automatic
        ? `本决定依县包村工作设置于${chineseDate(decision.approvedOn)}考评时自动批准。`
        : `本决定经${decision.approvedByName}于${chineseDate(decision.approvedOn)}批准。`
      : null,
    note: '此件发至本人及派出单位',
    ...common(settings, issue),
  };
}

export function rectificationNoticeView(
  evaluation: Pick<WeeklyEvaluation, 'week' | 'sunday'>,
  cadre: Pick<CadreEvaluation, 'cadreId' | 'name'>,
  problems: readonly ProblemRow[],
  options: NoticeOptions & {
    /** When the problems were found, as the notice says it (default: the evaluated week). */
    occasion?: string | undefined;
  },
) {
  const { settings, issue, names } = options;
  const latest = [...problems.map((p) => p.rectifyBy)].sort().at(-1) ?? evaluation.sunday;
  const person = names.cadres.get(cadre.cadreId);
  return {
    documentTitle: `整改通知书（${cadre.name}）`,
    header: { mark: settings.mark, number: issue.number },
    title: '整改通知书',
    cadre: { name: person?.name ?? cadre.name, unit: person?.unit ?? '' },
    findings: `${options.occasion ?? weekLabel(evaluation)}督查中，发现你包村工作存在以下问题${problems.length}个：`,
    problems: problemRows(problems, names),
    measures: [
      '对照上述问题逐条制定整改措施，明确责任人和完成时限。',
      '举一反三，排查同类问题，一并整改。',
      '整改完成后，以书面形式向县包村办报告整改情况，并在系统中提交整改说明，由督查组复核。',
    ],
    deadline: `请于${chineseDate(latest)}前整改到位（各问题期限见上表）。`,
    rules: ruleCitation(settings, options.rules),
    note: '此件发至本人及派出单位',
    ...common(settings, issue),
  };
}

export function criticismNoticeView(
  _evaluation: WeeklyEvaluation,
  failure: MajorFailureRow,
  options: NoticeOptions,
) {
  const { settings, issue, names } = options;
  const who = failure.cadreIds.map((id) => cadreName(names, id)).join('、') || '有关责任干部';
  const place = `${townshipName(names, failure.townshipId)}${villageName(names, failure.villageId)}`;
  return {
    documentTitle: `关于${place}${failure.name}的通报`,
    header: { mark: settings.mark, number: issue.number },
    title: `关于对${who}予以${failure.consequenceLabel}的通报`,
    recipients: `${settings.recipients}：`,
    facts: `${chineseDate(failure.occurredOn)}，${place}发生${failure.name}。${failure.summary ?? ''}`,
    failureName: failure.name,
    serious: failure.serious,
    rules: ruleCitation(settings, options.rules),
    decision: `对${who}予以${failure.consequenceLabel}。`,
    requirements:
      '各乡镇、各包村干部要引以为戒，举一反三，立即排查同类风险隐患，于一周内将排查整改情况书面报县包村办。',
    note: `此件发至${settings.recipients}`,
    ...common(settings, issue),
  };
}

export interface AppointmentInput {
  cadre: { name: string; unit: string };
  village: string;
  township: string;
  from: string;
}

export function appointmentLetterView(input: AppointmentInput, options: Omit<NoticeOptions, 'names'>) {
  const { settings, issue } = options;
  return {
    documentTitle: `任命书（${input.cadre.name}）`,
    header: { mark: settings.mark, number: issue.number },
    title: '任命书',
    cadre: input.cadre,
    post: `${input.township}${input.village}${settings.chiefPost}`,
    term: `任期自${chineseDate(input.from)}起，至另行任命时止。`,
    duties: '负责统筹本村包村工作，落实"一人一村、全村覆盖"责任，按时完成指挥部派遣任务，及时直报村情民意。',
    ...common(settings, issue),
  };
}

export interface TalkRecordInput {
  tier: PenaltyTier;
  cadre: { name: string; unit: string };
  noticeNumber: string;
  week: string;
  /** Beijing date and time the talk was held, as people read it. */
  heldAt: string;
  place: string;
  conductors: string[];
  recorder: string;
  notes: string;
  /** The cadre's statement (表态) once acknowledged; null before, or when they said nothing. */
  statement: string | null;
  acknowledgedOn: string | null;
}

const paragraphs = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** 谈话记录: the record of a talk held, with the cadre's statement once they acknowledge it. */
export function talkRecordView(input: TalkRecordInput, options: Omit<NoticeOptions, 'names'>) {
  const { settings, issue } = options;
  const label = TIER_LABELS[input.tier];
  return {
    documentTitle: `${label}记录（${input.cadre.name}）`,
    header: { mark: settings.mark, number: issue.number },
    title: `${label}记录`,
    cadre: input.cadre,
    reason: `${weekWords(input.week)}考评列入“${label}”档次，${input.noticeNumber}通知谈话。`,
    heldAt: input.heldAt,
    place: input.place,
    conductors: input.conductors.join('、'),
    recorder: input.recorder,
    notes: paragraphs(input.notes),
    statement: input.statement ? paragraphs(input.statement) : null,
    statementNote: input.acknowledgedOn
      ? `本人于${chineseDate(input.acknowledgedOn)}在系统中确认谈话记录${input.statement ? '并表态如上' : '，未另行表态'}`
      : '（待本人确认并表态）',
    note: '此件存入本人包村工作档案',
    ...common(settings, issue),
  };
}

/** 通报表扬: the week's commended cadres (充分肯定), with why, issued with the weekly documents. */
export function commendationNoticeView(evaluation: WeeklyEvaluation, options: NoticeOptions) {
  const { settings, issue, names } = options;
  const label = weekLabel(evaluation);
  const commended = evaluation.cadres.filter((c) => c.tier === 'commended');
  const who = commended.map((c) => cadreName(names, c.cadreId, c.name)).join('、');
  return {
    documentTitle: `关于对${label}表现突出的包村干部予以通报表扬的通报`,
    header: { mark: settings.mark, number: issue.number },
    title: `关于对${who.length > 30 ? `${cadreName(names, commended[0]?.cadreId ?? '', commended[0]?.name)}等${commended.length}名同志` : `${who}同志`}予以通报表扬的通报`,
    recipients: `${settings.recipients}：`,
    facts: `${label}督查中，${commended.length}名包村干部无未销号问题，工作得到督查组肯定，在脱贫攻坚包村工作中发挥了表率作用。`,
    decision: `对以下${commended.length}名同志予以通报表扬：`,
    cadres: commended.map((c) => ({
      name: cadreName(names, c.cadreId, c.name),
      unit: names.cadres.get(c.cadreId)?.unit ?? '',
      township: townshipName(names, c.townshipId),
      reason: c.explanation,
    })),
    requirements:
      '希望受表扬的同志珍惜荣誉、再接再厉；各乡镇、各包村干部要以先进为榜样，真抓实干，确保包村工作各项任务落到实处。',
    note: `此件发至${settings.recipients}`,
    ...common(settings, issue),
  };
}

/**
 * Talks as decisions (docs/talks.md), the steps that print and send:
 *  1. proposeWeekTalks: the weekly job turns the evaluation's talk tiers into proposals (one per week
 *     and cadre, id derived from both, so a re-run proposes nothing twice); with the county setting
 *     "approval needed" off, each is approved at once as the system, as before talks were decisions;
 *  2. approveTalk: the decision is recorded (proposed → approved), the notice numbered at that moment
 *     and rendered carrying who approved and when, the cadre told at once (notification, email, text:
 *     the news path), then approved → notified with the date the talk must be held by;
 *  3. renderTalkRecord: the talk record (谈话记录) once the talk is held, again once acknowledged.
 * Every write is keyed by the fact (derived ids, conditional status steps, the news key), so a step
 * that died half way is finished by running it again and never writes twice.
 */

import { nextSequence } from '../adapters/dynamo/counters.ts';
import type { NoticeRecord } from '../adapters/dynamo/notices.ts';
import { getNotice } from '../adapters/dynamo/notices.ts';
import { getProblems } from '../adapters/dynamo/problems.ts';
import { getCadre, getVillages } from '../adapters/dynamo/roster.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import {
  getTalk,
  getTalkSettings,
  proposeTalk,
  stepTalk,
  type TalkRecord,
  talksOfWeek,
} from '../adapters/dynamo/talks.ts';
import type { AuditEntry } from '../core/audit.ts';
import { documentPrefix, formatDocumentNumber } from '../core/document-number.ts';
import { derivedId } from '../core/ids.ts';
import { DEFAULT_RULE_SET, type RuleSet, ruleSetForWeek } from '../core/rules/rule-set.ts';
import { TIER_LABELS } from '../core/rules/terms.ts';
import { type TalkTier, talkDueBy } from '../core/talks.ts';
import { beijingDate, beijingDateTime, chineseDate } from '../core/time.ts';
import { weekDates, weekWords } from '../core/week-words.ts';
import type { PdfRenderer } from '../documents/render.ts';
import { type DocumentSettings, NUMBER_SERIES } from '../documents/settings.ts';
import { talkNoticeView, talkRecordView } from '../documents/view-models.ts';
import type { StoredEvaluation } from '../schemas/bulletins.ts';
import { currentDocumentSettings } from './issuer.ts';
import type { NewsEvent } from './news-events.ts';
import { fileName, issueDocument, type Plan, rerenderDocument } from './render-week-documents.ts';

export interface TalkActor {
  sub: string;
  name?: string | undefined;
}

export interface TalkStepDeps {
  now: Date;
  audit(entry: AuditEntry): Promise<void>;
  /** Tells the cadre: `announce` in a request, record + send in-process in the weekly job. */
  tell(event: NewsEvent): Promise<void>;
  pdf?: PdfRenderer | null;
}

export const SYSTEM_APPROVER: TalkActor = { sub: 'system:evaluation', name: '系统（无需审批）' };

export const talkId = (week: string, cadreId: string) => derivedId('talk', week, cadreId);

/** The news that tells the cadre of an approved talk (one per talk: a retry records nothing twice). */
export const talkNewsKey = (id: string) => `talk:${id}`;

/** Step 1: a proposal per talk tier of a final week; approved at once when the county needs no approval. */
export async function proposeWeekTalks(
  stored: StoredEvaluation,
  deps: TalkStepDeps,
): Promise<{ proposed: number; existing: number; approved: number }> {
  const out = { proposed: 0, existing: 0, approved: 0 };
  if (stored.provisional || stored.revision === 0) return out;
  const e = stored.evaluation;
  const byCadre = new Map(e.cadres.map((c) => [c.cadreId, c]));
  const at = deps.now.toISOString();
  for (const due of e.talkNotices) {
    const cadre = byCadre.get(due.cadreId);
    if (!cadre || (due.tier !== 'reminderTalk' && due.tier !== 'admonishmentTalk')) continue;
    const tier = due.tier as TalkTier;
    const record: TalkRecord = {
      id: talkId(stored.week, cadre.cadreId),
      week: stored.week,
      cadreId: cadre.cadreId,
      cadreName: cadre.name,
      townshipId: cadre.townshipId,
      status: 'proposed',
      tier,
      proposedTier: tier,
      explanation: cadre.explanation,
      weightedCount: cadre.weightedCount,
      sunday: e.sunday,
      problems: e.problems.filter((p) => p.cadreId === cadre.cadreId && p.state !== 'closed'),
      evaluationRevision: stored.revision,
      proposedAt: at,
      changes: [],
      approval: null,
      waiver: null,
      notice: null,
      dueBy: null,
      record: null,
      acknowledgement: null,
      updatedAt: at,
    };
    const result = await proposeTalk(record);
    if (result.created) {
      out.proposed++;
      await deps.audit({
        entityType: 'talk',
        entityId: record.id,
        action: 'propose',
        changes: { week: record.week, cadreId: record.cadreId, tier, status: 'proposed' },
      });
    } else out.existing++;
  }
  const settings = await getTalkSettings();
  if (!settings.approvalRequired) {
    for (const talk of await talksOfWeek(stored.week, 'proposed')) {
      await approveTalk(talk, SYSTEM_APPROVER, { ...deps, automatic: true });
      out.approved++;
    }
  }
  return out;
}

function noticePlan(
  talk: TalkRecord,
  unit: string,
  number: string,
  holdWithinDays: number,
  lookups: { villages: Map<string, string>; problems: Map<string, string> },
  settings: DocumentSettings,
  rules: RuleSet,
): Plan {
  const label = `${TIER_LABELS[talk.tier]}通知书`;
  const approval = talk.approval;
  return {
    id: derivedId('notice', 'talk', talk.id, talk.tier),
    kind: 'talkNotice',
    week: talk.week,
    cadreId: talk.cadreId,
    subjectId: talk.id,
    title: `${label}（${talk.cadreName}）`,
    fileName: fileName(label, talk.cadreName, weekDates(talk.week)),
    folder: `${talk.week.slice(0, 4)}/${talk.week.slice(5)}`,
    number: async () => number,
    view: (n) =>
      talkNoticeView(
        { problems: talk.problems, sunday: talk.sunday },
        {
          cadreId: talk.cadreId,
          name: talk.cadreName,
          weightedCount: talk.weightedCount,
          explanation: talk.explanation,
        },
        talk.tier,
        {
          settings,
          rules,
          names: {
            cadres: new Map([[talk.cadreId, { name: talk.cadreName, unit }]]),
            villages: lookups.villages,
            townships: new Map(),
            problems: lookups.problems,
          },
          issue: { number: n, issuedOn: beijingDate(new Date(approval?.at ?? Date.now())) },
          decision: approval
            ? {
                approvedByName: approval.byName ?? approval.by,
                approvedOn: beijingDate(new Date(approval.at)),
                automatic: approval.automatic,
                holdWithinDays,
              }
            : undefined,
        },
      ),
  };
}

/**
 * Step 2, from `proposed` (or `approved`, finishing an approval that stopped part way): record the
 * decision with the notice's number, render the notice, tell the cadre, mark it notified.
 * Answers the talk as it then stands, or the refusal of the first conditional step.
 */
export async function approveTalk(
  talk: TalkRecord,
  actor: TalkActor,
  deps: TalkStepDeps & { automatic?: boolean; token?: string | undefined },
): Promise<
  { kind: 'done'; record: TalkRecord } | { kind: 'refused'; record: TalkRecord } | { kind: 'missing' }
> {
  const settings = await getTalkSettings();
  const at = deps.now.toISOString();
  let current = talk;
  if (current.status === 'proposed') {
    // Numbered at the decision (not at evaluation): a crash after taking the number leaves a gap.
    const year = Number(beijingDate(deps.now).slice(0, 4));
    const number = formatDocumentNumber(
      documentPrefix((await currentDocumentSettings()).agencyCode, NUMBER_SERIES.talkNotice.suffix),
      year,
      await nextSequence(NUMBER_SERIES.talkNotice.key, year),
    );
    const approval = {
      by: actor.sub,
      ...(actor.name ? { byName: actor.name } : {}),
      at,
      automatic: !!deps.automatic,
    };
    const stepped = await stepTalk(current.id, ['proposed'], 'approved', {
      approval,
      notice: { id: derivedId('notice', 'talk', current.id, current.tier), number, notifiedAt: null },
      updatedAt: at,
      ...(deps.token ? { stepToken: deps.token } : {}),
    });
    if (stepped.kind !== 'done') return stepped;
    current = stepped.record;
    await deps.audit({
      entityType: 'talk',
      entityId: current.id,
      action: 'approve',
      changes: {
        before: { status: 'proposed' },
        after: { status: 'approved', tier: current.tier, number, automatic: approval.automatic },
      },
    });
  }
  if (current.status !== 'approved' || !current.notice || !current.approval)
    return { kind: 'refused', record: current };

  const [cadre, problems, villages, documents, ruleSets] = await Promise.all([
    getCadre(current.cadreId),
    getProblems(current.problems.map((p) => p.problemId)),
    getVillages([...new Set(current.problems.map((p) => p.villageId))]),
    currentDocumentSettings(),
    listRuleSets(),
  ]);
  const plan = noticePlan(
    current,
    cadre?.unit ?? '',
    current.notice.number,
    settings.holdWithinDays,
    {
      villages: new Map([...villages.values()].map((v) => [v.id, v.name])),
      problems: new Map([...problems.values()].map((p) => [p.id, p.description])),
    },
    documents,
    ruleSetForWeek(ruleSets, current.week) ?? DEFAULT_RULE_SET,
  );
  const notice = await issueDocument(plan, {
    now: deps.now,
    ...(deps.pdf !== undefined ? { pdf: deps.pdf } : {}),
  });
  const approvedOn = beijingDate(new Date(current.approval.at));
  const dueBy = talkDueBy(approvedOn, settings.holdWithinDays);
  const label = TIER_LABELS[current.tier];
  await deps.tell({
    key: talkNewsKey(current.id),
    kind: 'talk_notice',
    createdAt: current.approval.at,
    title: `${label}通知（${weekWords(current.week)}）`,
    link: '/app/cadre/standing',
    deadline: dueBy,
    messages: [
      {
        cadreId: current.cadreId,
        lines: [
          `根据${weekWords(current.week)}考评结果，您被列入“${label}”档次。${current.explanation}`,
          `经${current.approval.automatic ? '考评自动' : `${current.approval.byName ?? '指挥部'}`}批准，请于${chineseDate(dueBy)}前到${documents.issuer}参加${label}（${notice.number}），并抓紧整改未销号问题。`,
        ],
      },
    ],
    noticeId: notice.id,
  });
  const done = await stepTalk(current.id, ['approved'], 'notified', {
    notice: { id: notice.id, number: notice.number, notifiedAt: at },
    dueBy,
    updatedAt: at,
    ...(deps.token ? { stepToken: deps.token } : {}),
  });
  if (done.kind !== 'done') return done;
  await deps.audit({
    entityType: 'talk',
    entityId: current.id,
    action: 'notify',
    changes: { before: { status: 'approved' }, after: { status: 'notified', noticeId: notice.id, dueBy } },
  });
  return done;
}

/** Step 3: the talk record (谈话记录), rendered when the talk is recorded and again with the statement. */
export async function renderTalkRecord(
  talk: TalkRecord,
  deps: { now: Date; pdf?: PdfRenderer | null },
): Promise<NoticeRecord | undefined> {
  const record = talk.record;
  if (!record || !talk.notice) return undefined;
  const cadre = await getCadre(talk.cadreId);
  const recorder = record.byName ?? '县包村办';
  const label = TIER_LABELS[talk.tier];
  const settings = await currentDocumentSettings();
  const plan: Plan = {
    id: derivedId('notice', 'talkRecord', talk.id),
    kind: 'talkRecord',
    week: talk.week,
    cadreId: talk.cadreId,
    subjectId: talk.id,
    title: `${label}记录（${talk.cadreName}）`,
    fileName: fileName(`${label}记录`, talk.cadreName, weekDates(talk.week)),
    folder: `${talk.week.slice(0, 4)}/${talk.week.slice(5)}`,
    number: async () => talk.notice?.number ?? '',
    view: (n) =>
      talkRecordView(
        {
          tier: talk.tier,
          cadre: { name: cadre?.name ?? talk.cadreName, unit: cadre?.unit ?? '' },
          noticeNumber: talk.notice?.number ?? '',
          week: talk.week,
          heldAt: beijingDateTime(new Date(record.heldAt)),
          place: record.place,
          conductors: record.conductorNames,
          recorder,
          notes: record.notes,
          statement: talk.acknowledgement?.statement ?? null,
          acknowledgedOn: talk.acknowledgement ? beijingDate(new Date(talk.acknowledgement.at)) : null,
        },
        { settings, issue: { number: n, issuedOn: beijingDate(new Date(record.at)) } },
      ),
  };
  const ctx = { now: deps.now, ...(deps.pdf !== undefined ? { pdf: deps.pdf } : {}) };
  const existing = await getNotice(plan.id);
  if (existing && talk.acknowledgement) return rerenderDocument(plan, existing, ctx);
  return issueDocument(plan, ctx);
}

export { getTalk };

/**
 * Renders a week's documents from its stored evaluation: the weekly bulletin (周通报, "第N期" counted
 * per year, a later revision marked 修订 under the same issue number), a talk notice (提醒谈话通知书 /
 * 诫勉谈话通知书) for each cadre coming into those tiers, a rectification notice (整改通知书) for each
 * cadre with problems found in the week, and a notice of criticism (通报批评) for each major failure.
 * The provisional view of the current week gets a bulletin marked 暂定 and no notices: notices are
 * decisions on a finished week.
 *
 * Safe to re-run and to retry after a crash: each record's id is derived from what it is about, the
 * record (with its number) is claimed with a conditional put before the files are written, and a
 * record already rendered for this revision whose files exist is returned as it is. A crash between
 * taking a number and claiming the record leaves a gap in the sequence, never a duplicate number.
 */

import { defaultPdfRenderer } from '../adapters/documents/chromium.ts';
import { type DocumentStore, documentStore } from '../adapters/documents/store.ts';
import { writeAudit } from '../adapters/dynamo/audit.ts';
import { nextSequence } from '../adapters/dynamo/counters.ts';
import { listStoredEvaluations } from '../adapters/dynamo/evaluations.ts';
import {
  getNotice,
  listDocumentsForWeek,
  type NoticeRecord,
  putNoticeIfAbsent,
  updateNoticeFiles,
} from '../adapters/dynamo/notices.ts';
import { getProblems } from '../adapters/dynamo/problems.ts';
import { getCadre, getCadres, getTownship, getVillage, getVillages } from '../adapters/dynamo/roster.ts';
import { getRuleSet } from '../adapters/dynamo/rule-sets.ts';
import { approvedInWeek } from '../adapters/dynamo/sanctions.ts';
import { photoFiles, photoKeys } from '../adapters/photos/index.ts';
import { documentPrefix, formatDocumentNumber } from '../core/document-number.ts';
import { derivedId } from '../core/ids.ts';
import type { CadreEvaluation, ProblemRow } from '../core/rules/evaluation.ts';
import { DEFAULT_RULE_SET, type RuleSet } from '../core/rules/rule-set.ts';
import { TIER_LABELS } from '../core/rules/terms.ts';
import { beijingDate, chineseDate } from '../core/time.ts';
import { weekDates } from '../core/week-words.ts';
import { type DocumentKind, type PdfRenderer, renderDocumentHtml } from '../documents/render.ts';
import { type DocumentSettings, NUMBER_SERIES } from '../documents/settings.ts';
import {
  appointmentLetterView,
  bulletinView,
  commendationNoticeView,
  criticismNoticeView,
  type NameBook,
  rectificationNoticeView,
  talkNoticeView,
} from '../documents/view-models.ts';
import type { Assignment } from '../schemas/assignments.ts';
import type { StoredEvaluation } from '../schemas/bulletins.ts';
import { currentDocumentSettings } from './issuer.ts';

export interface RenderOptions {
  now: Date;
  /** Defaults: the process's document store and Chromium renderer (null: HTML only). */
  store?: DocumentStore;
  pdf?: PdfRenderer | null;
  settings?: DocumentSettings;
  /**
   * Render the week's talk notices here (default, as before talks were decisions). The weekly job
   * passes false: talks are proposed, and each notice is numbered and rendered when it is approved
   * (jobs/talks.ts).
   */
  talkNotices?: boolean;
}

/** One document, claimed (numbered) and rendered like the week's: a talk notice or record. */
export async function issueDocument(
  plan: Plan,
  ctx: { now: Date; store?: DocumentStore; pdf?: PdfRenderer | null },
): Promise<NoticeRecord> {
  const store = ctx.store ?? documentStore();
  const pdf = ctx.pdf === undefined ? defaultPdfRenderer() : ctx.pdf;
  const [record] = await issueAll([plan], { now: ctx.now, store, pdf });
  return record!;
}

/** Renders a record's files again from a fresh view (a talk record once the cadre has made a statement). */
export async function rerenderDocument(
  plan: Plan,
  record: NoticeRecord,
  ctx: { store?: DocumentStore; pdf?: PdfRenderer | null },
): Promise<NoticeRecord> {
  const store = ctx.store ?? documentStore();
  const pdf = ctx.pdf === undefined ? defaultPdfRenderer() : ctx.pdf;
  const files = {
    html: `${plan.folder}/${plan.id}.html`,
    ...(pdf ? { pdf: `${plan.folder}/${plan.id}.pdf` } : {}),
  };
  return renderFiles(plan, { ...record, files }, { store, pdf });
}

export interface Plan {
  id: string;
  kind: DocumentKind;
  week?: string;
  cadreId?: string;
  subjectId?: string;
  revision?: number;
  /** The record's title and file name; a function of the number where they carry it (the bulletin's issue). */
  title: string | ((number: string) => string);
  fileName: string | ((number: string) => string);
  /** Folder of the files inside the store. */
  folder: string;
  /** Reuse this number instead of taking a new one (a bulletin revision keeps its issue number). */
  number?: () => Promise<string>;
  view(number: string): object;
}

const ACTOR = 'system:documents';

async function audit(record: NoticeRecord, now: Date): Promise<void> {
  await writeAudit({
    entityType: 'notice',
    entityId: record.id,
    action: 'create',
    changes: { kind: record.kind, number: record.number, week: record.week, cadreId: record.cadreId },
    at: now.toISOString(),
    actor: ACTOR,
    roles: [],
    routeKey: 'JOB render-documents',
    requestId: `documents-${record.id}`,
  });
}

const titled = (value: string | ((number: string) => string), number: string) =>
  typeof value === 'function' ? value(number) : value;

/** The next number of a kind's series: 青脱指改〔2026〕4号, or the bulletin's issue 2026年第12期. */
export async function takeNumber(kind: DocumentKind, year: number, agencyCode: string): Promise<string> {
  const series = NUMBER_SERIES[kind];
  const seq = await nextSequence(series.key, year);
  return kind === 'bulletin'
    ? `${year}年第${seq}期`
    : formatDocumentNumber(documentPrefix(agencyCode, series.suffix), year, seq);
}

async function filesPresent(store: DocumentStore, record: NoticeRecord, withPdf: boolean): Promise<boolean> {
  if (!(await store.has(record.files.html))) return false;
  if (!withPdf) return true;
  return !!record.files.pdf && (await store.has(record.files.pdf));
}

/** Claims the record (and its number), returning it with whether its files must be (re)rendered. */
async function claim(
  plan: Plan,
  ctx: { now: Date; store: DocumentStore; pdf: PdfRenderer | null; agencyCode?: string },
): Promise<{ record: NoticeRecord; render: boolean }> {
  const files = {
    html: `${plan.folder}/${plan.id}.html`,
    ...(ctx.pdf ? { pdf: `${plan.folder}/${plan.id}.pdf` } : {}),
  };
  const existing = await getNotice(plan.id);
  if (existing) {
    const current =
      existing.revision === plan.revision && (await filesPresent(ctx.store, existing, !!ctx.pdf));
    return { record: { ...existing, files: current ? existing.files : files }, render: !current };
  }
  const number = plan.number
    ? await plan.number()
    : await takeNumber(
        plan.kind,
        Number(beijingDate(ctx.now).slice(0, 4)),
        ctx.agencyCode ?? (await currentDocumentSettings()).agencyCode,
      );
  const record: NoticeRecord = {
    id: plan.id,
    kind: plan.kind,
    ...(plan.week ? { week: plan.week } : {}),
    ...(plan.cadreId ? { cadreId: plan.cadreId } : {}),
    ...(plan.subjectId ? { subjectId: plan.subjectId } : {}),
    number,
    title: titled(plan.title, number),
    fileName: titled(plan.fileName, number),
    files,
    createdAt: ctx.now.toISOString(),
    ...(plan.revision !== undefined ? { revision: plan.revision } : {}),
  };
  const result = await putNoticeIfAbsent(record);
  if (result.created) await audit(record, ctx.now);
  // Lost a race to a concurrent run: its record (and number) wins; render the files anyway.
  return { record: { ...result.record, files }, render: true };
}

async function renderFiles(
  plan: Plan,
  record: NoticeRecord,
  ctx: { store: DocumentStore; pdf: PdfRenderer | null },
): Promise<NoticeRecord> {
  const html = renderDocumentHtml(plan.kind, plan.view(record.number));
  await ctx.store.put(record.files.html, html, 'text/html; charset=utf-8');
  if (ctx.pdf && record.files.pdf)
    await ctx.store.put(record.files.pdf, await ctx.pdf.toPdf(html), 'application/pdf');
  return updateNoticeFiles(record.id, record.files, plan.revision, titled(plan.title, record.number));
}

async function issueAll(
  plans: Plan[],
  ctx: { now: Date; store: DocumentStore; pdf: PdfRenderer | null; agencyCode?: string },
): Promise<NoticeRecord[]> {
  // Numbers are taken one after another in the plans' (sorted) order, so a run numbers predictably.
  const claimed: { plan: Plan; record: NoticeRecord; render: boolean }[] = [];
  for (const plan of plans) claimed.push({ plan, ...(await claim(plan, ctx)) });
  const out: NoticeRecord[] = new Array(claimed.length);
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const i = next++;
      const c = claimed[i]!;
      out[i] = c.render ? await renderFiles(c.plan, c.record, ctx) : c.record;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, claimed.length) }, worker));
  return out;
}

async function townshipNames(ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => getTownship(id)));
  return new Map(found.flatMap((t) => (t ? [[t.id, t.name] as const] : [])));
}

async function loadNames(stored: StoredEvaluation, needsNotices: boolean): Promise<NameBook> {
  const e = stored.evaluation;
  const talkCadres = new Set(e.talkNotices.map((t) => t.cadreId));
  const problemRows = needsNotices
    ? e.problems.filter((p) => p.isNew || (talkCadres.has(p.cadreId) && p.state !== 'closed'))
    : [];
  const cadreIds = new Set<string>([
    ...(needsNotices ? [...talkCadres, ...problemRows.map((p) => p.cadreId)] : []),
    ...e.majorFailures.flatMap((m) => m.cadreIds),
    ...e.overdueDispatches.map((d) => d.cadreId),
    ...(needsNotices ? e.tiers.commended : []),
  ]);
  const villageIds = new Set<string>([
    ...problemRows.map((p) => p.villageId),
    ...e.majorFailures.map((m) => m.villageId),
    ...e.overdueDispatches.map((d) => d.villageId),
  ]);
  const townshipIds = [
    ...e.cadres.flatMap((c) => (c.townshipId ? [c.townshipId] : [])),
    ...e.effectiveness.townships.map((t) => t.townshipId),
    ...e.majorFailures.map((m) => m.townshipId),
  ];
  const [cadres, villages, townships, problems] = await Promise.all([
    getCadres([...cadreIds]),
    getVillages([...villageIds]),
    townshipNames(townshipIds),
    getProblems(problemRows.map((p) => p.problemId)),
  ]);
  const evaluated = new Map(e.cadres.map((c) => [c.cadreId, c.name]));
  return {
    cadres: new Map(
      [...new Set([...cadreIds, ...evaluated.keys()])].map((id) => {
        const c = cadres.get(id);
        return [id, { name: c?.name ?? evaluated.get(id) ?? id, unit: c?.unit }];
      }),
    ),
    villages: new Map([...villages.values()].map((v) => [v.id, v.name])),
    townships,
    problems: new Map([...problems.values()].map((p) => [p.id, p.description])),
    problemPhotos: await problemThumbnails([...problems.values()]),
  };
}

/** Thumbnails a notice shows per problem; more are on the problem's page. */
const NOTICE_PHOTOS_PER_PROBLEM = 3;

/**
 * The first thumbnails of each problem's photos as data: URLs: a notice is a file kept, mailed and
 * printed, where links to photos would expire (320 px thumbnails, a few KB to a few tens of KB each).
 * A photo that cannot be read is left out rather than holding the notice back.
 */
export async function problemThumbnails(
  problems: ReadonlyArray<{ id: string; photoIds?: readonly string[] | undefined }>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const wanted = problems.filter((p) => p.photoIds?.length);
  if (wanted.length === 0) return out;
  const files = await photoFiles();
  await Promise.all(
    wanted.map(async (p) => {
      const ids = (p.photoIds ?? []).slice(0, NOTICE_PHOTOS_PER_PROBLEM);
      const thumbs = await Promise.all(
        ids.map((id) => files.get(photoKeys.thumbnail(id)).catch(() => undefined)),
      );
      const urls = thumbs.flatMap((b) => (b ? [`data:image/jpeg;base64,${b.toString('base64')}`] : []));
      if (urls.length) out.set(p.id, urls);
    }),
  );
  return out;
}

/** "提醒谈话通知书-张三-2026-W47": safe in any file system once encoded for the download header. */
export function fileName(...parts: string[]): string {
  return [...parts.join('-')]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .slice(0, 120);
}

/** The rule set a week was judged by (its numbers and articles are printed), else version 1. */
async function ruleSetOf(version: number): Promise<RuleSet> {
  return (await getRuleSet(version)) ?? DEFAULT_RULE_SET;
}

/** The id of the rectification notice issued when an inspection recorded a cadre's problems. */
export function recordTimeNoticeId(inspectionId: string, cadreId: string): string {
  return derivedId('notice', 'rectificationNotice', 'inspection', inspectionId, cadreId);
}

/** Problems among `rows` whose rectification notice was issued when they were recorded. */
async function problemsWithNotice(rows: readonly ProblemRow[]): Promise<Set<string>> {
  const pairs = new Map<string, string[]>();
  for (const p of rows) {
    if (!p.inspectionId) continue;
    const id = recordTimeNoticeId(p.inspectionId, p.cadreId);
    pairs.set(id, [...(pairs.get(id) ?? []), p.problemId]);
  }
  const found = await Promise.all([...pairs.keys()].map((id) => getNotice(id)));
  return new Set([...pairs.values()].filter((_, i) => found[i]).flat());
}

export async function renderWeekDocuments(
  stored: StoredEvaluation,
  options: RenderOptions,
): Promise<{ bulletin: NoticeRecord; notices: NoticeRecord[] }> {
  const store = options.store ?? documentStore();
  const pdf = options.pdf === undefined ? defaultPdfRenderer() : options.pdf;
  const [settings, ruleSet] = await Promise.all([
    options.settings ?? currentDocumentSettings(),
    ruleSetOf(stored.ruleSetVersion),
  ]);
  const ctx = { now: options.now, store, pdf, agencyCode: settings.agencyCode };
  const e = stored.evaluation;
  const week = stored.week;
  const provisional = stored.provisional || stored.revision === 0;
  const issuedOn = beijingDate(options.now);
  const folder = `${week.slice(0, 4)}/${week.slice(5)}`;
  // The last seven evaluated weeks before this one, for the bulletin's tiers-over-weeks chart.
  const [names, earlier, sanctions] = await Promise.all([
    loadNames(stored, !provisional),
    listStoredEvaluations(8, undefined, { to: week }),
    // Sanctions on villages' quotas HQ approved this week (seed 000), listed in the bulletin.
    approvedInWeek(week),
  ]);
  const history = earlier.items.filter((h) => h.week < week);
  const byCadre = new Map(e.cadres.map((c) => [c.cadreId, c]));
  const noticeOptions = (number: string) => ({
    settings,
    rules: ruleSet,
    names,
    issue: { number, issuedOn },
  });
  const dates = weekDates(week);

  const bulletinNumber = async () => {
    if (provisional) return '暂定';
    // A revision keeps the issue number of the bulletin it replaces.
    const earlier = (await listDocumentsForWeek(week)).find(
      (r) => r.kind === 'bulletin' && (r.revision ?? 0) > 0,
    );
    return earlier?.number ?? takeNumber('bulletin', Number(issuedOn.slice(0, 4)), settings.agencyCode);
  };
  const bulletinPlan: Plan = {
    id: derivedId('notice', 'bulletin', week, String(stored.revision)),
    kind: 'bulletin',
    week,
    revision: stored.revision,
    // Numbered by issue, dated in Chinese: 干部包村工作督查周通报（2026年第12期，2026年11月23日至29日）.
    title: (number) =>
      `${settings.bulletinName}（${provisional ? '' : `${number}，`}${dates}${provisional ? '，暂定' : stored.revision > 1 ? `，修订${stored.revision}` : ''}）`,
    fileName: (number) =>
      fileName(
        '周通报',
        ...(provisional ? [] : [number]),
        dates,
        ...(provisional ? ['暂定'] : stored.revision > 1 ? [`修订${stored.revision}`] : []),
      ),
    folder,
    number: bulletinNumber,
    view: (number) =>
      bulletinView(e, {
        settings,
        rules: ruleSet,
        names,
        history,
        sanctions,
        revision: stored.revision,
        issue: { number, issuedOn },
      }),
  };

  const plans: Plan[] = [];
  if (!provisional) {
    for (const t of options.talkNotices === false ? [] : e.talkNotices) {
      const cadre = byCadre.get(t.cadreId) as CadreEvaluation;
      const label = `${TIER_LABELS[t.tier]}通知书`;
      plans.push({
        id: derivedId('notice', 'talkNotice', week, t.cadreId, t.tier),
        kind: 'talkNotice',
        week,
        cadreId: t.cadreId,
        revision: stored.revision,
        title: `${label}（${cadre.name}）`,
        fileName: fileName(label, cadre.name, dates),
        folder,
        view: (number) => talkNoticeView(e, cadre, t.tier, noticeOptions(number)),
      });
    }
    // A problem's notice is issued when it is recorded (issueRectificationNotice, at POST /inspections):
    // here only the week's new problems without one, and never a notice whose deadline has passed.
    const noticed = await problemsWithNotice(e.problems.filter((p) => p.isNew));
    const newByCadre = new Map<string, ProblemRow[]>();
    for (const p of e.problems) {
      if (!p.isNew || noticed.has(p.problemId) || p.rectifyBy < issuedOn) continue;
      const list = newByCadre.get(p.cadreId);
      if (list) list.push(p);
      else newByCadre.set(p.cadreId, [p]);
    }
    for (const [cadreId, problems] of [...newByCadre].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const cadre: CadreEvaluation =
        byCadre.get(cadreId) ??
        ({ cadreId, name: names.cadres.get(cadreId)?.name ?? cadreId } as CadreEvaluation);
      plans.push({
        id: derivedId('notice', 'rectificationNotice', week, cadreId),
        kind: 'rectificationNotice',
        week,
        cadreId,
        revision: stored.revision,
        title: `整改通知书（${cadre.name}）`,
        fileName: fileName('整改通知书', cadre.name, dates),
        folder,
        view: (number) => rectificationNoticeView(e, cadre, problems, noticeOptions(number)),
      });
    }
    for (const failure of e.majorFailures) {
      const first = failure.cadreIds[0];
      plans.push({
        id: derivedId('notice', 'criticismNotice', week, failure.id),
        kind: 'criticismNotice',
        week,
        ...(first ? { cadreId: first } : {}),
        subjectId: failure.id,
        revision: stored.revision,
        title: `通报批评（${failure.name}，${failure.occurredOn}）`,
        fileName: fileName('通报批评', failure.name, failure.occurredOn),
        folder,
        view: (number) => criticismNoticeView(e, failure, noticeOptions(number)),
      });
    }
    // 通报表扬: the week's commended cadres, one notice for the week.
    if (e.tiers.commended.length > 0) {
      plans.push({
        id: derivedId('notice', 'commendationNotice', week),
        kind: 'commendationNotice',
        week,
        revision: stored.revision,
        title: `通报表扬（${dates}，${e.tiers.commended.length}人）`,
        fileName: fileName('通报表扬', dates),
        folder,
        view: (number) => commendationNoticeView(e, noticeOptions(number)),
      });
    }
  }

  const [bulletin, ...notices] = await issueAll([bulletinPlan, ...plans], ctx);
  return { bulletin: bulletin!, notices };
}

/**
 * The appointment letter (任命书) for a village chief's assignment. Idempotent per assignment (the
 * record id derives from it). Hook: after POST /assignments creates a `chief` assignment, call this
 * (best from a queue or the daily job rather than inside the request, since Chromium takes a second).
 */
export async function renderAppointmentLetter(
  assignment: Pick<Assignment, 'id' | 'cadreId' | 'villageId' | 'townshipId' | 'from' | 'role'>,
  options: RenderOptions = { now: new Date() },
): Promise<NoticeRecord> {
  if (assignment.role !== 'chief') throw new RangeError('appointment letters are for chiefs (总队长) only');
  const store = options.store ?? documentStore();
  const pdf = options.pdf === undefined ? defaultPdfRenderer() : options.pdf;
  const settings = options.settings ?? (await currentDocumentSettings());
  const [cadre, village, township] = await Promise.all([
    getCadre(assignment.cadreId),
    getVillage(assignment.villageId),
    getTownship(assignment.townshipId),
  ]);
  const name = cadre?.name ?? assignment.cadreId;
  const issuedOn = beijingDate(options.now);
  const [record] = await issueAll(
    [
      {
        id: derivedId('notice', 'appointmentLetter', assignment.id),
        kind: 'appointmentLetter',
        cadreId: assignment.cadreId,
        subjectId: assignment.id,
        title: `任命书（${name}，${village?.name ?? assignment.villageId}）`,
        fileName: fileName('任命书', name, village?.name ?? assignment.villageId),
        folder: `appointments/${issuedOn.slice(0, 4)}`,
        view: (number) =>
          appointmentLetterView(
            {
              cadre: { name, unit: cadre?.unit ?? '' },
              village: village?.name ?? assignment.villageId,
              township: township?.name ?? '',
              from: assignment.from,
            },
            { settings, issue: { number, issuedOn } },
          ),
      },
    ],
    { now: options.now, store, pdf, agencyCode: settings.agencyCode },
  );
  return record!;
}

export interface RecordedProblems {
  inspectionId: string;
  /** The inspection's date (Beijing). */
  date: string;
  villageName: string;
  problems: ReadonlyArray<{
    id: string;
    cadreId: string;
    villageId: string;
    townshipId: string;
    severity: ProblemRow['severity'];
    description: string;
    foundOn: string;
    rectifyBy: string;
    photoIds?: readonly string[] | undefined;
  }>;
}

/**
 * 整改通知书 at the moment problems are recorded (POST /inspections): one per cadre of the inspection,
 * numbered in the rectification series, so its deadline is still ahead when it reaches the cadre.
 * Idempotent per inspection and cadre (recordTimeNoticeId); the weekly batch skips problems that
 * have one. HTML here (pass `pdf: null` in a request and hand the document to printing).
 */
export async function issueRectificationNotices(
  input: RecordedProblems,
  options: RenderOptions & { rules: RuleSet },
): Promise<NoticeRecord[]> {
  if (input.problems.length === 0) return [];
  const store = options.store ?? documentStore();
  const pdf = options.pdf === undefined ? defaultPdfRenderer() : options.pdf;
  const settings = options.settings ?? (await currentDocumentSettings());
  const issuedOn = beijingDate(options.now);
  const cadreIds = [...new Set(input.problems.map((p) => p.cadreId))].sort();
  const [cadres, photos] = await Promise.all([getCadres(cadreIds), problemThumbnails(input.problems)]);
  const names: NameBook = {
    cadres: new Map(
      cadreIds.map((id) => [id, { name: cadres.get(id)?.name ?? id, unit: cadres.get(id)?.unit }]),
    ),
    villages: new Map(input.problems.map((p) => [p.villageId, input.villageName])),
    townships: new Map(),
    problems: new Map(input.problems.map((p) => [p.id, p.description])),
    problemPhotos: photos,
  };
  const occasion = chineseDate(input.date);
  const plans: Plan[] = cadreIds.map((cadreId) => {
    const name = names.cadres.get(cadreId)?.name ?? cadreId;
    const rows: ProblemRow[] = input.problems
      .filter((p) => p.cadreId === cadreId)
      .map((p) => ({
        problemId: p.id,
        cadreId,
        villageId: p.villageId,
        townshipId: p.townshipId,
        inspectionId: input.inspectionId,
        severity: p.severity,
        foundOn: p.foundOn,
        rectifyBy: p.rectifyBy,
        state: 'open',
        falseRectifications: 0,
        closedAt: null,
        isNew: true,
        color: null,
        colorReason: null,
        daysLeft: 0,
        daysOverdue: 0,
      })) as unknown as ProblemRow[];
    return {
      id: recordTimeNoticeId(input.inspectionId, cadreId),
      kind: 'rectificationNotice',
      cadreId,
      subjectId: input.inspectionId,
      title: `整改通知书（${name}，${occasion}）`,
      fileName: fileName('整改通知书', name, occasion),
      folder: `rectifications/${issuedOn.slice(0, 4)}`,
      view: (number) =>
        rectificationNoticeView({ week: '', sunday: input.date }, { cadreId, name }, rows, {
          settings,
          rules: options.rules,
          names,
          issue: { number, issuedOn },
          occasion,
        }),
    };
  });
  return issueAll(plans, { now: options.now, store, pdf, agencyCode: settings.agencyCode });
}

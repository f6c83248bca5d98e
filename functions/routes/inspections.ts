import { auditItem } from '../adapters/dynamo/audit.ts';
import * as store from '../adapters/dynamo/inspections.ts';
import { cadreProblemsSince, getProblems } from '../adapters/dynamo/problems.ts';
import { getVillage } from '../adapters/dynamo/roster.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import { derivedId, newId } from '../core/ids.ts';
import {
  INSPECTION_MODE_LABELS,
  type InspectionPlan,
  inspectionDateIssues,
  planInspection,
  referenceIssues,
} from '../core/inspections.ts';
import { categoryIssue, problemCategoriesOf } from '../core/problem-categories.ts';
import { flagRepeats, repeatRuleOf, repeatWindowStart } from '../core/rules/repeats.ts';
import { DEFAULT_RULE_SET, type RuleSet, selectRuleSet } from '../core/rules/rule-set.ts';
import { beijingDate } from '../core/time.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { type AuditEntry, created, defineRoute, ok, type RequestContext } from '../http/route.ts';
import { announce, newProblemNews } from '../jobs/news-events.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  type CreateInspection,
  createInspection,
  type Finding,
  type Inspection,
  type InspectionSummary,
  inspection,
  inspectionListQuery,
  inspectionPage,
} from '../schemas/inspections.ts';
import type { PhotoRef } from '../schemas/photos.ts';
import type { Problem } from '../schemas/problems.ts';
import { searchByName } from './name-search.ts';
import { checkPhotos, claimPhotos, photoRefsFor } from './photo-claims.ts';
import { listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireTownship, scopeOf } from './scope.ts';

/** Inspections (督查): inspectors record them; admins and inspectors read them. */
const TAGS = ['inspections'];
const INVALID = '请求内容有误，请按提示修改';

/** With an Idempotency-Key the ids are derived from it, so a re-run after a crash writes the same items. */
function idsFor(ctx: RequestContext) {
  const key = ctx.idempotencyKey;
  if (key === undefined) return { inspectionId: newId(ctx.now), problemId: () => newId(ctx.now) };
  const sub = ctx.actor.sub;
  return {
    inspectionId: derivedId(sub, key, 'inspection'),
    problemId: (i: number, j: number) => derivedId(sub, key, 'problem', String(i), String(j)),
  };
}

async function auditAll(ctx: RequestContext, entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 25) {
    await Promise.all(entries.slice(i, i + 25).map((e) => ctx.audit(e)));
  }
}

function toRecord(body: CreateInspection, plan: InspectionPlan, townshipId: string, ctx: RequestContext) {
  const now = ctx.now.toISOString();
  const header: InspectionSummary = {
    id: plan.id,
    villageId: body.villageId,
    townshipId,
    date: body.date,
    mode: body.mode,
    modeLabel: INSPECTION_MODE_LABELS[body.mode],
    ...(body.note ? { note: body.note } : {}),
    problemIds: plan.problemIds,
    findingCount: plan.findings.length,
    presentCount: plan.presentCount,
    absentCount: plan.absentCount,
    uncheckedCount: plan.uncheckedCount,
    commendCount: plan.commendCount,
    problemCount: plan.problems.length,
    recordedBy: ctx.actor.sub,
    ...(ctx.actor.name ? { recordedByName: ctx.actor.name } : {}),
    createdAt: now,
  };
  const problems: Problem[] = plan.problems.map((p) => ({
    ...p,
    inspectionId: plan.id,
    villageId: body.villageId,
    townshipId,
    status: 'open',
    falseRectifications: 0,
    // The creating inspection counts as the problem's first event.
    lastEventId: plan.id,
    createdAt: now,
    updatedAt: now,
  }));
  const findings: store.StoredFinding[] = plan.findings.map((f, position) => ({
    inspectionId: plan.id,
    position,
    cadreId: f.cadreId,
    present: f.present,
    presence: f.presence,
    commend: f.commend,
    ...(f.dispatchId !== undefined ? { dispatchId: f.dispatchId } : {}),
    ...(f.note !== undefined ? { note: f.note } : {}),
    problemIds: f.problemIds,
    villageId: body.villageId,
    townshipId,
    date: body.date,
    mode: body.mode,
  }));
  return { header, findings, problems };
}

/**
 * The trail for a new inspection: the inspection and each problem it opened. Written alongside the
 * items, before the header; a re-run after a crash in between writes it again (at least once, never lost).
 */
function auditEntries(body: CreateInspection, record: ReturnType<typeof toRecord>): AuditEntry[] {
  return [
    {
      entityType: 'inspection',
      entityId: record.header.id,
      action: 'create',
      changes: {
        villageId: body.villageId,
        townshipId: record.header.townshipId,
        date: body.date,
        mode: body.mode,
        findings: record.findings.map((f) => ({
          cadreId: f.cadreId,
          present: f.present,
          presence: f.presence,
          commend: f.commend,
          dispatchId: f.dispatchId,
          problemIds: f.problemIds,
        })),
      },
    },
    ...record.problems.map((p) => ({
      entityType: 'problem',
      entityId: p.id,
      action: 'create',
      changes: {
        inspectionId: p.inspectionId,
        cadreId: p.cadreId,
        villageId: p.villageId,
        severity: p.severity,
        foundOn: p.foundOn,
        rectifyBy: p.rectifyBy,
        description: p.description,
        ...(p.category !== undefined ? { category: p.category } : {}),
        ...(p.source !== undefined ? { source: p.source } : {}),
        ...(p.absence ? { absence: true } : {}),
        ...(p.repeat ? { repeat: p.repeat } : {}),
      },
    })),
  ];
}

function withFindings(
  header: InspectionSummary,
  findings: store.StoredFinding[],
  problems: Map<string, Problem>,
  photos: Map<string, PhotoRef> = new Map(),
): Inspection {
  return {
    ...header,
    findings: findings.map(
      (f): Finding => ({
        cadreId: f.cadreId,
        present: f.present,
        ...(f.presence ? { presence: f.presence } : {}),
        commend: f.commend,
        ...(f.dispatchId !== undefined ? { dispatchId: f.dispatchId } : {}),
        ...(f.note !== undefined ? { note: f.note } : {}),
        problemIds: f.problemIds,
        problems: f.problemIds.flatMap((id) => {
          const p = problems.get(id);
          return p
            ? [
                {
                  id: p.id,
                  description: p.description,
                  severity: p.severity,
                  ...(p.category !== undefined ? { category: p.category } : {}),
                  ...(p.source !== undefined ? { source: p.source, sourceLabel: p.sourceLabel } : {}),
                  ...(p.absence ? { absence: true } : {}),
                  ...(p.repeat ? { repeat: p.repeat } : {}),
                  rectifyBy: p.rectifyBy,
                  status: p.status,
                  falseRectifications: p.falseRectifications,
                  ...(p.photoIds?.length
                    ? {
                        photoIds: p.photoIds,
                        photos: p.photoIds.flatMap((pid) => photos.get(pid) ?? []),
                      }
                    : {}),
                },
              ]
            : [];
        }),
      }),
    ),
  };
}

/**
 * Repeat flags (core/rules/repeats.ts): each categorized problem against its cadre's own problems of
 * the window, read by key; problems of this inspection never count (a retry finds its own).
 */
async function flagRecordRepeats(problems: Problem[], date: string, rules: RuleSet): Promise<void> {
  const rule = repeatRuleOf(rules);
  const cadreIds = [...new Set(problems.filter((p) => p.category).map((p) => p.cadreId))];
  if (cadreIds.length === 0 || rule.withinWeeks <= 0) return;
  const from = repeatWindowStart(date, rule);
  const stored = (await Promise.all(cadreIds.map((id) => cadreProblemsSince(id, from)))).flat();
  const flags = flagRepeats(problems, stored, rule);
  for (const p of problems) {
    const repeat = flags.get(p.id);
    if (repeat) p.repeat = repeat;
  }
}

export const inspectionsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/inspections',
    summary: '录入督查结果（明查、暗访、抽查），按干部记录在岗情况与问题',
    tags: TAGS,
    roles: ['inspector'],
    body: createInspection,
    responses: { 201: inspection, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      // 1. The date must not be in the future (Beijing) and every id named must be on record.
      const dispatchIds = [...new Set(body.findings.flatMap((f) => (f.dispatchId ? [f.dispatchId] : [])))];
      const ids = idsFor(ctx);
      const [refs, alreadyWritten, ruleSets] = await Promise.all([
        store.loadReferences(
          body.villageId,
          body.findings.map((f) => f.cadreId),
          dispatchIds,
        ),
        // Only a re-run with the same Idempotency-Key can find its inspection already there.
        ctx.firstAttempt ? false : store.inspectionExists(ids.inspectionId),
        // The default deadlines by severity are the rule set's for the day inspected (rules are data).
        listRuleSets(),
      ]);
      const village = refs.village;
      const issues = [
        ...inspectionDateIssues(body.date, beijingDate(ctx.now)),
        ...referenceIssues(body, {
          village: village !== undefined,
          cadreIds: refs.cadreIds,
          dispatchIds: refs.dispatchIds,
        }),
      ];

      // 2. Plan the facts (core), with ids a retry reproduces.
      const rules = selectRuleSet(ruleSets, body.date) ?? DEFAULT_RULE_SET;
      const plan = planInspection(body, ids, rules.rectificationDays);
      // Categories are the rule set's for the day inspected (core/problem-categories.ts).
      const categories = problemCategoriesOf(rules);
      body.findings.forEach((f, i) => {
        f.problems.forEach((p, j) => {
          const issue = categoryIssue(p.category, categories, `body.findings.${i}.problems.${j}.category`);
          if (issue) issues.push(issue);
        });
      });

      // Every photo checked and decoded before anything is written (photo-claims.ts); nothing is
      // written if one is refused.
      const photoGroups = body.findings.flatMap((f, i) =>
        f.problems.flatMap((p, j) => {
          const problemId = plan.findings[i]?.problemIds[j];
          return p.photoIds?.length && problemId
            ? [
                {
                  path: `body.findings.${i}.problems.${j}.photoIds`,
                  ids: p.photoIds,
                  problemId,
                  cadreId: f.cadreId,
                },
              ]
            : [];
        }),
      );
      const photos = photoGroups.length
        ? await checkPhotos(
            ctx.actor,
            'problem',
            photoGroups,
            new Map(photoGroups.flatMap((g) => g.ids.map((id) => [id, g.problemId] as const))),
          )
        : undefined;
      issues.push(...(photos?.issues ?? []));
      if (issues.length || !village) throw new ValidationError(INVALID, { fields: issues });

      const record = toRecord(body, plan, village.townshipId, ctx);
      await flagRecordRepeats(record.problems, body.date, rules);
      const photoIdsOf = new Map(photoGroups.map((g) => [g.problemId, [...g.ids]]));
      for (const p of record.problems) {
        const own = photoIdsOf.get(p.id);
        if (own) p.photoIds = own;
      }
      const audits = auditEntries(body, record);
      if (photos) {
        await claimPhotos(
          photos,
          photoGroups.map((g) => ({
            ids: g.ids,
            claimRef: g.problemId,
            subject: { kind: 'problem' as const, id: g.problemId, cadreId: g.cadreId },
          })),
          ctx,
        );
      }

      // 3. First attempt: one batch. A re-run after a crash writes children (conditionally) and their
      // audit trail first, then the header that makes the inspection visible, so a listed inspection is
      // complete; one that already wrote the header writes nothing.
      if (ctx.firstAttempt) {
        await store.writeNewInspection(
          record,
          audits.map((e) => auditItem(ctx.auditRecord(e))),
        );
      } else if (!alreadyWritten) {
        await Promise.all([store.writeInspectionDetails(record), auditAll(ctx, audits)]);
        await store.writeInspectionHeader(record.header);
      }

      // 4. Tell each cadre of their new problems at once (docs/news.md): keyed by the inspection, so
      //    a retry tells nobody twice; the emails leave after the answer.
      const news = newProblemNews({
        inspectionId: record.header.id,
        date: body.date,
        modeLabel: record.header.modeLabel,
        villageName: village.name,
        createdAt: record.header.createdAt,
        problems: record.problems,
      });
      await Promise.all(news.map((n) => announce(n, ctx.log)));

      // 5. The rectification notice (整改通知书) now, while its deadline is ahead: HTML here, the PDF
      //    printed by the jobs function (as for talks); loaded on demand, idempotent per cadre.
      if (record.problems.length) {
        const { issueRectificationNotices } = await import('../jobs/render-week-documents.ts');
        const { handOffPrinting } = await import('../jobs/print-hand-off.ts');
        const notices = await issueRectificationNotices(
          {
            inspectionId: record.header.id,
            date: body.date,
            villageName: village.name,
            problems: record.problems,
          },
          { now: ctx.now, pdf: null, rules },
        );
        for (const n of notices) await handOffPrinting({ documentId: n.id }, ctx.log);
      }

      const problems = new Map(record.problems.map((p) => [p.id, p]));
      const photoRefs = await photoRefsFor(
        photoGroups.flatMap((g) => g.ids),
        ctx.now,
      );
      return created(
        withFindings(record.header, record.findings, problems, new Map(photoRefs.map((r) => [r.id, r]))),
      );
    },
  }),
  listRoute({
    path: '/inspections',
    summary:
      '督查记录列表（可按村、乡镇、干部、督查方式、日期范围筛选，可按干部姓名或村名查找，最新在前；乡镇和县级领导只看所辖乡镇的）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader'],
    query: inspectionListQuery,
    page: inspectionPage,
    errors: [400, 403],
    async list({ limit, next, q, ...filter }, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // A township's staff or a leader: the inspections held in their township (a village named
        // elsewhere is 403, not an empty page).
        if (filter.villageId) requireTownship(scope, (await getVillage(filter.villageId))?.townshipId);
        filter.townshipId = listedTownship(scope, filter.townshipId);
      }
      return store.listInspections(filter, limit, next, await searchByName(q));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/inspections/{id}',
    summary: '督查记录详情（含每名干部的在岗情况与问题现状；乡镇和县级领导看所辖乡镇的）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader'],
    params: idParams,
    responses: { 200: inspection, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const found = await store.getInspection(params.id);
      if (!found) throw new NotFoundError('督查记录不存在');
      requireTownship(await scopeOf(ctx.actor, ctx.now), found.header.townshipId);
      const problems = await getProblems(found.header.problemIds ?? []);
      const refs = await photoRefsFor(
        [...problems.values()].flatMap((p) => p.photoIds ?? []),
        ctx.now,
      );
      return ok(withFindings(found.header, found.findings, problems, new Map(refs.map((r) => [r.id, r]))));
    },
  }),
];

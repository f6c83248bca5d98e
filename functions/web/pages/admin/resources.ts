import type { ApiClient } from '../../../client/api-client.ts';
import { SANCTION_KINDS } from '../../../core/quotas.ts';
import { beijingDate } from '../../../core/time.ts';
import {
  ALLOCATION_STATUS_LABELS,
  ALLOCATION_STATUSES,
  type Allocation,
  type QuotaLine,
  SANCTION_KIND_LABELS,
  SANCTION_STATUS_LABELS,
  SANCTION_STATUSES,
  type Sanction,
} from '../../../schemas/resources.ts';
import { resourceForms } from '../../forms/admin-resources.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDate, shortDateTime, signer } from '../../view/format.ts';
import { ADMIN, doneFlags, filterState, listPage, pager, queryOf, statusOf } from './lists.ts';
import { villageProblemsHref } from './records.ts';

/**
 * HQ: the team leader's powers (seed 000, docs/quotas.md). 资源分配 — the chiefs' proposals, filtered,
 * each decided on its own page (分配 with a quantity, or 不分配); 配额台账 — the quotas per village and
 * period, what was granted and what sanctions took off; 约束措施 — sanctions proposed by chiefs, approved
 * or rejected with a note; 资源种类 — the county's list of resources. And the village's page, where a
 * village's colour, quota ledger, sanctions and proposals meet. Everything through the API.
 */
const ALLOCATIONS = '/app/admin/allocations';
const SANCTIONS = '/app/admin/sanctions';
const QUOTAS = '/app/admin/quotas';
const KINDS = '/app/admin/resource-kinds';
const VILLAGES = '/app/admin/villages';
/** Spare blank rows on the resource kinds form (no script needed to add one). */
const SPARE_KIND_ROWS = 2;

const enc = encodeURIComponent;
export const villageHref = (id: string) => `${VILLAGES}/${enc(id)}`;
export const quotasHref = (villageId: string) => `${QUOTAS}?villageId=${enc(villageId)}`;
const allocationHref = (id: string) => `${ALLOCATIONS}/${enc(id)}`;
const sanctionHref = (id: string) => `${SANCTIONS}/${enc(id)}`;

const ALLOCATION_STATUS_OPTIONS = ALLOCATION_STATUSES.map((s) => ({
  value: s,
  label: ALLOCATION_STATUS_LABELS[s],
}));
const SANCTION_STATUS_OPTIONS = SANCTION_STATUSES.map((s) => ({
  value: s,
  label: SANCTION_STATUS_LABELS[s],
}));
const KIND_OPTIONS = SANCTION_KINDS.map((k) => ({ value: k, label: SANCTION_KIND_LABELS[k] }));
const DECISION_OPTIONS = [
  { value: 'grant', label: '分配' },
  { value: 'decline', label: '不分配' },
];

/** Which tab of the area's tab bar a page is. */
const tabs = (current: 'allocations' | 'quotas' | 'sanctions' | 'kinds') => ({
  allocations: current === 'allocations',
  quotas: current === 'quotas',
  sanctions: current === 'sanctions',
  kinds: current === 'kinds',
});

/** 1 234.5 吨: the quantity as people read it, with the resource's unit. */
const amount = (n: number | null | undefined, unit: string) =>
  n === null || n === undefined
    ? ''
    : `${n.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} ${unit}`.trim();
const percent = (share: number | null) => (share === null ? '' : `${Math.round(share * 1000) / 10}%`);
const thisMonth = (now: Date) => beijingDate(now).slice(0, 7);

function allocationRow(a: Allocation, names: Places) {
  return {
    id: a.id,
    href: allocationHref(a.id),
    village: a.villageName,
    villageHref: villageHref(a.villageId),
    township: names.township(a.townshipId),
    kind: a.resourceKindName,
    period: a.period,
    priority: a.priority,
    requested: amount(a.requestedQuantity, a.unit),
    granted: amount(a.grantedQuantity, a.unit),
    note: a.note,
    status: a.statusLabel,
    proposed: a.status === 'proposed',
    isGranted: a.status === 'granted',
    proposedBy: signer(a.proposedByName, '总队长'),
    proposedAt: shortDateTime(a.proposedAt),
    decidedBy: signer(a.decidedByName, '指挥部'),
    decidedAt: shortDateTime(a.decidedAt),
    decisionNote: a.decisionNote ?? '',
  };
}

function sanctionRow(s: Sanction, names: Places) {
  return {
    id: s.id,
    href: sanctionHref(s.id),
    village: s.villageName,
    villageHref: villageHref(s.villageId),
    township: names.township(s.townshipId),
    kind: s.kindLabel,
    share: percent(s.share),
    from: shortDate(s.from),
    to: shortDate(s.to),
    reason: s.reason,
    majorFailure: s.majorFailureName ?? '',
    cites: s.directReportId !== null,
    status: s.statusLabel,
    proposed: s.status === 'proposed',
    approved: s.status === 'approved',
    proposedBy: signer(s.proposedByName, '总队长'),
    proposedAt: shortDateTime(s.proposedAt),
    decidedBy: signer(s.decidedByName, '指挥部'),
    decidedAt: shortDateTime(s.decidedAt),
    decisionNote: s.decisionNote ?? '',
  };
}

function ledgerRows(lines: QuotaLine[], names: Places) {
  return lines.map((l) => ({
    village: l.villageName,
    villageHref: villageHref(l.villageId),
    township: names.township(l.townshipId),
    kind: l.resourceKindName,
    period: l.period,
    granted: amount(l.granted, l.unit),
    deducted: l.deducted > 0 ? amount(l.deducted, l.unit) : '',
    suspended: l.suspended,
    reduced: l.deducted > 0,
    quota: amount(l.quota, l.unit),
    entries: l.entries.map((e) => ({
      label: e.label,
      at: shortDateTime(e.at),
      quantity: `${e.quantity > 0 ? '+' : ''}${amount(e.quantity, l.unit)}`,
      negative: e.quantity < 0,
      reason: e.reason ?? '',
      href: e.sanctionId ? sanctionHref(e.sanctionId) : e.allocationId ? allocationHref(e.allocationId) : '',
    })),
  }));
}

async function kindOptions(api: ApiClient) {
  const kinds = await api.get('/resource-kinds');
  return [...kinds.kinds, ...kinds.retired].map((k) => ({ value: k.id, label: k.name }));
}

// ---------------------------------------------------------------------------------------------------
// 资源分配

async function allocationsView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['status', 'townshipId', 'period', 'resourceKind', 'villageId']);
  const [names, list, kinds] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/allocations', filters, input.query.get('next')),
    kindOptions(ctx.api),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/resources/allocations',
    '资源分配',
    {
      tabs: tabs('allocations'),
      filter: {
        error: list.error,
        status: field(state, 'status'),
        statuses: choices(state, 'status', ALLOCATION_STATUS_OPTIONS),
        townshipId: field(state, 'townshipId'),
        townships: choices(
          state,
          'townshipId',
          names.townships.map((t) => ({ value: t.id, label: t.name })),
        ),
        period: field(state, 'period'),
        resourceKind: field(state, 'resourceKind'),
        kinds: choices(state, 'resourceKind', kinds),
        villageId: filters.villageId ?? '',
        village: filters.villageId ? names.village(filters.villageId) : '',
      },
      rows: list.items.map((a) => allocationRow(a, names)),
      pager: pager(ALLOCATIONS, filters, list.next, input.query),
    },
    { nav: 'resources' },
  );
}

async function allocationView(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  refused?: FormState,
  status?: number,
) {
  const [a, names] = await Promise.all([
    ctx.api.get('/allocations/{id}', { params: { id } }),
    placeNames(ctx.api),
  ]);
  const form =
    refused ??
    freshForm({
      decision: 'grant',
      quantity: a.requestedQuantity === null ? undefined : String(a.requestedQuantity),
    });
  return page(
    'admin/resources/allocation',
    `资源分配建议：${a.villageName}`,
    {
      tabs: tabs('allocations'),
      done: doneFlags(query, ['decided']),
      allocation: { ...allocationRow(a, names), unit: a.unit, quotasHref: quotasHref(a.villageId) },
      action: `${allocationHref(a.id)}/decide`,
      form: formView(form),
      fields: {
        decision: field(form, 'decision'),
        decisions: choices(form, 'decision', DECISION_OPTIONS),
        quantity: field(form, 'quantity'),
        note: field(form, 'note'),
      },
    },
    { nav: 'resources', ...statusOf(status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// 约束措施

async function sanctionsView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['status', 'townshipId', 'villageId']);
  const [names, list] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/sanctions', filters, input.query.get('next')),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/resources/sanctions',
    '约束措施',
    {
      tabs: tabs('sanctions'),
      filter: {
        error: list.error,
        status: field(state, 'status'),
        statuses: choices(state, 'status', SANCTION_STATUS_OPTIONS),
        townshipId: field(state, 'townshipId'),
        townships: choices(
          state,
          'townshipId',
          names.townships.map((t) => ({ value: t.id, label: t.name })),
        ),
        villageId: filters.villageId ?? '',
        village: filters.villageId ? names.village(filters.villageId) : '',
      },
      rows: list.items.map((s) => sanctionRow(s, names)),
      pager: pager(SANCTIONS, filters, list.next, input.query),
    },
    { nav: 'resources' },
  );
}

/**
 * 提出约束 (POST /sanctions): HQ proposes a cut or a suspension of a village's quota, citing a verified
 * violation report when there is one; it then waits for approval like a chief's. `villageId` and
 * `directReportId` in the query fill the form from a village's or a report's page.
 */
async function sanctionForm(ctx: PageContext, query: URLSearchParams, state?: FormState, status?: number) {
  const [names, violations] = await Promise.all([
    placeNames(ctx.api),
    ctx.api.get('/direct-reports', { query: { kind: 'violation', limit: 50 } }),
  ]);
  const today = beijingDate(ctx.now);
  const form =
    state ??
    freshForm({
      villageId: query.get('villageId') ?? '',
      directReportId: query.get('directReportId') ?? '',
      kind: 'reduce',
      from: today,
      to: `${today.slice(0, 7)}-${String(new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0)).getUTCDate()).padStart(2, '0')}`,
    });
  return page(
    'admin/resources/sanction-new',
    '提出约束',
    {
      tabs: tabs('sanctions'),
      form: formView(form),
      action: SANCTIONS,
      fields: {
        villageId: field(form, 'villageId'),
        villages: names.townships.map((t) => ({
          label: t.name,
          options: choices(
            form,
            'villageId',
            names.villages.filter((v) => v.townshipId === t.id).map((v) => ({ value: v.id, label: v.name })),
          ),
        })),
        kind: field(form, 'kind'),
        kinds: choices(form, 'kind', KIND_OPTIONS),
        share: field(form, 'share'),
        from: field(form, 'from'),
        to: field(form, 'to'),
        reason: field(form, 'reason'),
        directReportId: field(form, 'directReportId'),
        reports: choices(
          form,
          'directReportId',
          violations.items.map((r) => ({
            value: r.id,
            label: `${names.village(r.villageId)}：${r.summary}（${shortDate(r.createdAt.slice(0, 10))}）`,
          })),
        ),
      },
    },
    { nav: 'resources', ...statusOf(status) },
  );
}

interface RefusedSanction {
  form: 'approve' | 'reject';
  state: FormState;
  status: number;
}

async function sanctionView(ctx: PageContext, id: string, query: URLSearchParams, refused?: RefusedSanction) {
  const [s, names] = await Promise.all([
    ctx.api.get('/sanctions/{id}', { params: { id } }),
    placeNames(ctx.api),
  ]);
  const report = s.directReportId
    ? await ctx.api.call('GET', '/direct-reports/{id}', { params: { id: s.directReportId } })
    : undefined;
  const verification = s.directReportId
    ? await ctx.api.call('GET', '/direct-reports/{id}/verification', { params: { id: s.directReportId } })
    : undefined;
  const approve = refused?.form === 'approve' ? refused.state : freshForm();
  const reject = refused?.form === 'reject' ? refused.state : freshForm();
  const base = sanctionHref(s.id);
  return page(
    'admin/resources/sanction',
    `约束：${s.villageName}`,
    {
      tabs: tabs('sanctions'),
      done: doneFlags(query, ['proposed', 'approved', 'rejected']),
      sanction: { ...sanctionRow(s, names), quotasHref: quotasHref(s.villageId) },
      report:
        report?.ok === true
          ? {
              summary: report.body.summary,
              at: shortDateTime(report.body.createdAt),
              href: `/app/admin/direct-reports/${enc(report.body.id)}`,
            }
          : null,
      verification:
        verification?.ok === true
          ? {
              verdict: verification.body.verdictLabel,
              confirmed: verification.body.verdict === 'confirmed',
              note: verification.body.note,
              by: signer(verification.body.verifiedByName, '督查组'),
              at: shortDateTime(verification.body.verifiedAt),
            }
          : null,
      approve: { action: `${base}/approve`, form: formView(approve), note: field(approve, 'note') },
      // Both forms have a `note`: the rejection's gets ids of its own (labels stay unique).
      reject: {
        action: `${base}/reject`,
        form: formView(reject),
        note: { ...field(reject, 'note'), id: 'f-reject-note', errorId: 'f-reject-note-error' },
      },
    },
    { nav: 'resources', ...statusOf(refused?.status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// 配额台账

async function quotasView(input: PageInput, ctx: PageContext) {
  const asked = queryOf(input.query, ['villageId', 'period', 'townshipId', 'resourceKind']);
  // The county's ledger of this month unless a village or a period is asked for.
  const filters = asked.villageId || asked.period ? asked : { ...asked, period: thisMonth(ctx.now) };
  const [names, kinds, res] = await Promise.all([
    placeNames(ctx.api),
    kindOptions(ctx.api),
    ctx.api.call('GET', '/quotas', { query: filters }),
  ]);
  const errors = res.ok
    ? []
    : res.status === 400
      ? (res.error.fields ?? []).map((f) => ({
          name: f.path.replace(/^query\.?/, ''),
          code: f.code,
          message: f.message,
        }))
      : undefined;
  if (!res.ok && errors === undefined) {
    const { ApiCallError } = await import('../../../client/api-client.ts');
    throw new ApiCallError(res.status, res.error, 'GET /quotas');
  }
  const state = filterState(filters, errors ?? []);
  const ledger = res.ok ? res.body : { items: [], sanctions: [] };
  return page(
    'admin/resources/quotas',
    '配额台账',
    {
      tabs: tabs('quotas'),
      filter: {
        error: res.ok ? '' : res.error.message,
        period: field(state, 'period'),
        townshipId: field(state, 'townshipId'),
        townships: choices(
          state,
          'townshipId',
          names.townships.map((t) => ({ value: t.id, label: t.name })),
        ),
        resourceKind: field(state, 'resourceKind'),
        kinds: choices(state, 'resourceKind', kinds),
        villageId: filters.villageId ?? '',
        village: filters.villageId ? names.village(filters.villageId) : '',
        villageHref: filters.villageId ? villageHref(filters.villageId) : '',
      },
      lines: ledgerRows(ledger.items, names),
      sanctions: ledger.sanctions.map((s) => sanctionRow(s, names)),
    },
    { nav: 'resources' },
  );
}

// ---------------------------------------------------------------------------------------------------
// 资源种类

async function kindsView(ctx: PageContext, query: URLSearchParams, refused?: FormState, status?: number) {
  const current = await ctx.api.get('/resource-kinds');
  const initial: Record<string, string> = {};
  current.kinds.forEach((k, i) => {
    initial[`kinds.${i}.id`] = k.id;
    initial[`kinds.${i}.name`] = k.name;
    initial[`kinds.${i}.unit`] = k.unit;
  });
  const form = refused ?? freshForm(initial);
  // As many rows as were shown (or typed), plus spare blank rows.
  const typed = [...form.values.keys()]
    .map((n) => /^kinds\.(\d+)\./.exec(n)?.[1])
    .filter((i): i is string => i !== undefined)
    .map(Number);
  const count = Math.max(current.kinds.length, typed.length ? Math.max(...typed) + 1 : 0) + SPARE_KIND_ROWS;
  const rows = Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    id: field(form, `kinds.${i}.id`),
    name: field(form, `kinds.${i}.name`),
    unit: field(form, `kinds.${i}.unit`),
  }));
  return page(
    'admin/resources/kinds',
    '资源种类',
    {
      tabs: tabs('kinds'),
      done: doneFlags(query, ['saved']),
      version: String(current.version),
      form: formView(form),
      listError: field(form, 'kinds').error,
      rows,
      retired: current.retired.map((k) => ({ name: k.name, unit: k.unit })),
      updatedAt: shortDateTime(current.updatedAt),
    },
    { nav: 'resources', ...statusOf(status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// The village's page

async function villageView(ctx: PageContext, id: string) {
  const [village, names, quotas, sanctions, proposals] = await Promise.all([
    ctx.api.get('/villages/{id}', { params: { id } }),
    placeNames(ctx.api),
    ctx.api.get('/quotas', { query: { villageId: id } }),
    ctx.api.get('/sanctions', { query: { villageId: id, limit: 50 } }),
    ctx.api.get('/allocations', { query: { villageId: id, limit: 50 } }),
  ]);
  return page(
    'admin/resources/village',
    village.name,
    {
      village: {
        name: village.name,
        township: names.township(village.townshipId),
        category: village.categoryLabel,
        color: village.color,
        colorLabel: village.colorLabel,
        colorChange: village.colorChangeLabel,
        reasons: village.colorReasons.map((r) => r.label),
        problemsHref: villageProblemsHref(village.id),
        quotasHref: quotasHref(village.id),
        allocationsHref: `${ALLOCATIONS}?villageId=${enc(village.id)}`,
        sanctionsHref: `${SANCTIONS}?villageId=${enc(village.id)}`,
      },
      lines: ledgerRows(quotas.items, names),
      sanctions: sanctions.items.map((s) => sanctionRow(s, names)),
      proposals: proposals.items.map((a) => allocationRow(a, names)),
    },
    { nav: 'resources' },
  );
}

function versionOf(input: PageInput): string | undefined {
  const value = input.form.find(([n]) => n === '_version')?.[1]?.trim();
  return value ? `"${value}"` : undefined;
}

function sanctionStep(action: 'approve' | 'reject', done: string): PageDef {
  return definePage({
    method: 'POST',
    path: `${SANCTIONS}/{id}/${action}`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: resourceForms[`sanction-${action}`],
        path: `/sanctions/{id}/${action}`,
        params: { id: input.params.id! },
        success: () => `${sanctionHref(input.params.id!)}?done=${done}`,
        refused: (state, status) =>
          sanctionView(ctx, input.params.id!, new URLSearchParams(), { form: action, state, status }),
      }),
  });
}

export const resourcePages: PageDef[] = [
  definePage({ method: 'GET', path: ALLOCATIONS, roles: ADMIN, handle: allocationsView }),
  definePage({
    method: 'GET',
    path: `${ALLOCATIONS}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) => allocationView(ctx, input.params.id!, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${ALLOCATIONS}/{id}/decide`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: resourceForms['allocation-decide'],
        path: '/allocations/{id}/decide',
        params: { id: input.params.id! },
        success: () => `${allocationHref(input.params.id!)}?done=decided`,
        refused: (state, status) =>
          allocationView(ctx, input.params.id!, new URLSearchParams(), state, status),
      }),
  }),
  definePage({ method: 'GET', path: SANCTIONS, roles: ADMIN, handle: sanctionsView }),
  definePage({
    method: 'GET',
    path: `${SANCTIONS}/new`,
    roles: ADMIN,
    handle: (input, ctx) => sanctionForm(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: SANCTIONS,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: resourceForms['sanction-propose'],
        path: '/sanctions',
        success: (s) => `${sanctionHref(s.id)}?done=proposed`,
        refused: (state, status) => sanctionForm(ctx, new URLSearchParams(), state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: `${SANCTIONS}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) => sanctionView(ctx, input.params.id!, input.query),
  }),
  sanctionStep('approve', 'approved'),
  sanctionStep('reject', 'rejected'),
  definePage({ method: 'GET', path: QUOTAS, roles: ADMIN, handle: quotasView }),
  definePage({
    method: 'GET',
    path: KINDS,
    roles: ADMIN,
    handle: (input, ctx) => kindsView(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: KINDS,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: resourceForms['resource-kinds'],
        method: 'PUT',
        path: '/resource-kinds',
        ifMatch: versionOf(input),
        success: () => `${KINDS}?done=saved`,
        refused: (state, status) => kindsView(ctx, new URLSearchParams(), state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: `${VILLAGES}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) => villageView(ctx, input.params.id!),
  }),
];

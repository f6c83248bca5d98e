import { TALK_STATUS_LABELS, TALK_STATUSES, TALK_TIER_LABELS, TALK_TIERS } from '../../../core/talks.ts';
import { beijingDateTime } from '../../../core/time.ts';
import type { Talk } from '../../../schemas/talks.ts';
import { talkForms } from '../../forms/admin-talks.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';
import { ADMIN, doneFlags, filterState, listPage, pager, queryOf, statusOf } from './lists.ts';
import { cadreHref } from './records.ts';

/**
 * HQ: talks (提醒谈话 / 诫勉谈话, docs/talks.md). The list waits with the proposed ones first (last
 * week's proposals to approve), filtered by week, status and township; each talk's page carries its
 * history and the forms its status allows: approve, change the tier (with the reason), waive, record
 * the talk held; and the county setting "approval needed".
 */
const BASE = '/app/admin/talks';
const STATUS_OPTIONS = TALK_STATUSES.map((s) => ({ value: s, label: TALK_STATUS_LABELS[s] }));
const TIER_OPTIONS = TALK_TIERS.map((t) => ({ value: t, label: TALK_TIER_LABELS[t] }));

function row(t: Talk, names: Places) {
  return {
    id: t.id,
    href: `${BASE}/${encodeURIComponent(t.id)}`,
    cadre: t.cadreName,
    cadreHref: cadreHref(t.cadreId),
    township: names.township(t.townshipId),
    week: t.week,
    tier: t.tierLabel,
    changed: t.tier !== t.proposedTier,
    status: t.statusLabel,
    proposed: t.status === 'proposed',
    number: t.notice?.number ?? '',
    dueBy: t.dueBy ? shortDate(t.dueBy) : '',
    overdue: t.overdue,
  };
}

async function listView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['week', 'status', 'townshipId']);
  const [names, list, settings] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/talks', filters, input.query.get('next')),
    ctx.api.get('/settings/talks'),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/talks/list',
    '谈话',
    {
      filter: {
        error: list.error,
        week: field(state, 'week'),
        status: field(state, 'status'),
        statuses: choices(state, 'status', STATUS_OPTIONS),
        townshipId: field(state, 'townshipId'),
        townships: choices(
          state,
          'townshipId',
          names.townships.map((t) => ({ value: t.id, label: t.name })),
        ),
      },
      rows: list.items.map((t) => row(t, names)),
      pager: pager(BASE, filters, list.next, input.query),
      settings: { approvalRequired: settings.approvalRequired, holdWithinDays: settings.holdWithinDays },
      done: doneFlags(input.query, ['settings']),
    },
    { nav: 'talks' },
  );
}

interface Refused {
  form: 'approve' | 'change' | 'waive' | 'record';
  state: FormState;
  status: number;
}

async function detailView(ctx: PageContext, id: string, query: URLSearchParams, refused?: Refused) {
  const t = await ctx.api.get('/talks/{id}', { params: { id } });
  const [names, roster] = await Promise.all([
    placeNames(ctx.api),
    ctx.api.all('/cadres', { query: {} }, 2000),
  ]);
  const stateOf = (form: Refused['form'], initial: Record<string, string> = {}) =>
    refused?.form === form ? refused.state : freshForm(initial);
  const change = stateOf('change', { tier: t.tier === 'reminderTalk' ? 'admonishmentTalk' : 'reminderTalk' });
  const waive = stateOf('waive');
  const record = stateOf('record', {
    heldAt: beijingDateTime(ctx.now).replace(' ', 'T'),
    place: '县包村工作指挥部会议室',
  });
  const approve = stateOf('approve');
  const chosen = new Set(record.values.get('conductorIds') ?? []);
  return page(
    'admin/talks/detail',
    `${t.tierLabel}：${t.cadreName}`,
    {
      done: doneFlags(query, ['approved', 'changed', 'waived', 'recorded']),
      talk: {
        ...row(t, names),
        explanation: t.explanation,
        proposedTier: TALK_TIER_LABELS[t.proposedTier],
        proposedAt: shortDateTime(t.proposedAt),
        changes: t.changes.map((c) => ({
          from: TALK_TIER_LABELS[c.from],
          to: TALK_TIER_LABELS[c.to],
          reason: c.reason,
          by: c.byName ?? c.by,
          at: shortDateTime(c.at),
        })),
        approval: t.approval
          ? {
              by: t.approval.automatic ? '考评时自动批准' : (t.approval.byName ?? t.approval.by),
              at: shortDateTime(t.approval.at),
            }
          : null,
        waiver: t.waiver
          ? { by: t.waiver.byName ?? t.waiver.by, at: shortDateTime(t.waiver.at), reason: t.waiver.reason }
          : null,
        noticeHref: t.notice?.notifiedAt ? `${BASE}/${encodeURIComponent(t.id)}/notice` : '',
        record: t.record
          ? {
              heldAt: shortDateTime(t.record.heldAt),
              place: t.record.place,
              conductors: t.record.conductorNames.join('、'),
              notes: t.record.notes,
              href: t.record.download ? `${BASE}/${encodeURIComponent(t.id)}/record` : '',
            }
          : null,
        acknowledgement: t.acknowledgement
          ? { at: shortDateTime(t.acknowledgement.at), statement: t.acknowledgement.statement ?? '' }
          : null,
      },
      can: {
        decide: t.status === 'proposed' || t.status === 'approved',
        change: t.status === 'proposed',
        record: t.status === 'notified',
      },
      base: `${BASE}/${encodeURIComponent(t.id)}`,
      approve: { form: formView(approve) },
      change: {
        form: formView(change),
        tier: field(change, 'tier'),
        tiers: choices(change, 'tier', TIER_OPTIONS),
        reason: field(change, 'reason'),
      },
      // Two forms on the page have a `reason`: this one gets ids of its own (labels stay unique).
      waive: {
        form: formView(waive),
        reason: { ...field(waive, 'reason'), id: 'f-waive-reason', errorId: 'f-waive-reason-error' },
      },
      record: {
        form: formView(record),
        heldAt: field(record, 'heldAt'),
        place: field(record, 'place'),
        conductorIds: field(record, 'conductorIds'),
        conductors: roster.map((c) => ({
          value: c.id,
          label: `${c.name}（${c.unit}）`,
          selected: chosen.has(c.id),
        })),
        notes: field(record, 'notes'),
      },
    },
    { nav: 'talks', ...statusOf(refused?.status) },
  );
}

function step(action: 'approve' | 'change' | 'waive' | 'record', done: string): PageDef {
  const form = talkForms[`talk-${action}`];
  const path = `/talks/{id}/${action}` as const;
  return definePage({
    method: 'POST',
    path: `${BASE}/{id}/${action}`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form,
        path,
        params: { id: input.params.id! },
        success: () => `${BASE}/${encodeURIComponent(input.params.id!)}?done=${done}`,
        refused: (state, status) =>
          detailView(ctx, input.params.id!, new URLSearchParams(), { form: action, state, status }),
      }),
  });
}

function relay(document: 'notice' | 'record'): PageDef {
  const path = document === 'notice' ? '/talks/{id}/notice' : '/talks/{id}/record-document';
  return definePage({
    method: 'GET',
    path: `${BASE}/{id}/${document}`,
    roles: ADMIN,
    async handle(input, ctx) {
      const res = await ctx.api.relay('GET', path, {
        params: { id: input.params.id! },
        query: { format: input.query.get('format') ?? undefined },
      });
      if (res.status >= 400) {
        const { ApiCallError, errorOf } = await import('../../../client/api-client.ts');
        throw new ApiCallError(res.status, errorOf(res.body), `GET ${path}`);
      }
      return { type: 'raw', result: res.raw };
    },
  });
}

export const talkPages: PageDef[] = [
  definePage({ method: 'GET', path: BASE, roles: ADMIN, handle: listView }),
  definePage({
    method: 'POST',
    path: `${BASE}/settings`,
    roles: ADMIN,
    formPage: BASE,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: talkForms['talk-settings'],
        method: 'PUT',
        path: '/settings/talks',
        success: () => `${BASE}?done=settings`,
        refused: () => listView({ ...input, query: new URLSearchParams() }, ctx),
      }),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) => detailView(ctx, input.params.id!, input.query),
  }),
  step('approve', 'approved'),
  step('change', 'changed'),
  step('waive', 'waived'),
  step('record', 'recorded'),
  relay('notice'),
  relay('record'),
];

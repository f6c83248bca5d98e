import { ApiCallError, errorOf } from '../../client/api-client.ts';
import type { Talk } from '../../schemas/talks.ts';
import { cadreForms } from '../forms/cadre.ts';
import { type FormState, field, formView, freshForm } from '../forms/state.ts';
import { definePage, type PageContext, type PageResult, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDate, shortDateTime } from '../view/format.ts';

/**
 * The cadre's talk (提醒谈话 / 诫勉谈话, docs/talks.md): the decision and the notice to download, the
 * record once the talk is held, and the acknowledgement form (表态), which like every cadre form goes
 * through the device's outbox with no signal. The downloads relay the API's own routes, which let
 * the cadre have their own documents and nobody else's.
 */
const ROLES = ['cadre'] as const;
const BASE = '/app/cadre/talks';

export function cadreTalkRow(t: Talk) {
  const href = `${BASE}/${encodeURIComponent(t.id)}`;
  return {
    id: t.id,
    href,
    week: t.week,
    tierLabel: t.tierLabel,
    statusLabel: t.statusLabel,
    status: t.status,
    number: t.notice?.number ?? '',
    noticeHref: t.notice?.notifiedAt ? `${href}/notice` : '',
    recordHref: t.record?.download ? `${href}/record` : '',
    dueBy: t.dueBy ? shortDate(t.dueBy) : '',
    overdue: t.overdue,
    needsAcknowledgement: t.status === 'held',
  };
}

async function talkPage(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  state?: FormState,
  status?: number,
) {
  const t = await ctx.api.get('/talks/{id}', { params: { id } });
  const form = state ?? freshForm();
  return page(
    'cadre/talk',
    `${t.tierLabel}`,
    {
      talk: {
        ...cadreTalkRow(t),
        explanation: t.explanation,
        approvedAt: t.approval ? shortDateTime(t.approval.at) : '',
        approvedBy: t.approval
          ? t.approval.automatic
            ? '考评自动批准'
            : (t.approval.byName ?? '指挥部')
          : '',
        heldAt: t.record ? shortDateTime(t.record.heldAt) : '',
        place: t.record?.place ?? '',
        conductors: t.record?.conductorNames.join('、') ?? '',
        notes: t.record?.notes ?? '',
        statement: t.acknowledgement?.statement ?? '',
        acknowledgedAt: t.acknowledgement ? shortDateTime(t.acknowledgement.at) : '',
      },
      done: { acknowledged: query.get('done') === 'acknowledged' },
      action: `${BASE}/${encodeURIComponent(t.id)}/acknowledge`,
      form: formView(form),
      fields: { statement: field(form, 'statement') },
    },
    { nav: 'standing', ...(status ? { status } : {}) },
  );
}

async function relay(
  ctx: PageContext,
  path: '/talks/{id}/notice' | '/talks/{id}/record-document',
  id: string,
  format: string | null,
): Promise<PageResult> {
  const res = await ctx.api.relay('GET', path, {
    params: { id },
    query: { format: format ?? undefined },
  });
  if (res.status >= 400) throw new ApiCallError(res.status, errorOf(res.body), `GET ${path}`);
  return { type: 'raw', result: res.raw };
}

export const cadreTalkPages = [
  definePage({
    method: 'GET',
    path: `${BASE}/{id}`,
    roles: ROLES,
    handle: (input, ctx) => talkPage(ctx, input.params.id!, input.query),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}/notice`,
    roles: ROLES,
    handle: (input, ctx) => relay(ctx, '/talks/{id}/notice', input.params.id!, input.query.get('format')),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}/record`,
    roles: ROLES,
    handle: (input, ctx) =>
      relay(ctx, '/talks/{id}/record-document', input.params.id!, input.query.get('format')),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/acknowledge`,
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['talk-acknowledge'],
        path: '/talks/{id}/acknowledge',
        params: { id: input.params.id! },
        success: () => `${BASE}/${encodeURIComponent(input.params.id!)}?done=acknowledged`,
        refused: (state, status) => talkPage(ctx, input.params.id!, new URLSearchParams(), state, status),
      }),
  }),
];

import type { HandoffListItem } from '../../schemas/direct-reports.ts';
import { cadreForms } from '../forms/cadre.ts';
import { type FormState, field, formView, freshForm } from '../forms/state.ts';
import { placeNames } from '../lookups.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDate, shortDateTime } from '../view/format.ts';

/**
 * Direct reports handed to my unit (转办, docs/direct-reports.md): a cadre of a county department or a
 * township's committee sees what HQ handed to their unit, with the deadline (red once passed), and
 * replies on the phone; like every cadre form the reply goes through the device's outbox with no signal.
 */
const ROLES = ['cadre'] as const;
const BASE = '/app/cadre/handoffs';

async function handoffsPage(
  ctx: PageContext,
  query: URLSearchParams,
  refused?: { id: string; state: FormState },
  status?: number,
) {
  const [list, names] = await Promise.all([
    ctx.api.get('/direct-report-handoffs', { query: { limit: 50 } }),
    placeNames(ctx.api),
  ]);
  const row = (h: HandoffListItem) => {
    const form = refused?.id === h.id ? refused.state : freshForm();
    return {
      summary: h.summary,
      kind: h.kindLabel,
      village: names.village(h.villageId),
      township: names.township(h.townshipId),
      unit: h.unitName,
      note: h.note,
      deadline: shortDate(h.deadline),
      at: shortDateTime(h.createdAt),
      overdue: h.overdue,
      replied: h.repliedAt !== undefined,
      reply: h.reply ?? '',
      repliedAt: shortDateTime(h.repliedAt),
      action: `${BASE}/${encodeURIComponent(h.directReportId)}/${encodeURIComponent(h.id)}/reply`,
      form: formView(form),
      fields: { reply: field(form, 'reply') },
    };
  };
  const rows = list.items.map(row);
  return page(
    'cadre/handoffs',
    '转办事项',
    {
      open: rows.filter((r) => !r.replied),
      replied: rows.filter((r) => r.replied),
      done: { replied: query.get('done') === 'replied' },
    },
    { nav: 'direct', ...(status ? { status } : {}) },
  );
}

export const cadreHandoffPages = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) => handoffsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/{handoffId}/reply`,
    roles: ROLES,
    formPage: BASE,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['handoff-reply'],
        path: '/direct-reports/{id}/handoffs/{handoffId}/reply',
        params: { id: input.params.id!, handoffId: input.params.handoffId! },
        success: () => `${BASE}?done=replied`,
        refused: (state, status) =>
          handoffsPage(ctx, new URLSearchParams(), { id: input.params.handoffId!, state }, status),
      }),
  }),
];

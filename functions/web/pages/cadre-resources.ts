import { SANCTION_KINDS } from '../../core/quotas.ts';
import { beijingDate } from '../../core/time.ts';
import { type Allocation, SANCTION_KIND_LABELS } from '../../schemas/resources.ts';
import { cadreForms } from '../forms/cadre.ts';
import { choices, type FormState, field, formView, freshForm } from '../forms/state.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDateTime, signer } from '../view/format.ts';

/**
 * The chief's 资源协调建议权 (seed 000, docs/quotas.md) on the phone: propose which of the villages
 * they lead comes first for a named resource this month (priority 1 is the most urgent), and see
 * HQ's decision on each proposal. The form goes through the device's outbox like every cadre form.
 */
const ROLES = ['cadre'] as const;
const BASE = '/app/cadre/allocations';
const SANCTIONS = '/app/cadre/sanctions';

const amount = (n: number | null, unit: string) =>
  n === null ? '' : `${n.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} ${unit}`.trim();

function row(a: Allocation) {
  return {
    village: a.villageName,
    kind: a.resourceKindName,
    period: a.period,
    priority: a.priority,
    requested: amount(a.requestedQuantity, a.unit),
    granted: amount(a.grantedQuantity, a.unit),
    note: a.note,
    status: a.statusLabel,
    proposed: a.status === 'proposed',
    isGranted: a.status === 'granted',
    at: shortDateTime(a.proposedAt),
    decidedBy: signer(a.decidedByName, '指挥部'),
    decidedAt: shortDateTime(a.decidedAt),
    decisionNote: a.decisionNote ?? '',
  };
}

async function allocationsPage(ctx: PageContext, query: URLSearchParams, state?: FormState, status?: number) {
  const cadreId = ctx.session!.cadreId;
  const [assignments, kinds, mine] = await Promise.all([
    ctx.api.all('/assignments', { query: { cadreId, active: 'true' } }, 100),
    ctx.api.get('/resource-kinds'),
    ctx.api.get('/allocations', { query: { limit: 50 } }),
  ]);
  // A proposal is the chief's: the villages whose team this cadre leads.
  const led = [...new Set(assignments.filter((a) => a.role === 'chief').map((a) => a.villageId))];
  const villages = await Promise.all(led.map((id) => ctx.api.get('/villages/{id}', { params: { id } })));
  const form =
    state ??
    freshForm({
      resourceKind: kinds.kinds[0]?.id,
      period: beijingDate(ctx.now).slice(0, 7),
      villageId: villages[0]?.id,
      priority: '1',
    });
  return page(
    'cadre/allocations',
    '资源分配建议',
    {
      leads: villages.length > 0,
      done: { proposed: query.get('done') === 'proposed' },
      form: formView(form),
      fields: {
        resourceKind: field(form, 'resourceKind'),
        kinds: choices(
          form,
          'resourceKind',
          kinds.kinds.map((k) => ({ value: k.id, label: `${k.name}（${k.unit}）` })),
        ),
        period: field(form, 'period'),
        villageId: field(form, 'villageId'),
        villages: choices(
          form,
          'villageId',
          villages.map((v) => ({ value: v.id, label: v.name })),
        ),
        priority: field(form, 'priority'),
        quantity: field(form, 'quantity'),
        note: field(form, 'note'),
      },
      rows: mine.items.map(row),
    },
    { nav: 'home', ...(status ? { status } : {}) },
  );
}

/**
 * The chief's 约束 (docs/quotas.md): propose cutting or suspending the quota of a village they lead,
 * for a verified violation or a major failure; HQ approves or rejects. Beside the form, the sanctions
 * of the villages they lead, with HQ's decision.
 */
async function sanctionsPage(ctx: PageContext, query: URLSearchParams, state?: FormState, status?: number) {
  const cadreId = ctx.session!.cadreId;
  const assignments = await ctx.api.all('/assignments', { query: { cadreId, active: 'true' } }, 100);
  const led = [...new Set(assignments.filter((a) => a.role === 'chief').map((a) => a.villageId))];
  const [villages, lists] = await Promise.all([
    Promise.all(led.map((id) => ctx.api.get('/villages/{id}', { params: { id } }))),
    Promise.all(led.map((villageId) => ctx.api.get('/sanctions', { query: { villageId, limit: 20 } }))),
  ]);
  const today = beijingDate(ctx.now);
  const form = state ?? freshForm({ villageId: villages[0]?.id, kind: 'reduce', from: today, to: today });
  const rows = lists
    .flatMap((l) => l.items)
    .sort((a, b) => b.proposedAt.localeCompare(a.proposedAt))
    .map((s) => ({
      village: s.villageName,
      kind: s.kindLabel,
      share: s.share === null ? '' : `${Math.round(s.share * 1000) / 10}%`,
      from: s.from,
      to: s.to,
      reason: s.reason,
      status: s.statusLabel,
      proposed: s.status === 'proposed',
      approved: s.status === 'approved',
      at: shortDateTime(s.proposedAt),
    }));
  return page(
    'cadre/sanctions',
    '提出约束',
    {
      leads: villages.length > 0,
      done: { proposed: query.get('done') === 'proposed' },
      form: formView(form),
      fields: {
        villageId: field(form, 'villageId'),
        villages: choices(
          form,
          'villageId',
          villages.map((v) => ({ value: v.id, label: v.name })),
        ),
        kind: field(form, 'kind'),
        kinds: choices(
          form,
          'kind',
          SANCTION_KINDS.map((k) => ({ value: k, label: SANCTION_KIND_LABELS[k] })),
        ),
        share: field(form, 'share'),
        from: field(form, 'from'),
        to: field(form, 'to'),
        reason: field(form, 'reason'),
      },
      rows,
    },
    { nav: 'home', ...(status ? { status } : {}) },
  );
}

export const cadreResourcePages = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) => allocationsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['allocation-propose'],
        path: '/allocations',
        success: () => `${BASE}?done=proposed`,
        refused: (state, status) => allocationsPage(ctx, new URLSearchParams(), state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: SANCTIONS,
    roles: ROLES,
    handle: (input, ctx) => sanctionsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: SANCTIONS,
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['sanction-propose'],
        path: '/sanctions',
        success: () => `${SANCTIONS}?done=proposed`,
        refused: (state, status) => sanctionsPage(ctx, new URLSearchParams(), state, status),
      }),
  }),
];

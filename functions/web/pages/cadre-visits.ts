import type { ApiClient } from '../../client/api-client.ts';
import { beijingDateTime } from '../../core/time.ts';
import { FAR_FROM_VILLAGE_METERS } from '../../core/visits.ts';
import type { Visit } from '../../schemas/visits.ts';
import { cadreForms } from '../forms/cadre.ts';
import { choices, type FormState, field, formView, freshForm, ticked } from '../forms/state.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDate, shortDateTime } from '../view/format.ts';

/**
 * The cadre's visit page (驻村记录): the form (village, time — now by default —, 在村住宿, note, and
 * the phone's location when the person allows it: the page's script fills three hidden fields), the
 * result of the last one (far from the village or not), the last visits and the four weeks' totals.
 * Without JavaScript the form posts without a location; offline it goes through the device's outbox.
 */
const ROLES = ['cadre'] as const;

/** `datetime-local` value in Beijing time: 2026-11-24T18:30. */
function localNow(now: Date): string {
  return beijingDateTime(now).replace(' ', 'T');
}

async function myVillages(api: ApiClient, cadreId: string) {
  const assignments = await api.all('/assignments', { query: { cadreId, active: 'true' } }, 100);
  const ids = [...new Set(assignments.map((a) => a.villageId))];
  const villages = await Promise.all(ids.map((id) => api.get('/villages/{id}', { params: { id } })));
  return villages.map((v) => ({ id: v.id, name: v.name, located: v.location !== undefined }));
}

function visitRow(v: Visit, names: Map<string, string>) {
  return {
    id: v.id,
    villageName: names.get(v.villageId) ?? v.villageId,
    at: shortDateTime(v.at),
    overnight: v.overnight,
    located: v.location !== null,
    measured: v.distanceMeters !== null,
    far: v.far,
    km: v.distanceMeters === null ? '' : (v.distanceMeters / 1000).toFixed(1),
    note: v.note ?? '',
  };
}

async function visitsPage(
  ctx: PageContext,
  query: URLSearchParams,
  state: FormState | undefined,
  status?: number,
) {
  const id = ctx.session!.cadreId;
  const [villages, recent, summary] = await Promise.all([
    myVillages(ctx.api, id),
    ctx.api.get('/visits', { query: { cadreId: id, limit: 10 } }),
    ctx.api.get('/visits/summary', { query: { cadreId: id } }),
  ]);
  const names = new Map(villages.map((v) => [v.id, v.name]));
  const form = state ?? freshForm({ villageId: villages[0]?.id, at: localNow(ctx.now) });
  const rows = recent.items.map((v) => visitRow(v, names));
  const justRecorded =
    query.get('done') === 'visit' ? rows.find((r) => r.id === query.get('visit')) : undefined;
  return page(
    'cadre/visits',
    '驻村记录',
    {
      hasVillages: villages.length > 0,
      form: formView(form),
      fields: {
        villageId: field(form, 'villageId'),
        villages: choices(
          form,
          'villageId',
          villages.map((v) => ({ value: v.id, label: v.name })),
        ),
        at: field(form, 'at'),
        overnight: field(form, 'overnight'),
        overnightTicked: ticked(form, 'overnight'),
        note: field(form, 'note'),
        photoIds: field(form, 'photoIds'),
        lat: field(form, 'location.lat'),
        lng: field(form, 'location.lng'),
        accuracy: field(form, 'location.accuracy'),
      },
      farKm: FAR_FROM_VILLAGE_METERS / 1000,
      done: { visit: query.get('done') === 'visit', recorded: justRecorded ?? null },
      recent: rows,
      summary: {
        from: shortDate(summary.from),
        to: shortDate(summary.to),
        visits: summary.visits,
        nights: summary.nights,
        far: summary.far,
        villages: summary.villages,
      },
    },
    { nav: 'home', ...(status ? { status } : {}) },
  );
}

export const cadreVisitPages = [
  definePage({
    method: 'GET',
    path: '/app/cadre/visits',
    roles: ROLES,
    handle: (input, ctx) => visitsPage(ctx, input.query, undefined),
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/visits',
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms.visit,
        path: '/visits',
        success: (visit) => `/app/cadre/visits?done=visit&visit=${encodeURIComponent(visit.id)}`,
        refused: (state, status) => visitsPage(ctx, new URLSearchParams(), state, status),
      }),
  }),
];

import { addDays, isoWeekOf, isoWeekOfInstant, isoWeekRange } from '../../../core/time.ts';
import { choices, field } from '../../forms/state.ts';
import { placeNames } from '../../lookups.ts';
import type { PageContext } from '../../route.ts';
import { definePage, type PageDef, type PageInput, page } from '../../route.ts';
import { weekLabel } from '../../view/evaluation.ts';
import { shortDateTime } from '../../view/format.ts';
import { ADMIN, filterState, listPage, pager, queryOf } from './lists.ts';

/**
 * HQ: the cadres' visits to their villages (驻村记录), newest first, filtered by cadre, village and
 * week (GET /visits, which reads the narrowest index for the filters given), with nights stayed and
 * the visits recorded far from the village marked.
 */
const BASE = '/app/admin/visits';
/** The weeks offered in the filter: this one and the eleven before it. */
const WEEKS_OFFERED = 12;
const CADRES_MAX = 5000;

const enc = encodeURIComponent;

async function visitsView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['cadreId', 'villageId', 'week']);
  const [names, cadres, list] = await Promise.all([
    placeNames(ctx.api),
    ctx.api.all('/cadres', {}, CADRES_MAX),
    listPage(ctx.api, '/visits', filters, input.query.get('next')),
  ]);
  const cadreName = new Map(cadres.map((c) => [c.id, c.name]));
  const thisMonday = isoWeekRange(isoWeekOfInstant(ctx.now)).monday;
  const weeks = Array.from({ length: WEEKS_OFFERED }, (_, i) => isoWeekOf(addDays(thisMonday, -7 * i)));
  const state = filterState(filters, list.errors);
  return page(
    'admin/visits/index',
    '驻村记录',
    {
      filter: {
        error: list.error,
        cadreId: field(state, 'cadreId'),
        cadres: choices(
          state,
          'cadreId',
          [...cadres]
            .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
            .map((c) => ({ value: c.id, label: c.name })),
        ),
        villageId: field(state, 'villageId'),
        villages: choices(
          state,
          'villageId',
          names.villages.map((v) => ({ value: v.id, label: `${v.name}（${names.township(v.townshipId)}）` })),
        ),
        week: field(state, 'week'),
        weeks: choices(
          state,
          'week',
          weeks.map((w) => ({ value: w, label: weekLabel(w) })),
        ),
      },
      rows: list.items.map((v) => ({
        at: shortDateTime(v.at),
        cadre: cadreName.get(v.cadreId) ?? v.cadreId,
        cadreHref: `/app/admin/cadres/${enc(v.cadreId)}`,
        village: names.village(v.villageId),
        villageHref: `/app/admin/villages/${enc(v.villageId)}`,
        township: names.township(v.townshipId),
        overnight: v.overnight,
        located: v.location !== null,
        far: v.far,
        distance: v.distanceMeters === null ? '' : (v.distanceMeters / 1000).toFixed(1),
        note: v.note ?? '',
        photos: v.photoIds.length,
      })),
      pager: pager(BASE, filters, list.next, input.query),
    },
    { nav: 'roster' },
  );
}

export const visitPages: PageDef[] = [
  definePage({ method: 'GET', path: BASE, roles: ADMIN, handle: visitsView }),
];

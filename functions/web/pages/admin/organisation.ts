import { UNIT_KIND_LABELS, UNIT_KINDS } from '../../../schemas/organisation.ts';
import { organisationForms } from '../../forms/admin-organisation.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { placeNames } from '../../lookups.ts';
import { type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { townshipOptions } from '../../view/places.ts';
import { formPost, getPage } from './form-pages.ts';
import {
  ADMIN,
  doneFlags,
  exportFilters,
  filterState,
  IMPORT_PAGE,
  listPage,
  pager,
  queryOf,
  statusOf,
} from './lists.ts';

/**
 * HQ's organisation pages, beside the roster: units (单位), the county leaders of a township (包镇)
 * with their history, districts (片区) and the departments covering them (包片).
 */
const BASE = '/app/admin/roster';
const tabs = (current: string) => ({ current, importHref: IMPORT_PAGE });
const kindOptions = UNIT_KINDS.map((k) => ({ value: k, label: UNIT_KIND_LABELS[k] }));
const enc = encodeURIComponent;

async function departmentOptions(ctx: PageContext) {
  const units = await ctx.api.all('/units', { query: { kind: 'department' } }, 2000);
  return units.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }));
}

// ---------------------------------------------------------------------------------------------
// Units

async function unitsPage(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['kind', 'townshipId']);
  const [names, list] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/units', filters, input.query.get('next'), 100),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/organisation/units',
    '单位',
    {
      tabs: tabs('units'),
      done: doneFlags(input.query, ['unit']),
      filter: {
        error: list.error,
        kind: field(state, 'kind'),
        kinds: choices(state, 'kind', kindOptions),
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
      },
      rows: list.items.map((u) => ({
        id: u.id,
        name: u.name,
        kind: u.kindLabel,
        township: names.township(u.townshipId),
        cadresHref: `${BASE}/cadres?unitId=${enc(u.id)}`,
      })),
      pager: pager(`${BASE}/units`, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
    },
    { nav: 'roster' },
  );
}

async function unitForm(ctx: PageContext, state: FormState | undefined, status?: number) {
  const names = await placeNames(ctx.api);
  const form = state ?? freshForm({ kind: 'department' });
  return page(
    'admin/organisation/unit-new',
    '新增单位',
    {
      tabs: tabs('units'),
      form: formView(form),
      fields: {
        id: field(form, 'id'),
        name: field(form, 'name'),
        kind: field(form, 'kind'),
        kinds: choices(form, 'kind', kindOptions),
        townshipId: field(form, 'townshipId'),
        townships: choices(form, 'townshipId', townshipOptions(names)),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

// ---------------------------------------------------------------------------------------------
// County leaders of a township

async function leadersPage(ctx: PageContext, townshipId: string, state?: FormState, status?: number) {
  const [township, history, cadres] = await Promise.all([
    ctx.api.get('/townships/{id}', { params: { id: townshipId } }),
    ctx.api.all('/townships/{id}/leaders', { params: { id: townshipId } }, 500),
    ctx.api.all('/cadres', { query: { rank: 'county' } }, 2000),
  ]);
  const byId = new Map(cadres.map((c) => [c.id, c]));
  const form = state ?? freshForm();
  const action = `${BASE}/townships/${enc(townshipId)}/leaders`;
  return page(
    'admin/organisation/leaders',
    `${township.name}包镇领导`,
    {
      tabs: tabs('townships'),
      township: { id: township.id, name: township.name },
      uncovered: !history.some((l) => l.active),
      rows: [...history].reverse().map((l) => ({
        cadre: byId.get(l.cadreId)?.name ?? l.cadreId,
        cadreId: l.cadreId,
        unit: byId.get(l.cadreId)?.unit ?? '',
        from: l.from,
        to: l.to ?? '',
        active: l.active,
        endReason: l.endReason ?? '',
        endAction: `${action}/${enc(l.id)}/end`,
      })),
      action,
      form: formView(form),
      fields: {
        cadreId: field(form, 'cadreId'),
        cadres: choices(
          form,
          'cadreId',
          cadres.map((c) => ({ value: c.id, label: `${c.name}（${c.id} · ${c.unit}）` })),
        ),
        from: field(form, 'from'),
        note: field(form, 'note'),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

// ---------------------------------------------------------------------------------------------
// Districts

async function districtsPage(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['townshipId']);
  const [names, list, units] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/districts', filters, input.query.get('next')),
    ctx.api.all('/units', { query: { kind: 'department' } }, 2000),
  ]);
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const state = filterState(filters, list.errors);
  return page(
    'admin/organisation/districts',
    '片区',
    {
      tabs: tabs('districts'),
      done: doneFlags(input.query, ['district']),
      filter: {
        error: list.error,
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
      },
      rows: list.items.map((d) => ({
        id: d.id,
        name: d.name,
        township: names.township(d.townshipId),
        villages: d.villageIds.map((v) => names.village(v)).join('、'),
        villageCount: d.villageIds.length,
        department: d.unitId ? (unitName.get(d.unitId) ?? d.unitId) : '',
        active: d.active,
        from: d.from,
        to: d.to ?? '',
        href: `${BASE}/districts/${enc(d.id)}`,
      })),
      pager: pager(`${BASE}/districts`, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
    },
    { nav: 'roster' },
  );
}

async function districtForm(ctx: PageContext, state: FormState | undefined, status?: number) {
  const [names, departments] = await Promise.all([placeNames(ctx.api), departmentOptions(ctx)]);
  const form = state ?? freshForm();
  const picked = new Set(form.values.get('villageIds') ?? []);
  const villageErrors = form.errors.filter(
    (e) => e.name === 'villageIds' || e.name.startsWith('villageIds.'),
  );
  return page(
    'admin/organisation/district-new',
    '新增片区',
    {
      tabs: tabs('districts'),
      form: formView(form),
      fields: {
        id: field(form, 'id'),
        name: field(form, 'name'),
        townshipId: field(form, 'townshipId'),
        townships: choices(form, 'townshipId', townshipOptions(names)),
        unitId: field(form, 'unitId'),
        units: choices(form, 'unitId', departments),
        from: field(form, 'from'),
        villages: field(form, 'villageIds'),
        villageError: villageErrors.map((e) => e.message).join('；'),
      },
      villageGroups: names.townships.map((t) => ({
        name: t.name,
        villages: names.villages
          .filter((v) => v.townshipId === t.id)
          .map((v) => ({ id: v.id, name: v.name, checked: picked.has(v.id), inputId: `village-${v.id}` })),
      })),
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

async function districtPage(
  ctx: PageContext,
  id: string,
  state?: { form: 'department' | 'end'; state: FormState },
  status?: number,
) {
  const [d, names, departments] = await Promise.all([
    ctx.api.get('/districts/{id}', { params: { id } }),
    placeNames(ctx.api),
    departmentOptions(ctx),
  ]);
  const unitName = new Map(departments.map((u) => [u.value, u.label]));
  const change = state?.form === 'department' ? state.state : freshForm();
  const end = state?.form === 'end' ? state.state : freshForm();
  return page(
    'admin/organisation/district',
    `片区：${d.name}`,
    {
      tabs: tabs('districts'),
      district: {
        id: d.id,
        name: d.name,
        township: names.township(d.townshipId),
        villages: d.villageIds.map((v) => names.village(v)),
        active: d.active,
        from: d.from,
        to: d.to ?? '',
        endReason: d.endReason ?? '',
        uncovered: d.active && !d.unitId,
      },
      departments: [...d.departments].reverse().map((x) => ({
        unit: unitName.get(x.unitId) ?? x.unitId,
        from: x.from,
        to: x.to ?? '',
        running: x.to === null,
      })),
      departmentAction: `${BASE}/districts/${enc(id)}/department`,
      endAction: `${BASE}/districts/${enc(id)}/end`,
      change: {
        form: formView(change),
        unitId: field(change, 'unitId', d.unitId ?? ''),
        units: choices(change, 'unitId', departments, d.unitId ?? ''),
        from: field(change, 'from'),
        reason: field(change, 'reason'),
      },
      // Two forms on one page: the end form's reason gets ids of its own.
      end: {
        form: formView(end),
        to: field(end, 'to'),
        reason: { ...field(end, 'reason'), id: 'f-end-reason', errorId: 'f-end-reason-error' },
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

export const organisationPages: PageDef[] = [
  getPage(`${BASE}/units`, ADMIN, unitsPage),
  getPage(`${BASE}/units/new`, ADMIN, (_input, ctx) => unitForm(ctx, undefined)),
  formPost(`${BASE}/units`, ADMIN, '/units', (_input, ctx) => ({
    form: organisationForms['org-unit'],
    success: () => `${BASE}/units?done=unit`,
    refused: (state, status) => unitForm(ctx, state, status),
  })),
  getPage(`${BASE}/townships/{id}/leaders`, ADMIN, (input, ctx) => leadersPage(ctx, input.params.id!)),
  formPost(`${BASE}/townships/{id}/leaders`, ADMIN, '/townships/{id}/leaders', (input, ctx) => ({
    form: organisationForms['org-leader'],
    params: { id: input.params.id! },
    success: () => `${BASE}/townships/${enc(input.params.id!)}/leaders`,
    refused: (state, status) => leadersPage(ctx, input.params.id!, state, status),
  })),
  formPost(
    `${BASE}/townships/{id}/leaders/{leaderId}/end`,
    ADMIN,
    '/townships/{id}/leaders/{leaderId}/end',
    (input, ctx) => ({
      form: organisationForms['org-leader-end'],
      params: { id: input.params.id!, leaderId: input.params.leaderId! },
      success: () => `${BASE}/townships/${enc(input.params.id!)}/leaders`,
      refused: (_state, status) => leadersPage(ctx, input.params.id!, undefined, status),
    }),
  ),
  getPage(`${BASE}/districts`, ADMIN, districtsPage),
  getPage(`${BASE}/districts/new`, ADMIN, (_input, ctx) => districtForm(ctx, undefined)),
  formPost(`${BASE}/districts`, ADMIN, '/districts', (_input, ctx) => ({
    form: organisationForms['org-district'],
    success: () => `${BASE}/districts?done=district`,
    refused: (state, status) => districtForm(ctx, state, status),
  })),
  getPage(`${BASE}/districts/{id}`, ADMIN, (input, ctx) => districtPage(ctx, input.params.id!)),
  formPost(`${BASE}/districts/{id}/department`, ADMIN, '/districts/{id}/department', (input, ctx) => ({
    form: organisationForms['org-district-department'],
    params: { id: input.params.id! },
    whenEmpty: { unitId: null },
    success: (d) => `${BASE}/districts/${enc(d.id)}`,
    refused: (state, status) => districtPage(ctx, input.params.id!, { form: 'department', state }, status),
  })),
  formPost(`${BASE}/districts/{id}/end`, ADMIN, '/districts/{id}/end', (input, ctx) => ({
    form: organisationForms['org-district-end'],
    params: { id: input.params.id! },
    success: (d) => `${BASE}/districts/${enc(d.id)}`,
    refused: (state, status) => districtPage(ctx, input.params.id!, { form: 'end', state }, status),
  })),
];

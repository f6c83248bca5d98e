import type { GetAnswer } from '../../../client/api-client.ts';
import type { Assignment } from '../../../schemas/assignments.ts';
import { ASSIGNMENT_ROLE_LABELS, ASSIGNMENT_ROLES } from '../../../schemas/assignments.ts';
import type { Village } from '../../../schemas/roster.ts';
import {
  CADRE_RANK_LABELS,
  CADRE_RANKS,
  VILLAGE_CATEGORIES,
  VILLAGE_CATEGORY_LABELS,
} from '../../../schemas/roster.ts';
import { rosterForms } from '../../forms/admin-roster.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { cadreNames, type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDate } from '../../view/format.ts';
import { townshipOptions, villageGroups } from '../../view/places.ts';
import {
  ADMIN,
  CONSOLE,
  doneFlags,
  exportFilters,
  filterState,
  IMPORT_PAGE,
  listPage,
  pager,
  queryOf,
  statusOf,
} from './lists.ts';
import { unitOptions } from './roster-edit.ts';

/**
 * HQ's roster: coverage gaps first (villages without a chief, chiefs of several villages), then
 * townships, villages, cadres and assignments, each a list with plain GET filters and the API's cursor
 * pagination, and the forms that add to them.
 */
const BASE = '/app/admin/roster';

const CATEGORY_ORDER: Record<string, number> = { deep: 0, general: 1, non: 2 };

// ---------------------------------------------------------------------------------------------------
// Pages

const tabs = (current: string) => ({ current, importHref: IMPORT_PAGE });

const rankOptions = CADRE_RANKS.map((r) => ({ value: r, label: CADRE_RANK_LABELS[r] }));
const categoryOptions = VILLAGE_CATEGORIES.map((c) => ({ value: c, label: VILLAGE_CATEGORY_LABELS[c] }));
const roleOptions = ASSIGNMENT_ROLES.map((r) => ({ value: r, label: ASSIGNMENT_ROLE_LABELS[r] }));
const activeOptions = [
  { value: 'true', label: '在任' },
  { value: 'false', label: '已结束' },
];

function newAssignmentHref(villageId: string, role: 'chief' | 'member' = 'chief'): string {
  return `${BASE}/assignments/new?${new URLSearchParams({ villageId, role })}`;
}

async function rosterHome(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['townshipId']);
  const [names, coverage, chiefs] = await Promise.all([
    placeNames(ctx.api),
    ctx.api.get('/coverage', { query: filters }),
    ctx.api.all('/assignments', { query: { role: 'chief', active: 'true' } }, 5000),
  ]);
  const withoutChief = [...coverage.villagesWithoutChief].sort(
    (a, b) =>
      (CATEGORY_ORDER[a.category] ?? 9) - (CATEGORY_ORDER[b.category] ?? 9) ||
      names.township(a.townshipId).localeCompare(names.township(b.townshipId), 'zh-CN') ||
      a.id.localeCompare(b.id),
  );
  const villagesPer = new Map<string, number>();
  for (const v of names.villages) villagesPer.set(v.townshipId, (villagesPer.get(v.townshipId) ?? 0) + 1);
  const chiefsPer = new Map<string, number>();
  for (const a of chiefs) chiefsPer.set(a.townshipId, (chiefsPer.get(a.townshipId) ?? 0) + 1);
  const state = filterState(filters, []);
  return page(
    'admin/roster/index',
    '名册',
    {
      tabs: tabs('overview'),
      filter: {
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        active: Boolean(filters.townshipId),
        townshipName: names.township(filters.townshipId),
      },
      counts: coverage.counts,
      covered: coverage.counts.villagesWithoutChief === 0 && coverage.counts.chiefsWithSeveralVillages === 0,
      organisation: organisationGapsView(coverage, names),
      withoutChief: withoutChief.map((v) => ({
        id: v.id,
        name: v.name,
        township: names.township(v.townshipId),
        category: VILLAGE_CATEGORY_LABELS[v.category],
        deep: v.category === 'deep',
        appointHref: newAssignmentHref(v.id),
      })),
      severalVillages: coverage.chiefsWithSeveralVillages.map((c) => ({
        cadreId: c.cadreId,
        name: c.name,
        count: c.villages.length,
        villages: c.villages.map((v) => ({ name: v.name, township: names.township(v.townshipId) })),
        href: `${BASE}/assignments?${new URLSearchParams({ cadreId: c.cadreId, role: 'chief', active: 'true' })}`,
      })),
      townships: names.townships.map((t) => ({
        id: t.id,
        name: t.name,
        villages: villagesPer.get(t.id) ?? 0,
        chiefs: chiefsPer.get(t.id) ?? 0,
        villagesHref: `${BASE}/villages?townshipId=${encodeURIComponent(t.id)}`,
        cadresHref: `${BASE}/cadres?townshipId=${encodeURIComponent(t.id)}`,
      })),
      hasTownships: names.townships.length > 0,
    },
    { nav: 'roster' },
  );
}

/** The organisation's gaps on the coverage page (包镇, 包片, a township cadre per team, senior chiefs). */
function organisationGapsView(coverage: GetAnswer<'/coverage'>, names: Places) {
  const village = (v: { id: string; name: string; townshipId: string; category: string }) => ({
    id: v.id,
    name: v.name,
    township: names.township(v.townshipId),
    category: VILLAGE_CATEGORY_LABELS[v.category as keyof typeof VILLAGE_CATEGORY_LABELS],
    teamHref: `${BASE}/assignments?${new URLSearchParams({ villageId: v.id, active: 'true' })}`,
  });
  const c = coverage.counts;
  return {
    none:
      c.townshipsWithoutLeader +
        c.districtsWithoutDepartment +
        c.villagesWithoutTownshipCadre +
        c.deepVillagesWithJuniorChief ===
      0,
    withoutLeader: coverage.townshipsWithoutLeader.map((t) => ({
      ...t,
      href: `${BASE}/townships/${encodeURIComponent(t.id)}/leaders`,
    })),
    withoutDepartment: coverage.districtsWithoutDepartment.map((d) => ({
      ...d,
      township: names.township(d.townshipId),
      href: `${BASE}/districts/${encodeURIComponent(d.id)}`,
    })),
    withoutTownshipCadre: coverage.villagesWithoutTownshipCadre.map(village),
    juniorChief: coverage.deepVillagesWithJuniorChief.map((v) => ({
      ...village(v),
      cadre: v.cadreName,
      cadreId: v.cadreId,
      rank: v.rankLabel,
    })),
  };
}

async function townshipsPage(input: PageInput, ctx: PageContext) {
  const list = await listPage(ctx.api, '/townships', {}, input.query.get('next'));
  const [villages, coverage] = await Promise.all([
    ctx.api.all('/villages', {}, 5000),
    ctx.api.get('/coverage'),
  ]);
  const count = (id: string) => villages.filter((v) => v.townshipId === id).length;
  const gaps = (id: string) => coverage.villagesWithoutChief.filter((v) => v.townshipId === id).length;
  return page(
    'admin/roster/townships',
    '乡镇',
    {
      tabs: tabs('townships'),
      done: doneFlags(input.query, ['township']),
      rows: list.items.map((t) => ({
        id: t.id,
        name: t.name,
        villages: count(t.id),
        gaps: gaps(t.id),
        villagesHref: `${BASE}/villages?townshipId=${encodeURIComponent(t.id)}`,
        cadresHref: `${BASE}/cadres?townshipId=${encodeURIComponent(t.id)}`,
        assignmentsHref: `${BASE}/assignments?townshipId=${encodeURIComponent(t.id)}&active=true`,
        editHref: `${BASE}/townships/${encodeURIComponent(t.id)}/edit`,
        leadersHref: `${BASE}/townships/${encodeURIComponent(t.id)}/leaders`,
        noLeader: coverage.townshipsWithoutLeader.some((x) => x.id === t.id),
      })),
      pager: pager(`${BASE}/townships`, {}, list.next, input.query),
      exportFilters: [],
    },
    { nav: 'roster' },
  );
}

async function townshipForm(_ctx: PageContext, state: FormState | undefined, status?: number) {
  const form = state ?? freshForm();
  return page(
    'admin/roster/township-new',
    '新增乡镇',
    {
      tabs: tabs('townships'),
      form: formView(form),
      fields: { id: field(form, 'id'), name: field(form, 'name') },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

async function villagesPage(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['townshipId', 'category']);
  const [names, list, chiefs] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/villages', filters, input.query.get('next')),
    ctx.api.all(
      '/assignments',
      {
        query: {
          role: 'chief',
          active: 'true',
          ...(filters.townshipId ? { townshipId: filters.townshipId } : {}),
        },
      },
      5000,
    ),
  ]);
  const chiefOf = new Map(chiefs.map((a) => [a.villageId, a]));
  const cadres = await cadreNames(
    ctx.api,
    list.items.flatMap((v) => {
      const chief = chiefOf.get(v.id);
      return chief ? [chief.cadreId] : [];
    }),
  );
  const state = filterState(filters, list.errors);
  return page(
    'admin/roster/villages',
    '村',
    {
      tabs: tabs('villages'),
      done: doneFlags(input.query, ['village']),
      filter: {
        error: list.error,
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        category: field(state, 'category'),
        categories: choices(state, 'category', categoryOptions),
      },
      rows: list.items.map((v) => {
        const chief = chiefOf.get(v.id);
        return {
          id: v.id,
          name: v.name,
          township: names.township(v.townshipId),
          category: v.categoryLabel,
          households: v.profile?.households ?? '',
          population: v.profile?.population ?? '',
          partyMembers: v.profile?.partyMembers ?? '',
          migrantWorkers: v.profile?.migrantWorkers ?? '',
          poorHouseholds: v.profile?.poorHouseholds ?? '',
          chief: chief ? (cadres.get(chief.cadreId)?.name ?? chief.cadreId) : '',
          chiefSince: chief ? shortDate(chief.from) : '',
          appointHref: newAssignmentHref(v.id),
          assignmentsHref: `${BASE}/assignments?villageId=${encodeURIComponent(v.id)}`,
          editHref: `${BASE}/villages/${encodeURIComponent(v.id)}/edit`,
        };
      }),
      pager: pager(`${BASE}/villages`, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
      newHref: `${BASE}/villages/new${filters.townshipId ? `?townshipId=${encodeURIComponent(filters.townshipId)}` : ''}`,
    },
    { nav: 'roster' },
  );
}

const PROFILE_FIELDS = [
  'households',
  'population',
  'partyMembers',
  'migrantWorkers',
  'poorHouseholds',
  'poorPopulation',
] as const;

async function villageForm(
  ctx: PageContext,
  state: FormState | undefined,
  status?: number,
  townshipHint?: string | null,
) {
  const names = await placeNames(ctx.api);
  const form = state ?? freshForm({ townshipId: townshipHint ?? undefined });
  return page(
    'admin/roster/village-new',
    '新增村',
    {
      tabs: tabs('villages'),
      hasTownships: names.townships.length > 0,
      form: formView(form),
      fields: {
        id: field(form, 'id'),
        name: field(form, 'name'),
        townshipId: field(form, 'townshipId'),
        townships: choices(form, 'townshipId', townshipOptions(names)),
        category: field(form, 'category'),
        categories: choices(form, 'category', categoryOptions),
        profile: Object.fromEntries(PROFILE_FIELDS.map((name) => [name, field(form, `profile.${name}`)])),
        lat: field(form, 'location.lat'),
        lng: field(form, 'location.lng'),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

async function cadresPage(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['townshipId', 'rank', 'unit']);
  const [names, list] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/cadres', filters, input.query.get('next')),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/roster/cadres',
    '干部',
    {
      tabs: tabs('cadres'),
      done: doneFlags(input.query, ['cadre']),
      filter: {
        error: list.error,
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        rank: field(state, 'rank'),
        ranks: choices(state, 'rank', rankOptions),
        unit: field(state, 'unit'),
      },
      rows: list.items.map((c) => ({
        id: c.id,
        name: c.name,
        unit: c.unit,
        rank: c.rankLabel,
        township: names.township(c.townshipId),
        phone: c.phone ?? '',
        email: c.email ?? '',
        assignmentsHref: `${BASE}/assignments?cadreId=${encodeURIComponent(c.id)}`,
        assignHref: `${BASE}/assignments/new?cadreId=${encodeURIComponent(c.id)}`,
        editHref: `${BASE}/cadres/${encodeURIComponent(c.id)}/edit`,
        moveHref: `${BASE}/cadres/${encodeURIComponent(c.id)}/move`,
      })),
      pager: pager(`${BASE}/cadres`, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
    },
    { nav: 'roster' },
  );
}

async function cadreForm(ctx: PageContext, state: FormState | undefined, status?: number) {
  const [names, units] = await Promise.all([placeNames(ctx.api), unitOptions(ctx.api)]);
  const form = state ?? freshForm({ rank: 'general' });
  return page(
    'admin/roster/cadre-new',
    '新增干部',
    {
      tabs: tabs('cadres'),
      form: formView(form),
      fields: {
        id: field(form, 'id'),
        name: field(form, 'name'),
        unit: field(form, 'unit'),
        unitId: field(form, 'unitId'),
        units: choices(form, 'unitId', units),
        rank: field(form, 'rank'),
        ranks: choices(form, 'rank', rankOptions),
        townshipId: field(form, 'townshipId'),
        townships: choices(form, 'townshipId', townshipOptions(names)),
        phone: field(form, 'phone'),
        email: field(form, 'email'),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

async function assignmentsPage(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['villageId', 'cadreId', 'townshipId', 'role', 'active']);
  const [names, list] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/assignments', filters, input.query.get('next')),
  ]);
  const cadres = await cadreNames(
    ctx.api,
    list.items.map((a) => a.cadreId),
  );
  const state = filterState(filters, list.errors);
  return page(
    'admin/roster/assignments',
    '包村关系',
    {
      tabs: tabs('assignments'),
      done: doneFlags(input.query, ['assignment', 'ended', 'moved']),
      filter: {
        error: list.error,
        villageId: field(state, 'villageId'),
        villageGroups: villageGroups(names, filters.villageId ?? ''),
        cadreId: field(state, 'cadreId'),
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        role: field(state, 'role'),
        roles: choices(state, 'role', roleOptions),
        active: field(state, 'active'),
        actives: choices(state, 'active', activeOptions),
      },
      rows: list.items.map((a) => ({
        id: a.id,
        cadreId: a.cadreId,
        cadre: cadres.get(a.cadreId)?.name ?? a.cadreId,
        unit: cadres.get(a.cadreId)?.unit ?? '',
        village: names.village(a.villageId),
        villageId: a.villageId,
        township: names.township(a.townshipId),
        role: a.roleLabel,
        teamRole: a.teamRoleLabel ?? '',
        chief: a.role === 'chief',
        from: a.from,
        to: a.to ?? '',
        active: a.active,
        note: a.note ?? '',
        endReason: a.endReason ?? '',
        endHref: `${BASE}/assignments/${encodeURIComponent(a.id)}/end`,
        moveHref: `${BASE}/cadres/${encodeURIComponent(a.cadreId)}/move?assignmentId=${encodeURIComponent(a.id)}`,
      })),
      pager: pager(`${BASE}/assignments`, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
      newHref: `${BASE}/assignments/new${filters.villageId ? `?villageId=${encodeURIComponent(filters.villageId)}` : ''}`,
    },
    { nav: 'roster' },
  );
}

async function assignmentForm(
  ctx: PageContext,
  state: FormState | undefined,
  status?: number,
  hints: URLSearchParams = new URLSearchParams(),
) {
  const [names, cadres, teamRoles] = await Promise.all([
    placeNames(ctx.api),
    ctx.api.all('/cadres', {}, 5000),
    ctx.api.get('/team-roles'),
  ]);
  const form =
    state ??
    freshForm({
      villageId: hints.get('villageId') ?? undefined,
      cadreId: hints.get('cadreId') ?? undefined,
      role: hints.get('role') === 'member' ? 'member' : 'chief',
    });
  const villageId = field(form, 'villageId').value;
  const cadreId = field(form, 'cadreId').value;
  const village = names.villageOf(villageId);
  const byTownship = new Map<string, Array<{ value: string; label: string; selected: boolean }>>();
  for (const c of cadres) {
    const key = c.townshipId ?? '';
    const list = byTownship.get(key) ?? [];
    list.push({
      value: c.id,
      label: `${c.name}（${c.id} · ${c.unit} · ${c.rankLabel}）`,
      selected: c.id === cadreId,
    });
    byTownship.set(key, list);
  }
  return page(
    'admin/roster/assignment-new',
    '安排包村干部',
    {
      tabs: tabs('assignments'),
      justCreatedVillage: !state && hints.get('done') === 'village',
      village: village
        ? {
            name: village.name,
            township: names.township(village.townshipId),
            category: village.categoryLabel,
          }
        : null,
      form: formView(form),
      fields: {
        villageId: field(form, 'villageId'),
        villageGroups: villageGroups(names, villageId),
        cadreId: field(form, 'cadreId'),
        cadreGroups: [...byTownship.entries()].map(([id, options]) => ({
          label: id ? names.township(id) : '县直单位',
          options,
        })),
        role: field(form, 'role'),
        roles: choices(form, 'role', roleOptions),
        teamRole: field(form, 'teamRole'),
        teamRoles: choices(
          form,
          'teamRole',
          teamRoles.roles.map((r) => ({ value: r.id, label: r.name })),
        ),
        from: field(form, 'from'),
        note: field(form, 'note'),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

async function endForm(ctx: PageContext, id: string, state: FormState | undefined, status?: number) {
  const a = await ctx.api.get('/assignments/{id}', { params: { id } });
  const [village, cadre] = await Promise.all([
    ctx.api.get('/villages/{id}', { params: { id: a.villageId } }),
    ctx.api.get('/cadres/{id}', { params: { id: a.cadreId } }),
  ]);
  const form = state ?? freshForm();
  return page(
    'admin/roster/assignment-end',
    '结束包村关系',
    {
      tabs: tabs('assignments'),
      assignment: {
        cadre: cadre.name,
        cadreId: cadre.id,
        village: village.name,
        role: a.roleLabel,
        from: a.from,
        to: a.to ?? '',
        active: a.active,
        endReason: a.endReason ?? '',
        chief: a.role === 'chief',
      },
      backHref: `${BASE}/assignments?villageId=${encodeURIComponent(a.villageId)}`,
      appointHref: newAssignmentHref(a.villageId),
      action: `${BASE}/assignments/${encodeURIComponent(a.id)}/end`,
      form: formView(form),
      fields: { to: field(form, 'to'), reason: field(form, 'reason') },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

export const rosterPages: PageDef[] = [
  definePage({ method: 'GET', path: BASE, roles: CONSOLE, handle: rosterHome }),
  definePage({ method: 'GET', path: `${BASE}/townships`, roles: CONSOLE, handle: townshipsPage }),
  definePage({
    method: 'GET',
    path: `${BASE}/townships/new`,
    roles: ADMIN,
    handle: (_input, ctx) => townshipForm(ctx, undefined),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/townships`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: rosterForms['roster-township'],
        path: '/townships',
        success: () => `${BASE}/townships?done=township`,
        refused: (state, status) => townshipForm(ctx, state, status),
      }),
  }),
  definePage({ method: 'GET', path: `${BASE}/villages`, roles: CONSOLE, handle: villagesPage }),
  definePage({
    method: 'GET',
    path: `${BASE}/villages/new`,
    roles: ADMIN,
    handle: (input, ctx) => villageForm(ctx, undefined, undefined, input.query.get('townshipId')),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/villages`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: rosterForms['roster-village'],
        path: '/villages',
        // Every village needs a chief: go straight on to appointing one.
        success: (body) =>
          `${BASE}/assignments/new?${new URLSearchParams({ villageId: (body as Village).id, role: 'chief', done: 'village' })}`,
        refused: (state, status) => villageForm(ctx, state, status),
      }),
  }),
  definePage({ method: 'GET', path: `${BASE}/cadres`, roles: CONSOLE, handle: cadresPage }),
  definePage({
    method: 'GET',
    path: `${BASE}/cadres/new`,
    roles: ADMIN,
    handle: (_input, ctx) => cadreForm(ctx, undefined),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/cadres`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: rosterForms['roster-cadre'],
        path: '/cadres',
        success: () => `${BASE}/cadres?done=cadre`,
        refused: (state, status) => cadreForm(ctx, state, status),
      }),
  }),
  definePage({ method: 'GET', path: `${BASE}/assignments`, roles: CONSOLE, handle: assignmentsPage }),
  definePage({
    method: 'GET',
    path: `${BASE}/assignments/new`,
    roles: ADMIN,
    handle: (input, ctx) => assignmentForm(ctx, undefined, undefined, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/assignments`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: rosterForms['roster-assignment'],
        path: '/assignments',
        success: (body) =>
          `${BASE}/assignments?${new URLSearchParams({ villageId: (body as Assignment).villageId, done: 'assignment' })}`,
        refused: (state, status) => assignmentForm(ctx, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/assignments/{id}/end`,
    roles: ADMIN,
    handle: (input, ctx) => endForm(ctx, input.params.id!, undefined),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/assignments/{id}/end`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: rosterForms['roster-assignment-end'],
        path: '/assignments/{id}/end',
        params: { id: input.params.id! },
        success: (body) =>
          `${BASE}/assignments?${new URLSearchParams({ villageId: (body as Assignment).villageId, done: 'ended' })}`,
        refused: (state, status) => endForm(ctx, input.params.id!, state, status),
      }),
  }),
];

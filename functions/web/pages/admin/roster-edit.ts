import type { ApiClient } from '../../../client/api-client.ts';
import {
  ASSIGNMENT_ROLE_LABELS,
  ASSIGNMENT_ROLES,
  type AssignmentMove,
} from '../../../schemas/assignments.ts';
import {
  CADRE_RANK_LABELS,
  CADRE_RANKS,
  type Cadre,
  type Township,
  VILLAGE_CATEGORIES,
  VILLAGE_CATEGORY_LABELS,
  type Village,
} from '../../../schemas/roster.ts';
import { rosterForms } from '../../forms/admin-roster.ts';
import { choices, type FormState, field, formView, freshForm, refusedForm } from '../../forms/state.ts';
import { placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { townshipOptions, villageGroups } from '../../view/places.ts';
import { ADMIN, IMPORT_PAGE, statusOf } from './lists.ts';

/**
 * HQ's corrections to the roster: edit forms for a township, a village and a cadre (PATCH with the
 * version the form was filled from, kept in the hidden `_version` field and sent as If-Match), and a
 * cadre's move to another village (POST /assignments/{id}/move). Plain form posts, 303 on success.
 * When someone else saved first (412), the form comes back with the record as it is now, its new
 * version, and what the person had typed, so nothing is overwritten unseen.
 */
const BASE = '/app/admin/roster';
const tabs = (current: string) => ({ current, importHref: IMPORT_PAGE });
const enc = encodeURIComponent;

const rankOptions = CADRE_RANKS.map((r) => ({ value: r, label: CADRE_RANK_LABELS[r] }));
const categoryOptions = VILLAGE_CATEGORIES.map((c) => ({ value: c, label: VILLAGE_CATEGORY_LABELS[c] }));
const roleOptions = ASSIGNMENT_ROLES.map((r) => ({ value: r, label: ASSIGNMENT_ROLE_LABELS[r] }));

/** The units a cadre may belong to (单位 picker of the cadre forms), by name, with their kind. */
export async function unitOptions(api: ApiClient): Promise<Array<{ value: string; label: string }>> {
  const units = await api.all('/units', {}, 2000);
  return units
    .map((u) => ({ value: u.id, label: `${u.name}（${u.kindLabel}）` }))
    .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
}

const PROFILE_FIELDS = [
  'households',
  'population',
  'partyMembers',
  'migrantWorkers',
  'poorHouseholds',
  'poorPopulation',
] as const;

/** Labels of the fields, for the "what you typed" list after a conflict. */
const LABELS: Record<string, string> = {
  name: '名称',
  unit: '派出单位',
  unitId: '所属单位',
  rank: '职级',
  townshipId: '所在乡镇',
  phone: '电话',
  email: '电子邮箱',
  category: '村类别',
  'profile.households': '户数',
  'profile.population': '人口',
  'profile.partyMembers': '党员人数',
  'profile.migrantWorkers': '外出务工人数',
  'profile.poorHouseholds': '贫困户数',
  'profile.poorPopulation': '贫困人口',
  'location.lat': '纬度',
  'location.lng': '经度',
};

const OPTION_LABELS: Record<string, Record<string, string>> = {
  rank: CADRE_RANK_LABELS,
  category: VILLAGE_CATEGORY_LABELS,
};

/** A correction form's situation: the record it was filled from, and a conflict if there was one. */
interface Edit<T> {
  record: T;
  form: FormState;
  conflict?: { version: number; typed: Array<{ label: string; value: string }> } | undefined;
  status?: number | undefined;
}

/** What the person typed that differs from the record as it is now (shown after a 412). */
function typedValues(state: FormState, current: FormState, labels: Record<string, string>) {
  const typed: Array<{ label: string; value: string }> = [];
  for (const [name, values] of state.values) {
    const label = labels[name] ?? LABELS[name];
    const value = values[values.length - 1] ?? '';
    if (!label || value === field(current, name).value) continue;
    typed.push({ label, value: OPTION_LABELS[name]?.[value] ?? (value || '（空）') });
  }
  return typed;
}

/**
 * The form again after a refusal: a conflict (412) shows the record as it is now with its new
 * version and the API's message; any other refusal keeps what was typed and the version it was
 * typed against (re-reading the version there would let a later save overwrite unseen changes).
 */
async function afterRefusal<T extends { version: number }>(
  input: PageInput,
  state: FormState,
  status: number,
  read: () => Promise<T>,
  valuesOf: (record: T) => Record<string, string | undefined>,
  labels: Record<string, string> = {},
): Promise<Edit<T>> {
  const current = await read();
  if (status === 412) {
    const fresh = freshForm(valuesOf(current));
    const form: FormState = { ...fresh, error: state.error };
    return {
      record: current,
      form,
      conflict: { version: current.version, typed: typedValues(state, fresh, labels) },
      status,
    };
  }
  const sent = Number(input.form.find(([n]) => n === '_version')?.[1]);
  return {
    record: { ...current, version: Number.isInteger(sent) ? sent : current.version },
    form: state,
    status,
  };
}

function versionOf(input: PageInput): string | undefined {
  const value = input.form.find(([n]) => n === '_version')?.[1]?.trim();
  return value ? `"${value}"` : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Township

const townshipValues = (t: Township) => ({ name: t.name });

function townshipEdit(id: string, edit: Edit<Township>) {
  const { record, form } = edit;
  return page(
    'admin/roster/township-edit',
    '修改乡镇',
    {
      tabs: tabs('townships'),
      record,
      conflict: edit.conflict ?? null,
      action: `${BASE}/townships/${enc(id)}/edit`,
      form: formView(form),
      fields: { name: field(form, 'name') },
    },
    { nav: 'roster', ...statusOf(edit.status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// Village

function villageValues(v: Village): Record<string, string | undefined> {
  return {
    name: v.name,
    category: v.category,
    ...Object.fromEntries(PROFILE_FIELDS.map((f) => [`profile.${f}`, v.profile?.[f]?.toString()])),
    'location.lat': v.location?.lat.toString(),
    'location.lng': v.location?.lng.toString(),
  };
}

async function villageEdit(ctx: PageContext, id: string, edit: Edit<Village>) {
  const names = await placeNames(ctx.api);
  const { record, form } = edit;
  return page(
    'admin/roster/village-edit',
    '修改村',
    {
      tabs: tabs('villages'),
      record: { ...record, township: names.township(record.townshipId) },
      conflict: edit.conflict ?? null,
      action: `${BASE}/villages/${enc(id)}/edit`,
      form: formView(form),
      fields: {
        name: field(form, 'name'),
        category: field(form, 'category'),
        categories: choices(form, 'category', categoryOptions),
        profile: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, field(form, `profile.${f}`)])),
        lat: field(form, 'location.lat'),
        lng: field(form, 'location.lng'),
      },
    },
    { nav: 'roster', ...statusOf(edit.status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// Cadre

const cadreValues = (c: Cadre) => ({
  name: c.name,
  unit: c.unit,
  unitId: c.unitId,
  rank: c.rank,
  townshipId: c.townshipId,
  phone: c.phone,
  email: c.email,
});

async function cadreEdit(ctx: PageContext, id: string, edit: Edit<Cadre>) {
  const [names, units] = await Promise.all([placeNames(ctx.api), unitOptions(ctx.api)]);
  const { record, form } = edit;
  const currentUnit = record.unitId
    ? (units.find((u) => u.value === record.unitId)?.label ?? record.unitId)
    : '';
  return page(
    'admin/roster/cadre-edit',
    '修改干部',
    {
      tabs: tabs('cadres'),
      record,
      currentUnit,
      conflict: edit.conflict ?? null,
      action: `${BASE}/cadres/${enc(id)}/edit`,
      moveHref: `${BASE}/cadres/${enc(id)}/move`,
      form: formView(form),
      fields: {
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
    { nav: 'roster', ...statusOf(edit.status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// Move

async function moveForm(
  ctx: PageContext,
  cadreId: string,
  state: FormState | undefined,
  status?: number,
  hint?: string | null,
) {
  const [cadre, names, running] = await Promise.all([
    ctx.api.get('/cadres/{id}', { params: { id: cadreId } }),
    placeNames(ctx.api),
    ctx.api.all('/assignments', { query: { cadreId, active: 'true' } }, 200),
  ]);
  const form =
    state ?? freshForm({ _assignment: hint ?? (running.length === 1 ? running[0]?.id : undefined) });
  const assignmentField = field(form, '_assignment');
  return page(
    'admin/roster/assignment-move',
    '调动',
    {
      tabs: tabs('assignments'),
      cadre: { id: cadre.id, name: cadre.name },
      hasRunning: running.length > 0,
      backHref: `${BASE}/assignments?cadreId=${enc(cadreId)}`,
      assignHref: `${BASE}/assignments/new?cadreId=${enc(cadreId)}`,
      action: `${BASE}/cadres/${enc(cadreId)}/move`,
      form: formView(form),
      fields: {
        assignment: assignmentField,
        assignments: running.map((a) => ({
          value: a.id,
          label: `${names.village(a.villageId)}（${names.township(a.townshipId)}）${a.roleLabel}，${a.from} 起`,
          selected: a.id === assignmentField.value,
          id: `f-_assignment-${a.id}`,
        })),
        villageId: field(form, 'villageId'),
        villageGroups: villageGroups(names, field(form, 'villageId').value),
        role: field(form, 'role'),
        roles: choices(form, 'role', roleOptions),
        from: field(form, 'from'),
        reason: field(form, 'reason'),
      },
    },
    { nav: 'roster', ...statusOf(status) },
  );
}

// ---------------------------------------------------------------------------------------------------
// Pages

export const rosterEditPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: `${BASE}/townships/{id}/edit`,
    roles: ADMIN,
    async handle(input, ctx) {
      const id = input.params.id!;
      const record = await ctx.api.get('/townships/{id}', { params: { id } });
      return townshipEdit(id, { record, form: freshForm(townshipValues(record)) });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/townships/{id}/edit`,
    roles: ADMIN,
    handle: (input, ctx) => {
      const id = input.params.id!;
      return submitForm(input, ctx, {
        form: rosterForms['roster-township-edit'],
        method: 'PATCH',
        path: '/townships/{id}',
        params: { id },
        ifMatch: versionOf(input),
        whenEmpty: { name: '' },
        success: () => `${BASE}/townships?done=township`,
        refused: async (state, status) =>
          townshipEdit(
            id,
            await afterRefusal(
              input,
              state,
              status,
              () => ctx.api.get('/townships/{id}', { params: { id } }),
              townshipValues,
              { name: '乡镇名称' },
            ),
          ),
      });
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/villages/{id}/edit`,
    roles: ADMIN,
    async handle(input, ctx) {
      const id = input.params.id!;
      const record = await ctx.api.get('/villages/{id}', { params: { id } });
      return villageEdit(ctx, id, { record, form: freshForm(villageValues(record)) });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/villages/{id}/edit`,
    roles: ADMIN,
    handle: (input, ctx) => {
      const id = input.params.id!;
      return submitForm(input, ctx, {
        form: rosterForms['roster-village-edit'],
        method: 'PATCH',
        path: '/villages/{id}',
        params: { id },
        ifMatch: versionOf(input),
        whenEmpty: { name: '', location: null },
        success: (body) =>
          `${BASE}/villages?${new URLSearchParams({ townshipId: (body as Village).townshipId, done: 'village' })}`,
        refused: async (state, status) =>
          villageEdit(
            ctx,
            id,
            await afterRefusal(
              input,
              state,
              status,
              () => ctx.api.get('/villages/{id}', { params: { id } }),
              villageValues,
              { name: '村名' },
            ),
          ),
      });
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/cadres/{id}/edit`,
    roles: ADMIN,
    async handle(input, ctx) {
      const id = input.params.id!;
      const record = await ctx.api.get('/cadres/{id}', { params: { id } });
      return cadreEdit(ctx, id, { record, form: freshForm(cadreValues(record)) });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/cadres/{id}/edit`,
    roles: ADMIN,
    handle: (input, ctx) => {
      const id = input.params.id!;
      return submitForm(input, ctx, {
        form: rosterForms['roster-cadre-edit'],
        method: 'PATCH',
        path: '/cadres/{id}',
        params: { id },
        ifMatch: versionOf(input),
        whenEmpty: { name: '', unit: '', unitId: null, townshipId: null, phone: null, email: null },
        success: () => `${BASE}/cadres?done=cadre`,
        refused: async (state, status) =>
          cadreEdit(
            ctx,
            id,
            await afterRefusal(
              input,
              state,
              status,
              () => ctx.api.get('/cadres/{id}', { params: { id } }),
              cadreValues,
              { name: '姓名' },
            ),
          ),
      });
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/cadres/{id}/move`,
    roles: ADMIN,
    handle: (input, ctx) =>
      moveForm(ctx, input.params.id!, undefined, undefined, input.query.get('assignmentId')),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/cadres/{id}/move`,
    roles: ADMIN,
    async handle(input, ctx) {
      const cadreId = input.params.id!;
      const assignmentId = input.form.find(([n]) => n === '_assignment')?.[1]?.trim() ?? '';
      if (!assignmentId) {
        const message = '请选择要调出的包村关系';
        const state = refusedForm(input.form, [{ name: '_assignment', code: 'REQUIRED', message }], {
          code: 'VALIDATION_FAILED',
          message: '请按提示修改后再提交。',
        });
        return moveForm(
          ctx,
          cadreId,
          { ...state, values: new Map([...state.values, ['_assignment', ['']]]) },
          400,
        );
      }
      return submitForm(input, ctx, {
        form: rosterForms['roster-assignment-move'],
        path: '/assignments/{id}/move',
        params: { id: assignmentId },
        success: (body) =>
          `${BASE}/assignments?${new URLSearchParams({ cadreId: (body as AssignmentMove).started.cadreId, done: 'moved' })}`,
        refused: (state, status) =>
          moveForm(
            ctx,
            cadreId,
            { ...state, values: new Map([...state.values, ['_assignment', [assignmentId]]]) },
            status,
          ),
      });
    },
  }),
];

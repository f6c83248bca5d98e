import { errorOf, type ItemOf, type RouteAt, type Success } from '../../../client/api-client.ts';
import { fieldMessages } from '../../../client/form-data.ts';
import { ROLE_LABELS } from '../../../core/roles.ts';
import { choices, type FormState, field, formView, freshForm, refusedForm } from '../../forms/state.ts';
import {
  definePage,
  type PageContext,
  type PageInput,
  type PageResult,
  page,
  refusedPage,
} from '../../route.ts';
import { shortDateTime } from '../../view/format.ts';

/**
 * HQ: 账号 (county mode only; the API answers 404 elsewhere, and so do these pages). The list with
 * each account's state, a form to open one account, reset (a new initial password, shown once on a
 * slip) and disable; and 批量开通: tick roster cadres without an account, or a whole township, and get
 * a printable page of slips, one per person, to cut out and hand over. The answers that show
 * passwords are never stored by the browser (no-store) and are not replayed from the idempotency store.
 */
const ROLES = ['admin'] as const;
const BASE = '/app/admin/accounts';

const STATE_LABELS = { 'must-change': '需修改初始密码', active: '正常', disabled: '已停用' } as const;
const STATE_BADGES = { 'must-change': 'yellow', active: 'green', disabled: 'red' } as const;

type Cadre = ItemOf<'/cadres'>;

function signInAddress(ctx: PageContext): string {
  const base = (process.env.PUBLIC_BASE_URL ?? ctx.origin).replace(/\/+$/, '');
  return `${base}/app/login`;
}

async function listPage(ctx: PageContext, input: PageInput, refused?: { state: FormState; status: number }) {
  const { items } = await ctx.api.get('/accounts');
  const state = refused?.state ?? freshForm({ role: 'cadre' });
  const disabled = input.query.get('disabled');
  const counts = { total: items.length, mustChange: 0, disabled: 0 };
  for (const a of items) {
    if (a.state === 'must-change') counts.mustChange++;
    if (a.state === 'disabled') counts.disabled++;
  }
  return page(
    'admin/accounts/index',
    '账号',
    {
      accounts: items.map((a) => ({
        username: a.username,
        name: a.name ?? '',
        role: ROLE_LABELS[a.role],
        cadreId: a.cadreId ?? a.townshipId ?? '',
        state: STATE_LABELS[a.state],
        badge: STATE_BADGES[a.state],
        isDisabled: a.state === 'disabled',
        isSelf: a.username === ctx.session?.sub,
        updatedAt: shortDateTime(a.updatedAt),
        resetAction: `${BASE}/${encodeURIComponent(a.username)}/reset`,
        disableAction: `${BASE}/${encodeURIComponent(a.username)}/disable`,
      })),
      counts,
      notice: disabled ? `已停用账号 ${disabled}，其登录将在一分钟内失效。` : '',
      form: formView(state),
      username: field(state, 'username'),
      name: field(state, 'name'),
      cadreId: field(state, 'cadreId'),
      townshipId: field(state, 'townshipId'),
      roleField: field(state, 'role', 'cadre'),
      roles: choices(
        state,
        'role',
        (['cadre', 'township', 'leader', 'inspector', 'admin'] as const).map((r) => ({
          value: r,
          label: ROLE_LABELS[r],
        })),
        'cadre',
      ),
      batchHref: `${BASE}/batch`,
    },
    { nav: 'accounts', ...(refused ? { status: refused.status } : {}) },
  );
}

type Issued = Success<RouteAt<'POST', '/accounts'>>;

/** One slip per person: who, the user name, the initial password, where to sign in. */
function slipsPage(
  ctx: PageContext,
  issued: Issued[],
  options: { title: string; skipped?: Array<{ cadreId: string; message: string }> },
): PageResult {
  return page(
    'admin/accounts/slips',
    options.title,
    {
      heading: options.title,
      slips: issued.map((i) => ({
        name: i.account.name ?? i.account.username,
        role: ROLE_LABELS[i.account.role],
        cadreId: i.account.cadreId ?? '',
        username: i.account.username,
        password: i.initialPassword,
      })),
      skipped: options.skipped ?? [],
      address: signInAddress(ctx),
      backHref: BASE,
    },
    { nav: 'accounts', noStore: true },
  );
}

const formValue = (input: PageInput, name: string) => input.form.find(([n]) => n === name)?.[1]?.trim() ?? '';

async function batchPage(ctx: PageContext, message = '', status = 200): Promise<PageResult> {
  const [accounts, cadres, townships] = await Promise.all([
    ctx.api.get('/accounts'),
    ctx.api.all('/cadres', {}, 20_000),
    ctx.api.all('/townships', {}, 5_000),
  ]);
  const withAccount = new Set(accounts.items.map((a) => a.cadreId).filter(Boolean));
  const groups = new Map<string, { id: string; name: string; cadres: Cadre[] }>();
  for (const c of cadres) {
    if (withAccount.has(c.id)) continue;
    const id = c.townshipId ?? '';
    const group = groups.get(id) ?? {
      id,
      name: townships.find((t) => t.id === id)?.name ?? '县直单位',
      cadres: [],
    };
    group.cadres.push(c);
    groups.set(id, group);
  }
  const list = [...groups.values()].map((g) => ({
    id: g.id,
    name: g.name,
    count: g.cadres.length,
    fieldId: `township-${g.id || 'county'}`,
    value: g.id || '-',
    cadres: g.cadres.map((c) => ({ id: c.id, name: c.name, unit: c.unit, fieldId: `cadre-${c.id}` })),
  }));
  return page(
    'admin/accounts/batch',
    '为花名册干部批量开通账号',
    {
      townships: list,
      remaining: list.reduce((n, g) => n + g.count, 0),
      withAccount: withAccount.size,
      message,
      backHref: BASE,
    },
    { nav: 'accounts', status },
  );
}

export const accountPages = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) => listPage(ctx, input),
  }),
  definePage({
    method: 'POST',
    path: BASE,
    roles: ROLES,
    async handle(input, ctx) {
      const body = {
        username: formValue(input, 'username'),
        role: formValue(input, 'role'),
        ...(formValue(input, 'cadreId') ? { cadreId: formValue(input, 'cadreId') } : {}),
        ...(formValue(input, 'townshipId') ? { townshipId: formValue(input, 'townshipId') } : {}),
        ...(formValue(input, 'name') ? { name: formValue(input, 'name') } : {}),
      };
      const res = await ctx.api.relay('POST', '/accounts', { body });
      if (res.ok) return slipsPage(ctx, [res.body], { title: '账号已开通' });
      if (res.status >= 500) throw new Error(`POST /accounts answered ${res.status}`);
      const error = errorOf(res.body);
      if (res.status === 404) throw new Error('accounts are not enabled');
      const fields = fieldMessages(
        error.fields ?? [],
        new Map(['username', 'role', 'cadreId', 'townshipId', 'name'].map((n) => [n, n])),
      );
      return listPage(ctx, input, {
        state: refusedForm(input.form, fields, { code: error.code, message: error.message }),
        status: res.status,
      });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{username}/reset`,
    roles: ROLES,
    async handle(input, ctx) {
      const res = await ctx.api.call('POST', '/accounts/{username}/reset', {
        params: { username: input.params.username ?? '' },
      });
      if (!res.ok) {
        return refusedPage(res.status, errorOf(res.body), 'accounts');
      }
      return slipsPage(ctx, [res.body], { title: '密码已重置' });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{username}/disable`,
    roles: ROLES,
    async handle(input, ctx) {
      const username = input.params.username ?? '';
      const res = await ctx.api.call('POST', '/accounts/{username}/disable', {
        params: { username },
      });
      if (!res.ok) {
        return refusedPage(res.status, errorOf(res.body), 'accounts');
      }
      return {
        type: 'redirect',
        status: 303,
        location: `${BASE}?disabled=${encodeURIComponent(res.body.username)}`,
      };
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/batch`,
    roles: ROLES,
    handle: (_input, ctx) => batchPage(ctx),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/batch`,
    roles: ROLES,
    async handle(input, ctx) {
      const ticked = new Set(input.form.filter(([n]) => n === 'cadreId').map(([, v]) => v));
      const wholeTownships = new Set(input.form.filter(([n]) => n === 'township').map(([, v]) => v));
      if (wholeTownships.size) {
        // "All of a township": every cadre of it that has no account yet (the API skips the others).
        const cadres = await ctx.api.all('/cadres', {}, 20_000);
        for (const c of cadres) if (wholeTownships.has(c.townshipId ?? '-')) ticked.add(c.id);
      }
      if (!ticked.size) return batchPage(ctx, '请至少勾选一名干部或一个乡镇。', 400);
      const res = await ctx.api.call('POST', '/accounts/batch', { body: { cadreIds: [...ticked] } });
      if (!res.ok) {
        if (res.status >= 500) throw new Error(`POST /accounts/batch answered ${res.status}`);
        return batchPage(ctx, errorOf(res.body).message, res.status);
      }
      return slipsPage(ctx, res.body.created, {
        title: `已开通 ${res.body.created.length} 个账号`,
        skipped: res.body.skipped.filter((s) => s.code !== 'HAS_ACCOUNT'),
      });
    },
  }),
];

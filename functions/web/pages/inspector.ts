import * as z from 'zod/mini';
import { fieldMessages, formToBody, issuesOf } from '../../client/form-data.ts';
import {
  INSPECTION_MODE_LABELS,
  INSPECTION_MODES,
  PRESENCE_LABELS,
  PRESENCE_STATES,
} from '../../core/inspections.ts';
import {
  PROBLEM_SOURCE_LABELS,
  PROBLEM_SOURCES,
  problemCategoriesOf,
} from '../../core/problem-categories.ts';
import { PROBLEM_SEVERITIES, SEVERITY_LABELS } from '../../core/problems.ts';
import { dispatchColor, problemColor } from '../../core/rules/colors.ts';
import { beijingDate } from '../../core/time.ts';
import { ASSIGNMENT_ROLE_LABELS } from '../../schemas/assignments.ts';
import type { DispatchListItem } from '../../schemas/dispatches.ts';
import { verificationForm } from '../../schemas/problems.ts';
import { inspectorForms } from '../forms/inspector.ts';
import {
  choices,
  type FormState,
  field,
  fieldId,
  formView,
  freshForm,
  refusedForm,
  scoped,
  ticked,
} from '../forms/state.ts';
import { currentRules } from '../lookups.ts';
import { definePage, type PageContext, type PageDef, page } from '../route.ts';
import { entriesFor, submitForm } from '../submit.ts';
import { shortDate, shortDateTime } from '../view/format.ts';

/**
 * The inspector's pages (mobile first, 360 px phones on a bad line): pick a village (grouped by
 * township, searchable without script), record one inspection there (heads counted, tasks checked,
 * problems per cadre), and verify the rectifications cadres have handed in. Both forms go through
 * the device's outbox (data-queue), so an inspection typed in a village with no signal is kept and
 * sent once the phone has signal again, exactly once.
 */
const ROLES = ['inspector'] as const;

/** Blank problem rows under each cadre for a post without script (blank rows are dropped). */
const SPARE_PROBLEM_ROWS = 2;
/** The verification queue lists at most this many (oldest handed-in first). */
/** Awaiting problems read for the queue (list items only); the details are read for one page. */
const QUEUE_MAX = 2000;
/** Problems per page of the verification queue. */
export const QUEUE_PAGE = 20;
/** A narrowed village search small enough that its pages are fetched ahead for offline use. */
const WARM_SEARCH_MAX = 12;

/** Reads each id once per request, however many rows name it. */
function lookup<T>(load: (id: string) => Promise<T>) {
  const seen = new Map<string, Promise<T>>();
  return (id: string): Promise<T> => {
    let hit = seen.get(id);
    if (!hit) {
      hit = load(id);
      seen.set(id, hit);
    }
    return hit;
  };
}

/** `?done=` after a redirect → the flag its confirmation is shown by (wording is in the template). */
function doneFlag(query: URLSearchParams, known: readonly string[]): Record<string, boolean> {
  const done = query.get('done') ?? '';
  return known.includes(done) ? { [done]: true } : {};
}

const villageHref = (id: string) => `/app/inspector/villages/${encodeURIComponent(id)}`;

/** Case-insensitive match on a village's name or id, the same rule the page script applies. */
function villageMatches(village: { id: string; name: string }, q: string): boolean {
  const needle = q.trim().toLowerCase();
  return needle === '' || `${village.name} ${village.id}`.toLowerCase().includes(needle);
}

// ---------------------------------------------------------------------------------------------
// 1. Pick a village

async function villageListPage(ctx: PageContext, query: URLSearchParams) {
  const q = (query.get('q') ?? '').trim().slice(0, 50);
  const [townships, villages, awaiting] = await Promise.all([
    ctx.api.all('/townships'),
    ctx.api.all('/villages', {}, 5000),
    ctx.api.all('/problems', { query: { status: 'awaiting_verification' } }, 1000),
  ]);
  const shown = villages.filter((v) => villageMatches(v, q));
  const groups = new Map<string, { id: string; name: string; villages: unknown[] }>();
  for (const t of townships) groups.set(t.id, { id: t.id, name: t.name, villages: [] });
  for (const v of [...shown].sort((a, b) => a.id.localeCompare(b.id))) {
    let group = groups.get(v.townshipId);
    if (!group) {
      group = { id: v.townshipId, name: v.townshipId, villages: [] };
      groups.set(v.townshipId, group);
    }
    group.villages.push({
      id: v.id,
      name: v.name,
      category: v.categoryLabel,
      href: villageHref(v.id),
      search: `${v.name} ${v.id}`.toLowerCase(),
    });
  }
  const list = [...groups.values()]
    .filter((g) => g.villages.length > 0)
    .map((g) => ({ ...g, count: g.villages.length, headingId: fieldId(`township-${g.id}`) }));
  return page(
    'inspector/villages',
    '选择村',
    {
      q,
      searching: q !== '',
      groups: list,
      total: villages.length,
      shown: shown.length,
      awaiting: awaiting.length,
      done: doneFlag(query, ['inspection']),
    },
    {
      nav: 'villages',
      warm: [
        '/app/inspector/verifications',
        ...(q && shown.length <= WARM_SEARCH_MAX ? shown.map((v) => villageHref(v.id)) : []),
      ],
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 2. A village and its inspection form

function problemRow(form: FormState, base: string, index: number, categories: readonly string[]) {
  const name = (key: string) => `${base}.${index}.${key}`;
  return {
    category: field(form, name('category')),
    categories: choices(
      form,
      name('category'),
      categories.map((c) => ({ value: c, label: c })),
    ),
    // A select, not a checkbox: a checkbox's hidden `false` would make a spare blank row look filled in.
    absence: field(form, name('absence')),
    absences: choices(form, name('absence'), [{ value: 'true', label: '是' }]),
    source: field(form, name('source')),
    sources: choices(
      form,
      name('source'),
      PROBLEM_SOURCES.map((s) => ({ value: s, label: PROBLEM_SOURCE_LABELS[s] })),
    ),
    number: index + 1,
    description: field(form, name('description')),
    severity: field(form, name('severity')),
    severities: choices(
      form,
      name('severity'),
      PROBLEM_SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] })),
    ),
    rectifyBy: field(form, name('rectifyBy')),
    photoIds: field(form, name('photoIds')),
  };
}

/** Rows typed so far (after a refusal) plus the spare blank ones. */
function problemRowCount(form: FormState, base: string): number {
  let last = -1;
  const prefix = `${base}.`;
  for (const [name, values] of form.values) {
    if (!name.startsWith(prefix)) continue;
    const index = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(index) && values.some((v) => v.trim() !== '')) last = Math.max(last, index);
  }
  return last + 1 + SPARE_PROBLEM_ROWS;
}

async function villagePage(ctx: PageContext, id: string, state: FormState | undefined, status?: number) {
  const today = beijingDate(ctx.now);
  const [village, active, dispatches, rules] = await Promise.all([
    ctx.api.get('/villages/{id}', { params: { id } }),
    ctx.api.all('/assignments', { query: { villageId: id, active: 'true' } }, 200),
    ctx.api.all('/dispatches', { query: { villageId: id } }, 500),
    currentRules(ctx.api),
  ]);
  // Not ended, and already begun: someone appointed from next Monday is not inspected today.
  const assignments = active.filter((a) => a.from <= today);
  const [township, cadres] = await Promise.all([
    ctx.api.get('/townships/{id}', { params: { id: village.townshipId } }),
    Promise.all(assignments.map((a) => ctx.api.get('/cadres/{id}', { params: { id: a.cadreId } }))),
  ]);
  const form = state ?? freshForm({ villageId: village.id, mode: 'open', date: today });
  const open = dispatches.filter((d) => d.assigneeStatus !== 'done');

  const people = assignments
    .map((a, i) => ({ a, cadre: cadres[i]! }))
    // The chief (总队长) first, then members in the order they joined.
    .sort(
      (x, y) =>
        Number(y.a.role === 'chief') - Number(x.a.role === 'chief') ||
        x.a.from.localeCompare(y.a.from) ||
        x.cadre.id.localeCompare(y.cadre.id),
    )
    // One finding per cadre, even if the roster lists someone twice.
    .filter((p, i, all) => all.findIndex((q) => q.cadre.id === p.cadre.id) === i);

  const findings = people.map(({ a, cadre }, i) => {
    const base = `findings.${i}`;
    const mine = open.filter((d) => d.cadreId === cadre.id);
    const problemsBase = `${base}.problems`;
    return {
      index: i,
      id: cadre.id,
      name: cadre.name,
      unit: cadre.unit,
      rank: cadre.rankLabel,
      // A member's team role (第一书记…) says more than 工作队员; the chief is the chief.
      role: a.role === 'member' && a.teamRoleLabel ? a.teamRoleLabel : ASSIGNMENT_ROLE_LABELS[a.role],
      isChief: a.role === 'chief',
      legendId: fieldId(`${base}-legend`),
      fields: {
        cadreId: field(form, `${base}.cadreId`),
        // 在岗 / 不在岗 / 未点名, nothing chosen beforehand: an untouched cadre is 未点名, never absent.
        presence: field(form, `${base}.presence`),
        presences: choices(
          form,
          `${base}.presence`,
          PRESENCE_STATES.map((p) => ({ value: p, label: PRESENCE_LABELS[p] })),
        ),
        commend: field(form, `${base}.commend`),
        commendTicked: ticked(form, `${base}.commend`),
        note: field(form, `${base}.note`),
        dispatchId: field(form, `${base}.dispatchId`),
        dispatches: choices(
          form,
          `${base}.dispatchId`,
          mine.map((d) => ({ value: d.id, label: `${d.number} ${d.title}` })),
        ),
        hasDispatches: mine.length > 0,
        problems: field(form, problemsBase),
      },
      problems: Array.from({ length: problemRowCount(form, problemsBase) }, (_, j) =>
        problemRow(form, problemsBase, j, problemCategoriesOf(rules)),
      ),
    };
  });

  // The village's open tasks, one entry per dispatch with each assignee's progress.
  const byDispatch = new Map<string, { d: DispatchListItem; rows: DispatchListItem[] }>();
  for (const d of open) {
    const entry = byDispatch.get(d.id) ?? { d, rows: [] };
    entry.rows.push(d);
    byDispatch.set(d.id, entry);
  }
  const tasks = [...byDispatch.values()]
    .map(({ d, rows }) => {
      const colors = rows.map((r) => dispatchColor(r, ctx.now, rules));
      // The badge shows the row furthest behind: most days overdue, else least time left.
      const worst = colors.reduce((w, c) =>
        c.daysOverdue > w.daysOverdue || (c.daysOverdue === w.daysOverdue && c.daysLeft < w.daysLeft) ? c : w,
      );
      return {
        id: d.id,
        number: d.number,
        title: d.title,
        category: d.category,
        deadline: shortDateTime(d.deadline),
        deadlineAt: d.deadline,
        color: worst,
        assignees: rows.map((r) => ({
          name: r.cadreName ?? r.cadreId ?? '',
          started: r.assigneeStatus === 'in_progress',
          lastReportAt: shortDateTime(r.lastReportAt),
        })),
      };
    })
    .sort((a, b) => a.deadlineAt.localeCompare(b.deadlineAt));

  return page(
    'inspector/village',
    `${village.name} · 督查`,
    {
      village: {
        id: village.id,
        name: village.name,
        category: village.categoryLabel,
        townshipName: township.name,
      },
      tasks,
      findings,
      hasCadres: findings.length > 0,
      form: formView(form),
      fields: {
        villageId: village.id,
        mode: field(form, 'mode'),
        modes: choices(
          form,
          'mode',
          INSPECTION_MODES.map((m) => ({ value: m, label: INSPECTION_MODE_LABELS[m] })),
        ),
        date: field(form, 'date', today),
        note: field(form, 'note'),
      },
      today,
      rectifyDays: rules.rectificationDays,
      templateRow: problemRow(freshForm(), 'findings.__F__.problems', 0, problemCategoriesOf(rules)),
      action: `${villageHref(village.id)}/inspections`,
    },
    { nav: 'villages', ...(status ? { status } : {}) },
  );
}

// ---------------------------------------------------------------------------------------------
// 3. The verification queue

/** formView() for a form whose field ids are scoped(): the summary links to the scoped ids. */
function scopedFormView(state: FormState, scope: string) {
  const errorId = fieldId(`${scope}-form-error`);
  return {
    ...formView(state),
    summaryId: fieldId(`${scope}-summary`),
    errorId,
    summary: state.errors
      .filter((e) => e.message !== state.error?.message)
      .map((e) => {
        // The outcome and the kind are radio groups: their messages link to the first choice.
        const target =
          e.name === 'outcome'
            ? `${fieldId(`${scope}-outcome`)}-accepted`
            : e.name === 'kind'
              ? `${fieldId(`${scope}-kind`)}-incomplete`
              : fieldId(`${scope}-${e.name}`);
        return { href: `#${e.name ? target : errorId}`, message: e.message };
      }),
  };
}

/** A record's photos as thumbnails linking to the full photo (links are short-lived: made per page). */
type PhotoLinks = { photos?: ReadonlyArray<{ url: string; thumbnailUrl: string }> | undefined };
const thumbnails = (record: object | undefined) =>
  ((record as PhotoLinks | undefined)?.photos ?? []).map((p, i) => ({
    url: p.url,
    thumbnailUrl: p.thumbnailUrl,
    number: i + 1,
  }));

/** Before: the problem's photos from the inspection; after: those of the rectification handed in. */
function beforeAfter(problem: object, rectification: object | undefined) {
  const before = thumbnails(problem);
  const after = thumbnails(rectification);
  return { before, after, any: before.length + after.length > 0 };
}

/**
 * One page of the queue (`?page=`, oldest hand-in first). A refused verification re-renders the page
 * holding its problem, so the person sees their form with its messages.
 */
function queuePage<T extends { id: string }>(
  queue: T[],
  query: URLSearchParams,
  township: string,
  refusedId?: string,
) {
  const pages = Math.max(1, Math.ceil(queue.length / QUEUE_PAGE));
  const at = refusedId ? queue.findIndex((p) => p.id === refusedId) : -1;
  const asked = at >= 0 ? Math.floor(at / QUEUE_PAGE) + 1 : Number.parseInt(query.get('page') ?? '1', 10);
  const current = Number.isInteger(asked) ? Math.min(Math.max(asked, 1), pages) : 1;
  const href = (n: number) => {
    const qs = new URLSearchParams({
      ...(township ? { township } : {}),
      ...(n > 1 ? { page: String(n) } : {}),
    });
    return qs.size ? `/app/inspector/verifications?${qs}` : '/app/inspector/verifications';
  };
  return {
    shown: queue.slice((current - 1) * QUEUE_PAGE, current * QUEUE_PAGE),
    links: {
      show: pages > 1,
      previous: current > 1 ? href(current - 1) : '',
      next: current < pages ? href(current + 1) : '',
      page: current,
      pages,
    },
  };
}

interface Refusal {
  problemId: string;
  state: FormState;
}

async function verificationsPage(
  ctx: PageContext,
  query: URLSearchParams,
  refusal?: Refusal,
  status?: number,
) {
  const townshipId = (query.get('township') ?? '').trim();
  const [townships, rules] = await Promise.all([ctx.api.all('/townships'), currentRules(ctx.api)]);
  const filter = townships.some((t) => t.id === townshipId) ? townshipId : '';
  const waiting = await ctx.api.all(
    '/problems',
    { query: { status: 'awaiting_verification', ...(filter ? { townshipId: filter } : {}) } },
    QUEUE_MAX,
  );
  // Oldest hand-in first: the cadre who reported first has waited longest for the re-check.
  const queue = waiting
    .slice(0, QUEUE_MAX)
    .sort(
      (a, b) =>
        (a.rectifiedAt ?? a.updatedAt).localeCompare(b.rectifiedAt ?? b.updatedAt) ||
        a.id.localeCompare(b.id),
    );
  const paging = queuePage(queue, query, filter, refusal?.problemId);
  const cadre = lookup((id) => ctx.api.get('/cadres/{id}', { params: { id } }));
  const village = lookup((id) => ctx.api.get('/villages/{id}', { params: { id } }));
  const townshipNames = new Map(townships.map((t) => [t.id, t.name]));
  const items = await Promise.all(
    paging.shown.map(async (p) => {
      const [detail, c, v] = await Promise.all([
        ctx.api.get('/problems/{id}', { params: { id: p.id } }),
        cadre(p.cadreId),
        village(p.villageId),
      ]);
      const latest = detail.events
        .filter((e) => e.kind === 'rectification')
        .sort((a, b) => b.at.localeCompare(a.at))[0];
      const form = refusal?.problemId === p.id ? refusal.state : freshForm();
      const outcome = scoped(field(form, 'outcome'), p.id);
      const choose = (value: string) => ({
        id: `${outcome.id}-${value}`,
        checked: field(form, 'outcome').value === value,
      });
      return {
        id: p.id,
        description: p.description,
        severity: SEVERITY_LABELS[p.severity],
        cadreName: c.name,
        cadreUnit: c.unit,
        villageName: v.name,
        townshipName: townshipNames.get(p.townshipId) ?? p.townshipId,
        foundOn: shortDate(p.foundOn),
        rectifyBy: shortDate(p.rectifyBy),
        rectifiedAt: shortDateTime(p.rectifiedAt ?? latest?.at),
        rectificationNote: latest?.note ?? '',
        photos: beforeAfter(detail, latest),
        falseRectifications: p.falseRectifications,
        color: problemColor(p, ctx.now, rules),
        headingId: fieldId(`problem-${p.id}`),
        action: `/app/inspector/problems/${encodeURIComponent(p.id)}/verify`,
        form: scopedFormView(form, p.id),
        fields: {
          outcome,
          accepted: choose('accepted'),
          rejected: choose('rejected'),
          // 整改不到位 or 虚假整改: two choices, none made beforehand.
          kind: scoped(field(form, 'kind'), p.id),
          incomplete: {
            id: `${scoped(field(form, 'kind'), p.id).id}-incomplete`,
            checked: field(form, 'kind').value === 'incomplete',
          },
          falseKind: {
            id: `${scoped(field(form, 'kind'), p.id).id}-false`,
            checked: field(form, 'kind').value === 'false',
          },
          rectifyBy: scoped(field(form, 'rectifyBy'), p.id),
          note: scoped(field(form, 'note'), p.id),
        },
        today: beijingDate(ctx.now),
      };
    }),
  );
  const refusedElsewhere =
    refusal && !paging.shown.some((p) => p.id === refusal.problemId)
      ? (refusal.state.error?.message ?? '')
      : '';
  return page(
    'inspector/verifications',
    '待复核的整改',
    {
      items,
      count: queue.length,
      paging: paging.links,
      capped: waiting.length >= QUEUE_MAX,
      max: QUEUE_MAX,
      township: filter,
      townshipName: townshipNames.get(filter) ?? '',
      townships: townships.map((t) => ({ value: t.id, label: t.name, selected: t.id === filter })),
      refusedElsewhere,
      done: doneFlag(query, ['accepted', 'rejected', 'incomplete']),
    },
    { nav: 'verifications', ...(status ? { status } : {}) },
  );
}

export const inspectorPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: '/app/inspector',
    roles: ROLES,
    handle: (input, ctx) => villageListPage(ctx, input.query),
  }),
  definePage({
    method: 'GET',
    path: '/app/inspector/villages/{id}',
    roles: ROLES,
    handle: (input, ctx) => villagePage(ctx, input.params.id!, undefined),
  }),
  definePage({
    method: 'POST',
    path: '/app/inspector/villages/{id}/inspections',
    roles: ROLES,
    handle: (input, ctx) => {
      const id = input.params.id!;
      // The village is the page's, whatever the posted fields say.
      const form = [...input.form.filter(([name]) => name !== 'villageId'), ['villageId', id] as const];
      return submitForm({ ...input, form }, ctx, {
        form: inspectorForms.inspection,
        path: '/inspections',
        success: () => '/app/inspector?done=inspection',
        refused: (state, status) => villagePage(ctx, id, state, status),
      });
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/inspector/verifications',
    roles: ROLES,
    handle: (input, ctx) => verificationsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: '/app/inspector/problems/{id}/verify',
    formPage: '/app/inspector/verifications',
    roles: ROLES,
    handle: async (input, ctx) => {
      const id = input.params.id!;
      const township = input.form.find(([name]) => name === '_township')?.[1] ?? '';
      const back = (extra: Record<string, string>) =>
        new URLSearchParams({ ...(township ? { township } : {}), ...extra });
      const refused = (state: FormState, status: number) =>
        verificationsPage(ctx, back({}), { problemId: id, state }, status);
      // The form asks more than the API (kind and note on a rejection): checked here too, so a post
      // without JavaScript and a queued one get the same messages as the page's script shows.
      const form = inspectorForms.verification;
      const { body, paths } = formToBody(form.schema, entriesFor(form, input.form));
      const checked = z.safeParse(verificationForm, body);
      if (!checked.success) {
        const fields = fieldMessages(issuesOf(checked.error), paths);
        const error = { code: 'VALIDATION_FAILED', message: '请按提示修改后再提交。' };
        if (input.wantsJson) return { type: 'json', status: 400, body: { ok: false, error, fields } };
        return refused(refusedForm(input.form, fields, error), 400);
      }
      return submitForm(input, ctx, {
        form,
        path: '/problems/{id}/verifications',
        params: { id },
        success: (answer) => {
          const a = answer as { outcome?: string; kind?: string };
          const done =
            a.outcome !== 'rejected' ? 'accepted' : a.kind === 'incomplete' ? 'incomplete' : 'rejected';
          return `/app/inspector/verifications?${back({ done })}`;
        },
        refused,
      });
    },
  }),
];

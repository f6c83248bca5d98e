import { beijingDate } from '../../../core/time.ts';
import { accountabilityForms } from '../../forms/admin-accountability.ts';
import { type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { evaluatedWeeks, readBulletin } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { weekLabel } from '../../view/evaluation.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';
import { ADMIN, statusOf } from './lists.ts';

/**
 * HQ's follow-up of the weekly tiers: self-criticism meetings (检讨发言会: the latest evaluated week's
 * self-criticism tier offered as speakers) and remedial training (干部营养餐: sessions, each with its
 * roster proposed from the circle's candidates, and a form per person to mark attendance and
 * completion). Every form posts to its page and goes through the API (303 back on success).
 */
const MEETINGS = '/app/admin/self-criticism';
const TRAININGS = '/app/admin/trainings';
const trainingHref = (id: string) => `${TRAININGS}/${encodeURIComponent(id)}`;

async function meetingsPage(ctx: PageContext, query: URLSearchParams, state?: FormState, status?: number) {
  const [list, weeks] = await Promise.all([
    ctx.api.get('/self-criticism-meetings', { query: { limit: 50 } }),
    evaluatedWeeks(ctx.api, 1),
  ]);
  const week = weeks[0]?.week;
  const bulletin = week ? await readBulletin(ctx.api, week) : null;
  const tier = (bulletin?.cadres ?? []).filter((c) => c.tier === 'selfCriticism');
  const form =
    state ??
    freshForm({ date: beijingDate(ctx.now), week: week ?? '', speakerIds: tier.map((c) => c.cadreId) });
  const ticked = new Set(form.values.get('speakerIds') ?? []);
  const attending = new Set(form.values.get('attendeeIds') ?? []);
  return page(
    'admin/accountability/meetings',
    '检讨发言会',
    {
      done: query.get('done') === 'created',
      week: week ? { week, label: weekLabel(week) } : null,
      candidates: tier.map((c) => ({
        id: c.cadreId,
        name: c.name,
        explanation: c.explanation,
        speaker: ticked.has(c.cadreId),
        attendee: attending.has(c.cadreId),
      })),
      form: formView(form),
      fields: {
        date: field(form, 'date'),
        place: field(form, 'place'),
        notes: field(form, 'notes'),
        week: field(form, 'week'),
        otherAttendees: field(form, 'otherAttendees'),
      },
      meetings: list.items.map((m) => ({
        id: m.id,
        date: shortDate(m.date),
        week: weekLabel(m.week),
        place: m.place ?? '',
        speakers: m.attendees
          .filter((a) => a.spoke)
          .map((a) => a.name)
          .join('、'),
        others: m.attendees
          .filter((a) => !a.spoke)
          .map((a) => a.name)
          .join('、'),
        notes: m.notes ?? '',
      })),
    },
    { nav: 'self-criticism', ...statusOf(status) },
  );
}

async function trainingsPage(ctx: PageContext, query: URLSearchParams, state?: FormState, status?: number) {
  const list = await ctx.api.get('/trainings', { query: { limit: 50 } });
  const form = state ?? freshForm({ date: beijingDate(ctx.now) });
  return page(
    'admin/accountability/trainings',
    '干部营养餐培训',
    {
      done: query.get('done') === 'created',
      form: formView(form),
      fields: {
        title: field(form, 'title'),
        date: field(form, 'date'),
        place: field(form, 'place'),
        week: field(form, 'week'),
      },
      trainings: list.items.map((t) => ({
        href: trainingHref(t.id),
        title: t.title,
        date: shortDate(t.date),
        place: t.place ?? '',
        week: t.week ? weekLabel(t.week) : '',
      })),
    },
    { nav: 'trainings', ...statusOf(status) },
  );
}

async function trainingPage(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  refused?: { cadreId: string; state: FormState },
  status?: number,
) {
  const t = await ctx.api.get('/trainings/{id}', { params: { id } });
  const add = refused && !t.roster.some((r) => r.cadreId === refused.cadreId) ? refused.state : freshForm();
  return page(
    'admin/accountability/training',
    `干部营养餐培训：${t.title}`,
    {
      done: query.get('done') === 'marked',
      training: {
        title: t.title,
        date: shortDate(t.date),
        place: t.place ?? '',
        week: t.week ? weekLabel(t.week) : '',
        counts: t.counts,
      },
      action: `${trainingHref(t.id)}/attendance`,
      rows: t.roster.map((r) => {
        const state = refused?.cadreId === r.cadreId ? refused.state : freshForm();
        const current = r.completed
          ? 'completed'
          : r.attended
            ? 'attended'
            : r.attended === false
              ? 'absent'
              : '';
        return {
          cadreId: r.cadreId,
          name: r.name,
          proposed: r.proposed,
          byTier: r.reasons.includes('tier'),
          byWeeks: r.reasons.includes('consecutiveWeeks'),
          held: r.reasons.includes('trainingIncomplete'),
          status: current,
          unmarked: r.attended === null,
          attended: r.attended === true,
          completed: r.completed,
          markedAt: r.markedAt ? shortDateTime(r.markedAt) : '',
          form: formView(state),
          statusField: field(state, 'status', current),
          options: [
            { value: 'absent', label: '未参加', selected: current === 'absent' },
            { value: 'attended', label: '参加，未结业', selected: current === 'attended' },
            { value: 'completed', label: '参加并结业', selected: current === 'completed' },
          ],
        };
      }),
      add: { form: formView(add), cadreId: field(add, 'cadreId') },
    },
    { nav: 'trainings', ...statusOf(status) },
  );
}

export const accountabilityPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: MEETINGS,
    roles: ADMIN,
    handle: (input, ctx) => meetingsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: MEETINGS,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: accountabilityForms['self-criticism-new'],
        path: '/self-criticism-meetings',
        success: () => `${MEETINGS}?done=created`,
        refused: (state, status) => meetingsPage(ctx, input.query, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: TRAININGS,
    roles: ADMIN,
    handle: (input, ctx) => trainingsPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: TRAININGS,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: accountabilityForms['training-new'],
        path: '/trainings',
        success: (body) => `${trainingHref(body.id)}?done=created`,
        refused: (state, status) => trainingsPage(ctx, input.query, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: `${TRAININGS}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) => trainingPage(ctx, input.params.id!, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${TRAININGS}/{id}/attendance`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: accountabilityForms['training-attendance'],
        path: '/trainings/{id}/attendance',
        params: { id: input.params.id! },
        success: () => `${trainingHref(input.params.id!)}?done=marked`,
        refused: (state, status) =>
          trainingPage(
            ctx,
            input.params.id!,
            input.query,
            { cadreId: input.form.find(([n]) => n === 'cadreId')?.[1] ?? '', state },
            status,
          ),
      }),
  }),
];

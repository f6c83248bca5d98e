import { SEVERITY_LABELS, STATUS_LABELS } from '../../../core/problems.ts';
import { addDays, beijingDate } from '../../../core/time.ts';
import { correctionForms } from '../../forms/admin-corrections.ts';
import { type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { definePage, type PageContext, type PageDef, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';
import { ADMIN, statusOf } from './lists.ts';

/**
 * HQ's corrections of inspection records: voiding an inspection recorded in error (作废: it and its
 * problems stop counting, the record stays) and extending a problem's deadline (延期). Each is a
 * form page (GET) that posts to itself (POST → the API → 303 back to the record's page). The record
 * pages (records.ts) link here.
 */
const inspectionHref = (id: string) => `/app/admin/inspections/${encodeURIComponent(id)}`;
const problemHref = (id: string) => `/app/admin/problems/${encodeURIComponent(id)}`;

async function voidPage(ctx: PageContext, id: string, state?: FormState, status?: number) {
  const inspection = await ctx.api.get('/inspections/{id}', { params: { id } });
  const [village, township] = await Promise.all([
    ctx.api.get('/villages/{id}', { params: { id: inspection.villageId } }),
    ctx.api.get('/townships/{id}', { params: { id: inspection.townshipId } }),
  ]);
  const form = state ?? freshForm();
  return page(
    'admin/corrections/void',
    `作废督查记录：${village.name} ${shortDate(inspection.date)}`,
    {
      inspection: {
        id: inspection.id,
        href: inspectionHref(inspection.id),
        date: shortDate(inspection.date),
        mode: inspection.modeLabel,
        place: `${township.name} ${village.name}`,
        findingCount: inspection.findingCount,
        problemCount: inspection.problemCount,
        absentCount: inspection.absentCount,
      },
      voided: inspection.voided
        ? { at: shortDateTime(inspection.voided.at), reason: inspection.voided.reason }
        : null,
      action: `${inspectionHref(inspection.id)}/void`,
      form: formView(form),
      fields: { reason: field(form, 'reason') },
    },
    { nav: 'inspections', ...statusOf(status) },
  );
}

async function extensionPage(ctx: PageContext, id: string, state?: FormState, status?: number) {
  const problem = await ctx.api.get('/problems/{id}', { params: { id } });
  const today = beijingDate(ctx.now);
  // The first date the API takes: the day after the deadline, and not before today.
  const next = addDays(problem.rectifyBy, 1);
  const earliest = [next, today].sort().at(-1) ?? today;
  const form = state ?? freshForm();
  const closed = problem.status === 'closed' || problem.voided !== undefined;
  return page(
    'admin/corrections/extension',
    `延长整改期限：${problem.description}`,
    {
      problem: {
        id: problem.id,
        href: problemHref(problem.id),
        description: problem.description,
        severity: SEVERITY_LABELS[problem.severity],
        status: STATUS_LABELS[problem.status],
        foundOn: shortDate(problem.foundOn),
        rectifyBy: shortDate(problem.rectifyBy),
        overdue: problem.status !== 'closed' && problem.rectifyBy < today,
        voided: problem.voided !== undefined,
        closed: problem.status === 'closed',
      },
      extensions: (problem.extensions ?? []).map((e) => ({
        at: shortDateTime(e.at),
        from: shortDate(e.from),
        to: shortDate(e.rectifyBy),
        reason: e.reason,
      })),
      canExtend: !closed,
      earliest,
      action: `${problemHref(problem.id)}/extension`,
      form: formView(form),
      fields: { rectifyBy: field(form, 'rectifyBy'), reason: field(form, 'reason') },
    },
    { nav: 'problems', ...statusOf(status) },
  );
}

export const correctionPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: '/app/admin/inspections/{id}/void',
    roles: ADMIN,
    handle: (input, ctx) => voidPage(ctx, input.params.id!),
  }),
  definePage({
    method: 'POST',
    path: '/app/admin/inspections/{id}/void',
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: correctionForms['inspection-void'],
        path: '/inspections/{id}/void',
        params: { id: input.params.id! },
        success: () => `${inspectionHref(input.params.id!)}?done=voided`,
        refused: (state, status) => voidPage(ctx, input.params.id!, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: '/app/admin/problems/{id}/extension',
    roles: ADMIN,
    handle: (input, ctx) => extensionPage(ctx, input.params.id!),
  }),
  definePage({
    method: 'POST',
    path: '/app/admin/problems/{id}/extension',
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: correctionForms['problem-extension'],
        path: '/problems/{id}/extensions',
        params: { id: input.params.id! },
        success: () => `${problemHref(input.params.id!)}?done=extended`,
        refused: (state, status) => extensionPage(ctx, input.params.id!, state, status),
      }),
  }),
];

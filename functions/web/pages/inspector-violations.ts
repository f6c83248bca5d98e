import type { ApiClient } from '../../client/api-client.ts';
import type { DirectReport } from '../../schemas/direct-reports.ts';
import { VERIFICATION_VERDICT_LABELS, VERIFICATION_VERDICTS } from '../../schemas/resources.ts';
import { inspectorForms } from '../forms/inspector.ts';
import { choices, type FormState, field, formView, freshForm } from '../forms/state.ts';
import { cadreNames, type Places, placeNames } from '../lookups.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDateTime, signer } from '../view/format.ts';

/**
 * The inspector's violation reports (违规举报, seed 000, docs/quotas.md): the county's violation reports
 * with whether each is verified, and on each report's page the verification — 查证属实 or 查无实据, with
 * what was found on the spot. Only a report found true can ground a sanction on the village's quota.
 */
const ROLES = ['inspector'] as const;
const BASE = '/app/inspector/violations';
const enc = encodeURIComponent;
const VERDICT_OPTIONS = VERIFICATION_VERDICTS.map((v) => ({
  value: v,
  label: VERIFICATION_VERDICT_LABELS[v],
}));

async function verificationOf(api: ApiClient, id: string) {
  const res = await api.call('GET', '/direct-reports/{id}/verification', { params: { id } });
  return res.ok ? res.body : null;
}

function reportRow(r: DirectReport, names: Places) {
  return {
    id: r.id,
    href: `${BASE}/${enc(r.id)}`,
    summary: r.summary,
    village: names.village(r.villageId),
    township: names.township(r.townshipId),
    at: shortDateTime(r.createdAt),
  };
}

async function listView(ctx: PageContext) {
  const [list, names] = await Promise.all([
    ctx.api.get('/direct-reports', { query: { kind: 'violation', limit: 50 } }),
    placeNames(ctx.api),
  ]);
  const verifications = await Promise.all(list.items.map((r) => verificationOf(ctx.api, r.id)));
  const rows = list.items.map((r, i) => {
    const v = verifications[i];
    return {
      ...reportRow(r, names),
      verified: v !== null && v !== undefined,
      confirmed: v?.verdict === 'confirmed',
      verdict: v?.verdictLabel ?? '',
    };
  });
  return page(
    'inspector/violations',
    '违规举报',
    { waiting: rows.filter((r) => !r.verified), verified: rows.filter((r) => r.verified) },
    { nav: 'violations', warm: rows.filter((r) => !r.verified).map((r) => r.href) },
  );
}

async function reportView(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  state?: FormState,
  status?: number,
) {
  const [report, verification, names] = await Promise.all([
    ctx.api.get('/direct-reports/{id}', { params: { id } }),
    verificationOf(ctx.api, id),
    placeNames(ctx.api),
  ]);
  const reporter = (await cadreNames(ctx.api, [report.cadreId])).get(report.cadreId);
  const form = state ?? freshForm();
  return page(
    'inspector/violation',
    `违规举报：${names.village(report.villageId)}`,
    {
      done: { verified: query.get('done') === 'verified' },
      report: {
        ...reportRow(report, names),
        details: report.details ?? '',
        reporter: reporter?.name ?? '',
      },
      verification: verification
        ? {
            verdict: verification.verdictLabel,
            confirmed: verification.verdict === 'confirmed',
            note: verification.note,
            by: signer(verification.verifiedByName, '督查组'),
            at: shortDateTime(verification.verifiedAt),
          }
        : null,
      action: `${BASE}/${enc(report.id)}/verify`,
      form: formView(form),
      fields: {
        verdict: field(form, 'verdict'),
        verdicts: choices(form, 'verdict', VERDICT_OPTIONS),
        note: field(form, 'note'),
      },
    },
    { nav: 'violations', ...(status ? { status } : {}) },
  );
}

export const inspectorViolationPages = [
  definePage({ method: 'GET', path: BASE, roles: ROLES, handle: (_input, ctx) => listView(ctx) }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}`,
    roles: ROLES,
    handle: (input, ctx) => reportView(ctx, input.params.id!, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/verify`,
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: inspectorForms['violation-verify'],
        path: '/direct-reports/{id}/verify',
        params: { id: input.params.id! },
        success: () => `${BASE}/${enc(input.params.id!)}?done=verified`,
        refused: (state, status) => reportView(ctx, input.params.id!, new URLSearchParams(), state, status),
      }),
  }),
];

import { ApiCallError, errorOf, type ItemOf } from '../../../client/api-client.ts';
import { fieldMessages } from '../../../client/form-data.ts';
import { DOCUMENT_KIND_LABELS, type DocumentKind } from '../../../documents/render.ts';
import { NOTICE_KINDS, noticeFilters, readFilters } from '../../forms/admin-reports.ts';
import { field, freshForm } from '../../forms/state.ts';
import { evaluatedWeeks } from '../../lookups.ts';
import { definePage, page } from '../../route.ts';
import { downloadHref, weekLabel } from '../../view/evaluation.ts';
import { shortDateTime } from '../../view/format.ts';

/**
 * HQ: every rendered document (周通报, 谈话通知书, 整改通知书, 通报批评, 任命书), filtered by kind, week
 * and cadre, page by page, each with its downloads. A download goes through this site's own route,
 * which calls GET /notices/{id}/download in-process and relays its answer as it is: the file itself
 * locally, a redirect to a short-lived S3 address on AWS. Either way the Chinese file name is the
 * API's (Content-Disposition), and the page never holds the file.
 */
const ROLES = ['admin'] as const;
const PAGE_SIZE = 25;

// The filter's list of kinds (kept apart from the document module for the browser) is every kind.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameKinds: Same<DocumentKind, (typeof NOTICE_KINDS)[number]> = true;
void _sameKinds;
const FILTERS = ['kind', 'week', 'cadreId'] as const;

type NoticeItem = ItemOf<'/notices'>;

function listHref(values: Record<string, string>, next?: string): string {
  const q = new URLSearchParams();
  for (const name of FILTERS) if (values[name]) q.set(name, values[name]!);
  if (next) q.set('next', next);
  const query = q.toString();
  return `/app/admin/notices${query ? `?${query}` : ''}`;
}

export const noticePages = [
  definePage({
    method: 'GET',
    path: '/app/admin/notices',
    roles: ROLES,
    async handle(input, ctx) {
      const filters = readFilters(noticeFilters, input.query, FILTERS);
      const next = input.query.get('next') ?? undefined;
      const [res, weeks, cadres] = await Promise.all([
        ctx.api.call('GET', '/notices', {
          query: { ...filters.values, limit: PAGE_SIZE, next },
        }),
        evaluatedWeeks(ctx.api, 52),
        ctx.api.all('/cadres', {}, 5000),
      ]);
      const form = freshForm(filters.given);
      form.errors = filters.errors;
      let items: NoticeItem[] = [];
      let after: string | undefined;
      let listError = '';
      if (res.ok) {
        items = res.body.items;
        after = res.body.next;
      } else if (res.status === 400) {
        // A stale cursor or a filter the API refuses: say so by the fields, list nothing.
        const error = errorOf(res.body);
        const paths = new Map(FILTERS.map((n) => [n, n]));
        const issues = (error.fields ?? []).map((f) => ({ ...f, path: f.path.replace(/^query/, 'body') }));
        form.errors = [...form.errors, ...fieldMessages(issues, paths).filter((m) => m.name)];
        listError = error.message;
      } else {
        throw new ApiCallError(res.status, errorOf(res.body), 'GET /notices');
      }
      const names = new Map(cadres.map((c) => [c.id, c.name]));
      const week = filters.values.week ?? '';
      const weekOptions = weeks.map((w) => ({
        value: w.week,
        label: weekLabel(w.week),
        selected: w.week === week,
      }));
      if (week && !weekOptions.some((o) => o.value === week))
        weekOptions.unshift({ value: week, label: weekLabel(week), selected: true });
      const cadreId = filters.values.cadreId ?? '';
      const cadreOptions = cadres
        .map((c) => ({ value: c.id, label: `${c.name}（${c.id}）`, selected: c.id === cadreId }))
        .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
      if (cadreId && !names.has(cadreId))
        cadreOptions.unshift({ value: cadreId, label: cadreId, selected: true });

      return page(
        'admin/notices/index',
        '文书',
        {
          filter: {
            kind: field(form, 'kind'),
            kinds: NOTICE_KINDS.map((k) => ({
              value: k,
              label: DOCUMENT_KIND_LABELS[k],
              selected: k === filters.values.kind,
            })),
            week: field(form, 'week'),
            weeks: weekOptions,
            cadreId: field(form, 'cadreId'),
            cadres: cadreOptions,
            active: Object.keys(filters.values).length > 0,
          },
          listError,
          rows: items.map((n) => ({
            id: n.id,
            number: n.number,
            title: n.title,
            kind: DOCUMENT_KIND_LABELS[n.kind] ?? n.kind,
            isBulletin: n.kind === 'bulletin',
            week: n.week ?? '',
            weekLabel: n.week ? weekLabel(n.week) : '',
            weekHref: n.week ? listHref({ ...filters.values, week: n.week }) : '',
            cadre: n.cadreId ? (names.get(n.cadreId) ?? n.cadreId) : '',
            cadreHref: n.cadreId ? listHref({ ...filters.values, cadreId: n.cadreId }) : '',
            revision: n.revision ?? null,
            revised: (n.revision ?? 0) > 1,
            createdAt: shortDateTime(n.createdAt),
            pdf: n.formats.includes('pdf') ? downloadHref(n.id, 'pdf') : '',
            html: downloadHref(n.id, 'html'),
            fileName: n.fileName,
          })),
          pager: {
            show: Boolean(next || after),
            first: next ? listHref(filters.values) : '',
            next: after ? listHref(filters.values, after) : '',
          },
          exportFilters: FILTERS.filter((n) => filters.values[n]).map((n) => ({
            name: n,
            value: filters.values[n]!,
          })),
        },
        { nav: 'notices' },
      );
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/admin/notices/{id}/download',
    roles: ROLES,
    async handle(input, ctx) {
      const res = await ctx.api.relay('GET', '/notices/{id}/download', {
        params: { id: input.params.id! },
        query: { format: input.query.get('format') ?? undefined },
      });
      // The file (200) or the redirect to it (302), exactly as the API gave it.
      if (res.status >= 400)
        throw new ApiCallError(res.status, errorOf(res.body), 'GET /notices/{id}/download');
      return { type: 'raw', result: res.raw };
    },
  }),
];

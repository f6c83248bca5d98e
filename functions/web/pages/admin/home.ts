import { countyMode } from '../../../accounts/sessions.ts';
import { isoWeekRange } from '../../../core/time.ts';
import { weekNumberWords } from '../../../core/week-words.ts';
import { placeNames } from '../../lookups.ts';
import { definePage, type PageDef, page } from '../../route.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';
import { ADMIN, IMPORT_PAGE } from './lists.ts';

/**
 * HQ's overview: the figures that need someone today, each a link to the list behind it — villages
 * without a chief, chiefs of several villages, open and overdue dispatches, direct reports waiting
 * for acknowledgement, rectifications waiting for verification, the latest weekly bulletin — and the
 * usual next steps.
 */
const LIST_MAX = 5000;

export const homePages: PageDef[] = [
  definePage({
    method: 'GET',
    path: '/app/admin',
    roles: ADMIN,
    async handle(_input, ctx) {
      const api = ctx.api;
      const [coverage, open, overdue, waiting, awaiting, bulletins, names] = await Promise.all([
        api.get('/coverage'),
        api.all('/dispatches', { query: { status: 'open' } }, LIST_MAX),
        api.all('/dispatches', { query: { status: 'overdue' } }, LIST_MAX),
        api.all('/direct-reports', { query: { status: 'new' } }, LIST_MAX),
        api.all('/problems', { query: { status: 'awaiting_verification' } }, LIST_MAX),
        api.get('/bulletins', { query: { limit: 1 } }),
        placeNames(api),
      ]);
      const latest = bulletins.items[0];
      const range = latest ? isoWeekRange(latest.week) : undefined;
      const urgent = [...waiting]
        .sort(
          (a, b) =>
            Number(b.kind === 'emergency') - Number(a.kind === 'emergency') ||
            b.createdAt.localeCompare(a.createdAt),
        )
        .slice(0, 5);
      const late = [...overdue].sort((a, b) => a.deadline.localeCompare(b.deadline)).slice(0, 5);
      return page(
        'admin/home',
        '总览',
        {
          figures: {
            villages: coverage.counts.villages,
            withoutChief: coverage.counts.villagesWithoutChief,
            severalVillages: coverage.counts.chiefsWithSeveralVillages,
            openDispatches: open.length,
            overdueDispatches: overdue.length,
            newReports: waiting.length,
            emergencies: waiting.filter((r) => r.kind === 'emergency').length,
            awaitingVerification: awaiting.length,
          },
          bulletin: latest
            ? {
                week: weekNumberWords(latest.week),
                from: shortDate(range?.monday ?? latest.monday),
                to: shortDate(range?.sunday ?? latest.sunday),
                revised: latest.revised,
                revision: latest.revision,
                provisional: latest.provisional,
                red: latest.colors.red,
                yellow: latest.colors.yellow,
                green: latest.colors.green,
                circle: latest.counts.circle,
                talks: latest.counts.reminderTalk + latest.counts.admonishmentTalk,
                href: `/app/admin/bulletins/${encodeURIComponent(latest.week)}`,
              }
            : null,
          urgent: urgent.map((r) => ({
            summary: r.summary,
            kind: r.kindLabel,
            emergency: r.kind === 'emergency',
            village: names.village(r.villageId),
            at: shortDateTime(r.createdAt),
            href: `/app/admin/direct-reports/${encodeURIComponent(r.id)}`,
          })),
          late: late.map((d) => ({
            number: d.number,
            title: d.title,
            deadline: shortDateTime(d.deadline),
            progress: `${d.doneCount ?? 0} / ${d.assigneeCount ?? 0}`,
            href: `/app/admin/dispatches/${encodeURIComponent(d.id)}`,
          })),
          importHref: IMPORT_PAGE,
          // County mode: accounts are HQ's to open (Cognito's console on AWS).
          accountsHref: countyMode() ? '/app/admin/accounts' : '',
        },
        { nav: 'home' },
      );
    },
  }),
];

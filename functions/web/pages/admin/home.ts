import { countyMode } from '../../../accounts/sessions.ts';
import { isoWeekOfInstant } from '../../../core/time.ts';
import { bulletinIssues, placeNames, readBulletin } from '../../lookups.ts';
import { definePage, type PageDef, page } from '../../route.ts';
import { bulletinHref, bulletinLabel } from '../../view/evaluation.ts';
import { shortDateTime } from '../../view/format.ts';
import { ADMIN, IMPORT_PAGE } from './lists.ts';

/**
 * HQ's overview: the figures that need someone today, each a link to the list behind it — villages
 * without a chief, chiefs of several villages, open and overdue dispatches, direct reports waiting
 * for acknowledgement, rectifications waiting for verification, this week's colours so far (the
 * provisional evaluation the board shows: past weeks can end with no green, docs/demo.md), the latest
 * bulletin by its issue and days — and a way to every area of the console.
 */
const LIST_MAX = 5000;

export const homePages: PageDef[] = [
  definePage({
    method: 'GET',
    path: '/app/admin',
    roles: ADMIN,
    async handle(_input, ctx) {
      const api = ctx.api;
      const currentWeek = isoWeekOfInstant(ctx.now);
      const [coverage, open, overdue, waiting, awaiting, bulletins, names, current] = await Promise.all([
        api.get('/coverage'),
        api.all('/dispatches', { query: { status: 'open' } }, LIST_MAX),
        api.all('/dispatches', { query: { status: 'overdue' } }, LIST_MAX),
        api.all('/direct-reports', { query: { status: 'new' } }, LIST_MAX),
        api.all('/problems', { query: { status: 'awaiting_verification' } }, LIST_MAX),
        api.get('/bulletins', { query: { limit: 1 } }),
        placeNames(api),
        readBulletin(api, currentWeek),
      ]);
      const latest = bulletins.items[0];
      const issues = await bulletinIssues(api, latest ? [latest.week] : []);
      const now = current?.provisional ? current : null;
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
                // 2026年第12期 big, its days beside the label; before it is numbered, the days alone.
                issue: issues.get(latest.week) ?? bulletinLabel(latest.week),
                days: bulletinLabel(latest.week),
                revised: latest.revised,
                revision: latest.revision,
                provisional: latest.provisional,
                circle: latest.counts.circle,
                entered: latest.counts.entered,
                exited: latest.counts.exited,
                talks: latest.counts.reminderTalk + latest.counts.admonishmentTalk,
                href: bulletinHref(latest.week),
              }
            : null,
          // This week so far, as the board shows it (red / yellow / on track / green = closed this week).
          thisWeek: now
            ? {
                red: now.colors.total.red,
                yellow: now.colors.total.yellow,
                onTrack: now.colors.total.onTrack,
                green: now.colors.total.green,
                asOf: shortDateTime(now.asOf),
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

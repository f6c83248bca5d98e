import { type NewsEvent, recordNews } from '../adapters/dynamo/news.ts';
import { notificationId, putNotification } from '../adapters/dynamo/notifications.ts';
import { invokeAsync } from '../adapters/invoke/index.ts';
import { SEVERITY_LABELS } from '../core/rules/terms.ts';
import { beijingDate, beijingDateTime, chineseDate } from '../core/time.ts';
import type { Logger } from '../http/logger.ts';

/**
 * News at once (docs/news.md), the request's half: after a write, the route builds the news (one of
 * the builders below), and `announce` records it, puts it on each cadre's notifications page in the
 * same request, and hands the emails and texts to the news function (an asynchronous invoke: on AWS
 * functions/api/news.ts, locally in-process after the answer). Email trouble never slows or fails the
 * request: a failed hand-off or send leaves the event pending, and the daily sweep sends it.
 * Everything is keyed by the fact (the problem, the verification, the dispatch, the report), so a
 * retried request records, notifies and sends nothing twice. No mail code here: the route bundles
 * stay small.
 */
export type { NewsEvent } from '../adapters/dynamo/news.ts';

/** Puts the event on each cadre's page (same id for the same fact) and starts its delivery. */
export async function announce(event: NewsEvent, log?: Pick<Logger, 'warn'>): Promise<NewsEvent> {
  const stored = await recordAndNotify(event);
  try {
    await invokeAsync('news', { key: stored.key });
  } catch (error) {
    // The event stays pending: the daily sweep delivers it.
    log?.warn('news not handed to the news function', {
      key: stored.key,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  return stored;
}

/**
 * Records the event (once) and puts it on each cadre's page, without starting its delivery: the
 * daily sweep does this for what it finds, then sends in-process.
 */
export async function recordAndNotify(event: NewsEvent): Promise<NewsEvent> {
  const { event: stored } = await recordNews(event);
  await writeNotifications(stored);
  return stored;
}

const NOTIFICATION_KIND = {
  new_problem: 'new_problem',
  rectification_rejected: 'rectification_rejected',
  new_dispatch: 'new_dispatch',
  talk_notice: 'talk_notice',
  report_closed: 'report_closed',
} as const;

export async function writeNotifications(event: NewsEvent): Promise<number> {
  if (event.kind === 'emergency_report') return 0;
  const kind = NOTIFICATION_KIND[event.kind];
  const id = notificationId(event.createdAt, event.key);
  let created = 0;
  for (let i = 0; i < event.messages.length; i += 25) {
    const written = await Promise.all(
      event.messages.slice(i, i + 25).map((m) =>
        putNotification({
          id,
          cadreId: m.cadreId,
          kind,
          title: event.title,
          body: m.lines.join('\n'),
          ...(event.deadline ? { deadline: event.deadline } : {}),
          ...(event.problemIds ? { problemIds: event.problemIds } : {}),
          ...(event.dispatchId ? { dispatchId: event.dispatchId } : {}),
          ...(event.noticeId ? { noticeId: event.noticeId } : {}),
          link: event.link,
          createdAt: event.createdAt,
        }),
      ),
    );
    created += written.filter(Boolean).length;
  }
  return created;
}

/** Text that a sentence-ending mark will follow: its own closing marks dropped (never "。。"). */
export function clause(text: string): string {
  return text.trim().replace(/[。．.！!？?；;，,、\s]+$/u, '');
}

interface ProblemFacts {
  id: string;
  cadreId: string;
  description: string;
  severity: keyof typeof SEVERITY_LABELS;
  rectifyBy: string;
}

/**
 * The problems one inspection found, told to each cadre concerned: one piece of news per (inspection,
 * cadre), listing that cadre's problems with their deadlines.
 */
export function newProblemNews(input: {
  inspectionId: string;
  date: string;
  modeLabel: string;
  villageName: string;
  createdAt: string;
  problems: ProblemFacts[];
}): NewsEvent[] {
  const byCadre = new Map<string, ProblemFacts[]>();
  for (const p of input.problems) byCadre.set(p.cadreId, [...(byCadre.get(p.cadreId) ?? []), p]);
  return [...byCadre].map(([cadreId, problems]) => {
    const deadline = problems.map((p) => p.rectifyBy).sort()[0] as string;
    const only = problems.length === 1 ? problems[0] : undefined;
    return {
      key: `problems:${input.inspectionId}:${cadreId}`,
      kind: 'new_problem',
      createdAt: input.createdAt,
      title: only ? '督查发现问题，请按期整改' : `督查发现 ${problems.length} 个问题，请按期整改`,
      link: only ? `/app/cadre/problems/${encodeURIComponent(only.id)}` : '/app/cadre/problems',
      deadline,
      messages: [
        {
          cadreId,
          lines: [
            `${chineseDate(input.date)}${input.modeLabel}发现您包联的${input.villageName}存在以下问题，请按期整改到位，并在系统中报告整改情况：`,
            ...problems.map(
              (p) =>
                `【${SEVERITY_LABELS[p.severity]}】${clause(p.description)}（整改期限：${chineseDate(p.rectifyBy)}）`,
            ),
          ],
        },
      ],
      problemIds: problems.map((p) => p.id),
    };
  });
}

/** A rectification the inspector did not accept, told to the cadre with the reason and what to do. */
export function rejectionNews(input: {
  problem: { id: string; cadreId: string; description: string; rectifyBy: string };
  verificationId: string;
  at: string;
  note: string;
  /** `incomplete` 整改不到位, `false` 虚假整改 (a rejection without a kind is a false one). */
  kind?: 'incomplete' | 'false' | undefined;
}): NewsEvent {
  const { problem } = input;
  const today = beijingDate(new Date(input.at));
  const judged = input.kind === 'incomplete' ? '整改不到位' : '记为虚假整改';
  const reason = clause(input.note);
  return {
    // The daily sweep's key for the same rejection: it finds this notification and sends nothing again.
    key: `rejected:${problem.id}:${input.verificationId}`,
    kind: 'rectification_rejected',
    createdAt: input.at,
    title: '整改未通过复核',
    link: `/app/cadre/problems/${encodeURIComponent(problem.id)}`,
    deadline: problem.rectifyBy,
    messages: [
      {
        cadreId: problem.cadreId,
        lines: [
          `问题“${clause(problem.description)}”的整改经复核未通过（${judged}）${reason ? `，复核意见：${reason}` : ''}。`,
          problem.rectifyBy < today
            ? `原整改期限 ${chineseDate(problem.rectifyBy)} 已过，请立即重新整改。`
            : `请在 ${chineseDate(problem.rectifyBy)} 前重新整改。`,
        ],
      },
    ],
    problemIds: [problem.id],
  };
}

/** A new dispatch, told to each assignee with their own villages. */
export function dispatchNews(input: {
  dispatch: {
    id: string;
    number: string;
    title: string;
    description: string;
    deadline: string;
    createdAt: string;
  };
  assignees: { cadreId: string; villageName: string }[];
  /** A chief's dispatch to their team: the chief's name (HQ's forms have none). */
  issuerName?: string;
}): NewsEvent {
  const { dispatch } = input;
  const issued = input.issuerName ? `总队长${input.issuerName}下达` : '指挥部下发';
  const villages = new Map<string, string[]>();
  for (const a of input.assignees) {
    const list = villages.get(a.cadreId) ?? [];
    if (a.villageName && !list.includes(a.villageName)) list.push(a.villageName);
    villages.set(a.cadreId, list);
  }
  const due = beijingDateTime(new Date(dispatch.deadline));
  return {
    key: `dispatch:${dispatch.id}`,
    kind: 'new_dispatch',
    createdAt: dispatch.createdAt,
    title: `新任务：${dispatch.number}《${dispatch.title}》`,
    link: `/app/cadre/dispatches/${encodeURIComponent(dispatch.id)}`,
    deadline: beijingDate(new Date(dispatch.deadline)),
    messages: [...villages].map(([cadreId, names]) => ({
      cadreId,
      lines: [
        `${issued}任务派遣单 ${dispatch.number}《${clause(dispatch.title)}》${names.length ? `（${names.join('、')}）` : ''}，请于 ${due} 前完成，并在系统中报告进展和完成情况。`,
        ...(dispatch.description ? [`${clause(dispatch.description)}。`] : []),
      ],
    })),
    dispatchId: dispatch.id,
  };
}

/** An emergency direct report, emailed at once to the county's recipients and the township's. */
export function emergencyNews(input: {
  report: { id: string; summary: string; details: string | null; createdAt: string; townshipId: string };
  cadreName: string;
  villageName: string;
}): NewsEvent {
  const { report } = input;
  return {
    key: `emergency:${report.id}`,
    kind: 'emergency_report',
    createdAt: report.createdAt,
    title: `紧急情况直报：${input.villageName}`,
    link: `/app/admin/direct-reports/${encodeURIComponent(report.id)}`,
    messages: [],
    recipients: {
      townshipId: report.townshipId,
      lines: [
        `${input.cadreName}（${input.villageName}）于 ${beijingDateTime(new Date(report.createdAt))} 发来紧急情况直报：${clause(report.summary)}。`,
        ...(report.details ? [`详细情况：${clause(report.details)}。`] : []),
        '请及时处置，并在系统中签收。',
      ],
    },
    reportId: report.id,
  };
}

/** A direct report closed (办结): the reporter is told how it was resolved, on their page and by email. */
export function reportClosedNews(input: {
  report: { id: string; cadreId: string; summary: string; createdAt: string; closedAt: string };
  villageName: string;
  resolution: string;
}): NewsEvent {
  const { report } = input;
  return {
    key: `report-closed:${report.id}`,
    kind: 'report_closed',
    createdAt: report.closedAt,
    title: `您的直报已办结：${clause(report.summary)}`,
    link: '/app/cadre/direct-reports/new',
    messages: [
      {
        cadreId: report.cadreId,
        lines: [
          `您于 ${beijingDateTime(new Date(report.createdAt))} 就${input.villageName}报告的“${clause(report.summary)}”已于 ${beijingDateTime(new Date(report.closedAt))} 办结。`,
          `办结情况：${clause(input.resolution)}。`,
        ],
      },
    ],
    reportId: report.id,
  };
}

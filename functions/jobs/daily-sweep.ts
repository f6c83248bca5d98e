import {
  clearPendingAppointmentLetter,
  listPendingAppointmentLetters,
} from '../adapters/dynamo/appointment-letters.ts';
import { getAssignment } from '../adapters/dynamo/assignments.ts';
import { mailLedger } from '../adapters/dynamo/mail-ledger.ts';
import { getNotice } from '../adapters/dynamo/notices.ts';
import { notificationId, putNotification } from '../adapters/dynamo/notifications.ts';
import { getProblems } from '../adapters/dynamo/problems.ts';
import { getCadres } from '../adapters/dynamo/roster.ts';
import { overdueDispatchRows, overdueOpenProblems, verificationsBetween } from '../adapters/dynamo/sweep.ts';
import { mailConfig } from '../adapters/mail/config.ts';
import { createMailer, type Mailer } from '../adapters/mail/mailer.ts';
import { renderEmail } from '../adapters/mail/templates.ts';
import { derivedId } from '../core/ids.ts';
import { SEVERITY_LABELS } from '../core/rules/terms.ts';
import { beijingDate, beijingDateTime, chineseDate, isoWeekOfInstant } from '../core/time.ts';
import type { Logger } from '../http/logger.ts';
import { countEmail } from '../http/metrics.ts';
import { evaluateAndStoreWeek } from './evaluate-week.ts';
import { currentIssuer, senderAs } from './issuer.ts';
import { deliverPendingNews } from './news.ts';
import { recordAndNotify, rejectionNews } from './news-events.ts';
import { renderAppointmentLetter } from './render-week-documents.ts';
import type { DeliverySummary } from './weekly-bulletin.ts';

/**
 * The daily sweep (07:00 Beijing):
 *  1. dispatch rows past their deadline and not done (GSI3 OPEN#DISP);
 *  2. open problems past their rectification date (GSI3 PROBS#open, rectifyBy < today);
 *  3. rectifications rejected on verification in the last two days (GSI4): told at once by the
 *     verification itself (news, docs/news.md); the sweep records any that were not;
 *  4. news told at once whose email or text failed: sent again (each once, by the ledger);
 * and tells each cadre concerned of 1 and 2: one notification per item per day on their page, one
 * email per cadre per day listing their items. Keys carry the Beijing date, so a second run the same day
 * repeats nothing and the next day's run reminds again.
 * It also renders the appointment letters (任命书) of chief assignments created since it last ran
 * (Chromium takes seconds, so not on the request path); see renderPendingAppointmentLetters; and
 * refreshes the current week's provisional evaluation, so HQ's red/yellow/green board and circle are
 * never more than a day behind (the weekly job evaluates the finished week on Monday).
 */
const FOOTER = '本邮件由包村系统自动发送，请勿直接回复。';
const REJECTION_WINDOW_MS = 48 * 3_600_000;

export interface DailySweepSummary {
  date: string;
  overdueDispatches: number;
  overdueRectifications: number;
  rejectedRectifications: number;
  cadres: number;
  notifications: { created: number; existing: number };
  emails: DeliverySummary;
  /** News told at once still pending (docs/news.md): how many events, how many now all delivered. */
  news: { events: number; done: number; rejectionsChecked: number };
  newsEmails: DeliverySummary;
  newsTexts: DeliverySummary;
  appointmentLetters: AppointmentLetterSummary;
  /** The current week's provisional evaluation as this run left it. */
  provisional: { week: string; evaluatedAt: string; fingerprint: string };
}

export interface AppointmentLetterSummary {
  rendered: number;
  existing: number;
  failed: number;
}

interface Item {
  key: string;
  cadreId: string;
  kind: 'overdue_dispatch' | 'overdue_rectification';
  title: string;
  text: string;
  deadline: string | null;
  /** When the fact happened (the notification id starts with it, so a re-run finds the same item). */
  stampAt: string;
  dispatchId?: string;
  problemIds?: string[];
}

export async function runDailySweep(deps: {
  now: Date;
  mailer?: Mailer;
  /** Each item it cannot do (an email refused, a letter not rendered) is logged here and counted. */
  log?: Pick<Logger, 'error'>;
}): Promise<DailySweepSummary> {
  const { now, log } = deps;
  const today = beijingDate(now);
  // One issuer name everywhere: the email bodies and the sender's name are the issuing body's.
  const authority = (await currentIssuer()).issuingBody;
  const mailer =
    deps.mailer ??
    createMailer({
      ledger: mailLedger,
      from: senderAs(authority, mailConfig().from),
      onOutcome: countEmail,
      ...(log
        ? { log: (message: string, fields: Record<string, unknown>) => log.error(message, fields) }
        : {}),
    });

  const [rows, problems, verifications] = await Promise.all([
    overdueDispatchRows(now),
    overdueOpenProblems(today),
    verificationsBetween(new Date(now.getTime() - REJECTION_WINDOW_MS), now),
  ]);
  const rejected = verifications.filter((v) => v.outcome === 'rejected');
  const rejectedProblems = await getProblems([...new Set(rejected.map((v) => v.problemId))]);

  const items: Item[] = [
    ...rows.map((r) => ({
      key: `sweep:${today}:dispatch:${r.dispatchId}:${r.cadreId}:${r.villageId}`,
      cadreId: r.cadreId,
      kind: 'overdue_dispatch' as const,
      title: `任务逾期提醒：${r.number}`,
      text: `任务派遣单 ${r.number}《${r.title}》（${r.villageName}）已于 ${beijingDateTime(new Date(r.deadline))} 到期，尚未报告完成，请尽快办结并报告。`,
      deadline: beijingDate(new Date(r.deadline)),
      stampAt: `${today}T00:00:00.000Z`,
      dispatchId: r.dispatchId,
    })),
    ...problems.map((p) => ({
      key: `sweep:${today}:problem:${p.id}`,
      cadreId: p.cadreId,
      kind: 'overdue_rectification' as const,
      title: '整改逾期提醒',
      text: `【${SEVERITY_LABELS[p.severity]}】${p.description}：整改期限 ${chineseDate(p.rectifyBy)} 已过，请立即整改并报告。`,
      deadline: p.rectifyBy,
      stampAt: `${today}T00:00:00.000Z`,
      problemIds: [p.id],
    })),
  ];

  // A rejection is news told at once by the verification request (docs/news.md). The sweep records
  // any it does not find (a request that died before telling), under the same key, so the cadre's page
  // gets it once; its email and text go with the pending news below, never in the digest.
  let rejectionsTold = 0;
  for (const v of rejected) {
    const problem = rejectedProblems.get(v.problemId);
    if (!problem) continue;
    const kind = (v as { rejectionKind?: unknown; kind?: unknown }).rejectionKind;
    await recordAndNotify(
      rejectionNews({
        problem,
        verificationId: v.id,
        at: v.at,
        note: v.note ?? '',
        kind: kind === 'incomplete' || kind === 'false' ? kind : undefined,
      }),
    );
    rejectionsTold++;
  }

  const notifications = { created: 0, existing: 0 };
  const at = now.toISOString();
  const byCadre = new Map<string, Item[]>();
  for (const item of items) {
    byCadre.set(item.cadreId, [...(byCadre.get(item.cadreId) ?? []), item]);
    const written = await putNotification({
      id: notificationId(item.stampAt, item.key),
      cadreId: item.cadreId,
      kind: item.kind,
      title: item.title,
      body: item.text,
      ...(item.deadline ? { deadline: item.deadline } : {}),
      ...(item.dispatchId ? { dispatchId: item.dispatchId } : {}),
      ...(item.problemIds ? { problemIds: item.problemIds } : {}),
      createdAt: at,
    });
    if (written) notifications.created++;
    else notifications.existing++;
  }

  const emails: DeliverySummary = { sent: 0, alreadySent: 0, unconfirmed: 0, failed: 0, noAddress: 0 };
  const cadres = await getCadres([...byCadre.keys()]);
  const base = mailConfig().publicBaseUrl;
  for (const [cadreId, list] of byCadre) {
    const cadre = cadres.get(cadreId);
    if (!cadre?.email) {
      emails.noAddress++;
      continue;
    }
    const subject = `包村工作提醒（${chineseDate(today)}，${list.length} 项）`;
    const body = renderEmail('cadre-notice', {
      subject,
      authority,
      title: subject,
      greeting: `${cadre.name}同志：`,
      paragraphs: ['以下事项需要您尽快办理：'],
      // Each item's text already states its deadline.
      items: list.map((i) => ({ text: i.text, deadline: null })),
      deadline: null,
      link: base ? `${base}/cadres/${encodeURIComponent(cadreId)}/notifications` : null,
      footer: FOOTER,
    });
    const outcome = await mailer.deliver({
      messageKey: `sweep:${today}:cadre:${cadreId}`,
      to: { address: cadre.email, name: cadre.name, ref: `cadre:${cadreId}` },
      subject,
      ...body,
    });
    if (outcome === 'sent') emails.sent++;
    else if (outcome === 'already-sent') emails.alreadySent++;
    else if (outcome === 'unconfirmed') emails.unconfirmed++;
    else emails.failed++;
  }

  // News told at once whose email or text failed (or never left): sent now, each once.
  const pending = await deliverPendingNews(now, {
    mailer,
    ...(log ? { log } : {}),
  });

  // The board first: letters take seconds each (Chromium) and may fail one by one.
  const current = await evaluateAndStoreWeek(isoWeekOfInstant(now), { now });
  const appointmentLetters = await renderPendingAppointmentLetters(now, log);

  return {
    date: today,
    appointmentLetters,
    provisional: { week: current.week, evaluatedAt: current.evaluatedAt, fingerprint: current.fingerprint },
    overdueDispatches: rows.length,
    overdueRectifications: problems.length,
    rejectedRectifications: rejected.length,
    cadres: byCadre.size,
    notifications,
    emails,
    news: { events: pending.events, done: pending.done, rejectionsChecked: rejectionsTold },
    newsEmails: pending.emails,
    newsTexts: pending.texts,
  };
}

/** A marker whose assignment never appeared is kept this long (a crashed create may still be retried). */
const ORPHAN_MARKER_MS = 3 * 24 * 3_600_000;

/**
 * One letter per chief assignment: the notice record id derives from the assignment id, so a letter
 * already issued is found and not issued again, and the pending marker is removed only once the
 * letter exists. A failed rendering keeps its marker for the next run.
 */
export async function renderPendingAppointmentLetters(
  now: Date,
  log?: Pick<Logger, 'error'>,
): Promise<AppointmentLetterSummary> {
  const summary: AppointmentLetterSummary = { rendered: 0, existing: 0, failed: 0 };
  for (const pending of await listPendingAppointmentLetters()) {
    const assignment = await getAssignment(pending.assignmentId);
    if (assignment?.role !== 'chief') {
      if (assignment || now.getTime() - Date.parse(pending.markedAt) > ORPHAN_MARKER_MS)
        await clearPendingAppointmentLetter(pending.assignmentId);
      continue;
    }
    const existing = await getNotice(derivedId('notice', 'appointmentLetter', assignment.id));
    if (existing?.files.pdf) summary.existing++;
    else {
      try {
        await renderAppointmentLetter(assignment, { now });
        summary.rendered++;
      } catch (error) {
        // The sweep goes on with the other letters; the run counts this one as a failure.
        log?.error('appointment letter not rendered', {
          assignmentId: assignment.id,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        summary.failed++;
        continue;
      }
    }
    await clearPendingAppointmentLetter(pending.assignmentId);
  }
  return summary;
}

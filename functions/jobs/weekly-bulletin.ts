import { createHash } from 'node:crypto';
import { documentStore } from '../adapters/documents/store.ts';
import { mailLedger } from '../adapters/dynamo/mail-ledger.ts';
import type { NoticeRecord } from '../adapters/dynamo/notices.ts';
import { notificationId, putNotification } from '../adapters/dynamo/notifications.ts';
import { getProblems } from '../adapters/dynamo/problems.ts';
import { activeRecipients } from '../adapters/dynamo/recipients.ts';
import { getCadres, listTownships } from '../adapters/dynamo/roster.ts';
import { getRuleSet } from '../adapters/dynamo/rule-sets.ts';
import { mailConfig } from '../adapters/mail/config.ts';
import { createMailer, type DeliveryOutcome, type Mailer } from '../adapters/mail/mailer.ts';
import type { MailAttachment } from '../adapters/mail/message.ts';
import { renderEmail, renderSms } from '../adapters/mail/templates.ts';
import { smsConfig } from '../adapters/sms/config.ts';
import { configuredSmsSender, type SmsSender } from '../adapters/sms/sender.ts';
import { previousIsoWeek } from '../core/rules/calendar.ts';
import type { WeeklyEvaluation } from '../core/rules/evaluation.ts';
import { DEFAULT_RULE_SET } from '../core/rules/rule-set.ts';
import { SEVERITY_LABELS, TIER_LABELS } from '../core/rules/terms.ts';
import { addDays, chineseDate, isoWeekOfInstant } from '../core/time.ts';
import { weekDates, weekWords } from '../core/week-words.ts';
import type { Logger } from '../http/logger.ts';
import { countEmail, countSms } from '../http/metrics.ts';
import type { StoredEvaluation } from '../schemas/bulletins.ts';
import { AUTHORITY, MAIL_FOOTER } from './authority.ts';
import { currentIssuer, senderAs } from './issuer.ts';

/**
 * The weekly bulletin job (Monday 08:00 Beijing, for the week just ended):
 *  1. evaluate and store the week (evaluateAndStoreWeek; a late record makes a new revision);
 *  2. render the bulletin and the notices (renderWeekDocuments; idempotent per revision);
 *  3. email the bulletin (HTML + text, documents linked, the PDF attached when small) to the
 *     recipients — a revision is sent again, marked as such; a provisional view is not sent;
 *  4. tell the cadres concerned: a talk notice, or new problems to rectify, with the deadline, on
 *     their page (GET /cadres/{id}/notifications) and by email where their address is known.
 * Every email goes through the delivery ledger and every notification has a stable id, so running
 * the job twice, or retrying it after a crash, sends and writes each one once.
 */
const FOOTER = MAIL_FOOTER;

export { AUTHORITY };

export interface DeliverySummary {
  sent: number;
  alreadySent: number;
  unconfirmed: number;
  failed: number;
  /** Cadres to notify who have no email address on file (they still see it on their page). */
  noAddress: number;
}

export interface WeeklyBulletinSummary {
  week: string;
  revision: number;
  revised: boolean;
  provisional: boolean;
  ruleSetVersion: number;
  documents: { bulletin: string; notices: number };
  /** Talks proposed from the week (and approved at once when the county needs no approval). */
  talks?: { proposed: number; existing: number; approved: number };
  bulletinEmails: DeliverySummary & { recipients: number; skipped?: 'provisional' };
  cadreEmails: DeliverySummary;
  /** Talk notices by text message (zero unless an SMS gateway is configured). */
  cadreTexts: DeliverySummary;
  notifications: { created: number; existing: number };
}

const emptyDelivery = (): DeliverySummary => ({
  sent: 0,
  alreadySent: 0,
  unconfirmed: 0,
  failed: 0,
  noAddress: 0,
});

function count(summary: DeliverySummary, outcome: DeliveryOutcome): void {
  if (outcome === 'sent') summary.sent++;
  else if (outcome === 'already-sent') summary.alreadySent++;
  else if (outcome === 'unconfirmed') summary.unconfirmed++;
  else summary.failed++;
}

/** The week a run is for: the one given, else the week before the one `at` falls in (Beijing). */
export function weekToReport(at: Date, week?: string): string {
  return week ?? previousIsoWeek(isoWeekOfInstant(at));
}

/** 第47周（11月16日—11月22日）: the one way a week reads to people. */
const weekLabel = weekWords;

function figures(evaluation: WeeklyEvaluation, cadreIds?: Set<string>) {
  const n = (ids: string[]) => (cadreIds ? ids.filter((id) => cadreIds.has(id)).length : ids.length);
  const { tiers, circle } = evaluation;
  return [
    { label: TIER_LABELS.commended, value: `${n(tiers.commended)} 人` },
    { label: TIER_LABELS.selfCriticism, value: `${n(tiers.selfCriticism)} 人` },
    { label: TIER_LABELS.reminderTalk, value: `${n(tiers.reminderTalk)} 人` },
    { label: TIER_LABELS.admonishmentTalk, value: `${n(tiers.admonishmentTalk)} 人` },
    { label: '本周进入严圈', value: `${n(circle.entered)} 人` },
    { label: '本周退出严圈', value: `${n(circle.exited)} 人` },
  ];
}

/**
 * The county-wide matters of the email (colours, overdue dispatches, major failures) as numbers; the
 * wording around them, and the yellow window's days from the rule set the week was judged by, are
 * the email templates'.
 */
function matters(evaluation: WeeklyEvaluation, yellowWithinDays: number) {
  const total = evaluation.colors.total;
  return {
    red: total.red,
    yellow: total.yellow,
    green: total.green,
    yellowWithinDays,
    overdueDispatches: evaluation.overdueDispatches.length,
    majorFailures: evaluation.majorFailures.length,
  };
}

function downloadUrl(record: NoticeRecord, format: 'pdf' | 'html'): string | null {
  const base = mailConfig().publicBaseUrl;
  return base ? `${base}/notices/${encodeURIComponent(record.id)}/download?format=${format}` : null;
}

async function bulletinAttachment(bulletin: NoticeRecord): Promise<MailAttachment | undefined> {
  if (!bulletin.files.pdf) return undefined;
  const file = await documentStore().get(bulletin.files.pdf);
  if (!file || file.body.length > mailConfig().attachmentMaxBytes) return undefined;
  return { filename: `${bulletin.fileName}.pdf`, content: file.body, contentType: 'application/pdf' };
}

export interface DeliverDependencies {
  now: Date;
  mailer?: Mailer;
  /** Text messages: the configured gateway's sender unless given; null turns them off. */
  sms?: SmsSender | null;
  /** Each email the transport refuses is logged here (and counted as failed). */
  log?: Pick<Logger, 'error'>;
  /**
   * Tell cadres of the week's talk notices here (default, as before talks were decisions). The
   * weekly job passes false: a talk notice is news when it is approved (jobs/talks.ts).
   */
  talks?: boolean;
}

/**
 * Steps 3 and 4 on their own: given a stored evaluation and its rendered documents, send the
 * bulletin and tell the cadres. Safe to call again with the same input.
 */
export async function deliverWeek(
  stored: StoredEvaluation,
  documents: { bulletin: NoticeRecord; notices: NoticeRecord[] },
  deps: DeliverDependencies,
): Promise<Omit<WeeklyBulletinSummary, 'documents'>> {
  const log = deps.log;
  const { evaluation, week } = stored;
  // One issuer name everywhere: email bodies and the sender's name are the issuing body's.
  const [issuer, ruleSet] = await Promise.all([currentIssuer(), getRuleSet(stored.ruleSetVersion)]);
  const authority = issuer.issuingBody;
  const yellowWithinDays = (ruleSet ?? DEFAULT_RULE_SET).colors.yellowWithinDays;
  const mailer =
    deps.mailer ??
    createMailer({
      ledger: mailLedger,
      clock: () => new Date(),
      from: senderAs(authority, mailConfig().from),
      onOutcome: countEmail,
      ...(log
        ? { log: (message: string, fields: Record<string, unknown>) => log.error(message, fields) }
        : {}),
    });

  // 3. The bulletin to the recipients.
  const bulletinEmails: WeeklyBulletinSummary['bulletinEmails'] = { ...emptyDelivery(), recipients: 0 };
  if (stored.provisional) {
    bulletinEmails.skipped = 'provisional';
  } else {
    const recipients = await activeRecipients();
    bulletinEmails.recipients = recipients.length;
    const townshipNames = new Map<string, string>();
    if (recipients.some((r) => r.scope === 'township')) {
      let next: string | undefined;
      do {
        const page = await listTownships(100, next);
        for (const t of page.items) townshipNames.set(t.id, t.name);
        next = page.next;
      } while (next);
    }
    const attachment = await bulletinAttachment(documents.bulletin);
    const listed = [documents.bulletin, ...documents.notices].map((d) => ({
      title: d.title,
      number: d.number,
      url: downloadUrl(d, 'pdf'),
      attached: d === documents.bulletin && attachment !== undefined,
    }));
    const revised = stored.revision > 1;
    // The bulletin's title: its issue and its days in Chinese (2026年第12期，2026年11月23日至29日).
    const title = documents.bulletin.title || `${weekDates(week)}干部包村责任制落实情况通报`;
    const subject = `${revised ? '【修订】' : ''}${title}`;
    const seen = new Set<string>();
    for (const r of recipients) {
      const address = r.email.trim().toLowerCase();
      if (seen.has(address)) continue; // one copy per address, whatever scopes it is listed under
      seen.add(address);
      const township =
        r.scope === 'township' && r.townshipId
          ? {
              name: `${townshipNames.get(r.townshipId) ?? r.townshipId}情况`,
              figures: figures(
                evaluation,
                new Set(evaluation.cadres.filter((c) => c.townshipId === r.townshipId).map((c) => c.cadreId)),
              ),
            }
          : null;
      const body = renderEmail('bulletin', {
        subject,
        authority,
        title,
        revisionNote: revised
          ? `本通报为第 ${stored.revision} 次修订：周内补录了新的督查记录，以本版为准。`
          : null,
        provisionalNote: null,
        greeting: `${r.name}${r.title ? ` ${r.title}` : ''}：`,
        intro: `现将${weekDates(week)}干部包村责任制落实情况通报如下。`,
        figures: figures(evaluation),
        matters: matters(evaluation, yellowWithinDays),
        township,
        documents: listed,
        footer: FOOTER,
      });
      const outcome = await mailer.deliver({
        messageKey: `bulletin:${week}:r${stored.revision}`,
        to: { address: r.email, name: r.name, ref: `recipient:${r.id}` },
        subject,
        ...body,
        ...(attachment ? { attachments: [attachment] } : {}),
      });
      count(bulletinEmails, outcome);
    }
  }

  // 4. The cadres concerned.
  const cadreEmails = emptyDelivery();
  const cadreTexts = emptyDelivery();
  const sms =
    deps.sms === null
      ? undefined
      : (deps.sms ??
        configuredSmsSender({
          ledger: mailLedger,
          onOutcome: countSms,
          ...(log
            ? { log: (message: string, fields: Record<string, unknown>) => log.error(message, fields) }
            : {}),
        }));
  const notifications = { created: 0, existing: 0 };
  const messages = (await cadreMessages(stored, documents.notices, authority)).filter(
    (m) => deps.talks !== false || m.kind !== 'talk_notice',
  );
  const cadres = await getCadres([...new Set(messages.map((m) => m.cadreId))]);
  for (const m of messages) {
    const written = await putNotification({
      id: notificationId(stored.evaluatedAt, m.key),
      cadreId: m.cadreId,
      kind: m.kind,
      title: m.title,
      body: [
        ...m.paragraphs,
        ...m.items.map((i) => `${i.text}${i.deadline ? `（期限：${i.deadline}）` : ''}`),
      ].join('\n'),
      deadline: m.deadline,
      week,
      ...(m.problemIds ? { problemIds: m.problemIds } : {}),
      ...(m.noticeId ? { noticeId: m.noticeId } : {}),
      link: m.link,
      createdAt: stored.evaluatedAt,
    });
    if (written) notifications.created++;
    else notifications.existing++;
    const cadre = cadres.get(m.cadreId);
    const base = mailConfig().publicBaseUrl;
    // A talk notice is news at the moment it is issued: also by text message (docs/news.md).
    if (sms && m.kind === 'talk_notice') {
      if (cadre?.phone) {
        count(
          cadreTexts,
          await sms.deliver({
            messageKey: `sms:${m.key}`,
            to: { phone: cadre.phone, ref: `cadre:${m.cadreId}` },
            text: renderSms('news', {
              signature: smsConfig()?.signature ?? null,
              title: m.title,
              text: clip(m.paragraphs[0] ?? ''),
              deadline: m.deadlineText,
              link: base ? `${base}${m.link}` : null,
            }),
          }),
        );
      } else cadreTexts.noAddress++;
    }
    if (!cadre?.email) {
      cadreEmails.noAddress++;
      continue;
    }
    const body = renderEmail('cadre-notice', {
      subject: m.title,
      authority,
      title: m.title,
      greeting: `${cadre.name}同志：`,
      paragraphs: m.paragraphs,
      items: m.items,
      deadline: m.deadlineText,
      link: base ? `${base}${m.link}` : null,
      footer: FOOTER,
    });
    count(
      cadreEmails,
      await mailer.deliver({
        messageKey: m.key,
        to: { address: cadre.email, name: cadre.name, ref: `cadre:${m.cadreId}` },
        subject: m.title,
        ...body,
      }),
    );
  }

  return {
    week,
    revision: stored.revision,
    revised: stored.revised,
    provisional: stored.provisional,
    ruleSetVersion: stored.ruleSetVersion,
    bulletinEmails,
    cadreEmails,
    cadreTexts,
    notifications,
  };
}

interface CadreMessage {
  key: string;
  cadreId: string;
  kind: 'talk_notice' | 'rectification_notice';
  title: string;
  paragraphs: string[];
  items: { text: string; deadline: string | null }[];
  deadline: string;
  deadlineText: string;
  problemIds?: string[];
  noticeId?: string;
  /** The page the notification and the email link to. */
  link: string;
}

/** A text message carries one paragraph, clipped: the page has the rest. */
function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const digest = (parts: string[]) => createHash('sha256').update(parts.join(',')).digest('hex').slice(0, 16);

/** What each cadre is told this week; keys name the fact, not the run, so a re-run repeats nothing. */
async function cadreMessages(
  stored: StoredEvaluation,
  notices: NoticeRecord[],
  authority: string,
): Promise<CadreMessage[]> {
  const { evaluation, week } = stored;
  if (stored.provisional) return [];
  const label = weekLabel(week);
  const noticeOf = (kind: string, cadreId: string) =>
    notices.find((n) => n.kind === kind && n.cadreId === cadreId);
  const byCadre = new Map(evaluation.cadres.map((c) => [c.cadreId, c]));
  const messages: CadreMessage[] = [];

  // Talks take place in the week after the evaluated one.
  const talkBy = addDays(evaluation.sunday, 7);
  for (const talk of evaluation.talkNotices) {
    const tierLabel = TIER_LABELS[talk.tier];
    const notice = noticeOf('talkNotice', talk.cadreId);
    const decision = byCadre.get(talk.cadreId);
    messages.push({
      key: `talk:${week}:${talk.cadreId}:${talk.tier}`,
      cadreId: talk.cadreId,
      kind: 'talk_notice',
      title: `${tierLabel}通知（${label}）`,
      paragraphs: [
        `根据${label}考评结果，您被列入“${tierLabel}”档次。${decision?.explanation ?? ''}`,
        `请于${chineseDate(talkBy)}前到${authority}参加${tierLabel}${notice ? `（${notice.number}）` : ''}，并抓紧整改未销号问题。`,
      ],
      items: [],
      deadline: talkBy,
      deadlineText: chineseDate(talkBy),
      link: '/app/cadre/standing',
      ...(notice ? { noticeId: notice.id } : {}),
    });
  }

  const newProblems = evaluation.problems.filter((p) => p.isNew);
  const details = await getProblems(newProblems.map((p) => p.problemId));
  const grouped = new Map<string, typeof newProblems>();
  for (const p of newProblems) grouped.set(p.cadreId, [...(grouped.get(p.cadreId) ?? []), p]);
  for (const [cadreId, problems] of grouped) {
    const ids = problems.map((p) => p.problemId).sort();
    const deadline = problems.map((p) => p.rectifyBy).sort()[0] as string;
    const notice = noticeOf('rectificationNotice', cadreId);
    messages.push({
      key: `rectify:${week}:${cadreId}:${digest(ids)}`,
      cadreId,
      kind: 'rectification_notice',
      title: `整改通知（${label}，${problems.length} 个问题）`,
      paragraphs: [
        `${label}督查发现您包联村存在以下问题，请按期整改到位并在系统中报告整改情况${notice ? `（整改通知书 ${notice.number}）` : ''}：`,
      ],
      items: problems.map((p) => ({
        text: `【${SEVERITY_LABELS[p.severity]}】${details.get(p.problemId)?.description ?? p.problemId}`,
        deadline: chineseDate(p.rectifyBy),
      })),
      deadline,
      deadlineText: chineseDate(deadline),
      link: '/app/cadre/problems',
      problemIds: ids,
      ...(notice ? { noticeId: notice.id } : {}),
    });
  }
  return messages;
}

/** Steps 1 to 4 for one week. */
export async function runWeeklyBulletin(
  input: { week?: string | undefined },
  deps: DeliverDependencies,
): Promise<WeeklyBulletinSummary> {
  const week = weekToReport(deps.now, input.week);
  // Loaded on demand: the daily sweep shares this bundle and needs neither.
  const { evaluateAndStoreWeek } = await import('./evaluate-week.ts');
  const { renderWeekDocuments } = await import('./render-week-documents.ts');
  const { proposeWeekTalks } = await import('./talks.ts');
  const { recordAndNotify } = await import('./news-events.ts');
  const { deliverNews } = await import('./news.ts');
  const { writeAudit } = await import('../adapters/dynamo/audit.ts');
  const talkDeliveries: { emails: DeliverySummary; texts: DeliverySummary }[] = [];
  const stored = await evaluateAndStoreWeek(week, { now: deps.now });
  // Talk notices are decisions now: proposed here, numbered and sent when approved (docs/talks.md).
  const documents = await renderWeekDocuments(stored, { now: deps.now, talkNotices: false });
  const talks = await proposeWeekTalks(stored, {
    now: deps.now,
    audit: (entry) =>
      writeAudit({
        ...entry,
        at: deps.now.toISOString(),
        actor: 'system:evaluation',
        roles: [],
        routeKey: 'JOB weekly-bulletin',
        requestId: `weekly-bulletin-${week}-${entry.entityId}-${entry.action}`,
      }),
    tell: async (event) => {
      await recordAndNotify(event);
      const sent = await deliverNews(event.key, {
        ...(deps.mailer ? { mailer: deps.mailer } : {}),
        ...(deps.sms !== undefined ? { sms: deps.sms } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      });
      if (sent) talkDeliveries.push(sent);
    },
  });
  const delivered = await deliverWeek(stored, documents, { ...deps, talks: false });
  // Talk notices approved at once (no approval needed) went out as news: counted with the cadres'.
  for (const sent of talkDeliveries) {
    for (const field of Object.keys(delivered.cadreEmails) as (keyof DeliverySummary)[]) {
      delivered.cadreEmails[field] += sent.emails[field];
      delivered.cadreTexts[field] += sent.texts[field];
    }
  }
  return {
    ...delivered,
    documents: { bulletin: documents.bulletin.id, notices: documents.notices.length },
    talks,
  };
}

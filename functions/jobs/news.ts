import { mailLedger } from '../adapters/dynamo/mail-ledger.ts';
import { clearPendingNews, getNews, type NewsEvent, pendingNews } from '../adapters/dynamo/news.ts';
import { activeRecipients } from '../adapters/dynamo/recipients.ts';
import { getCadres } from '../adapters/dynamo/roster.ts';
import { mailConfig } from '../adapters/mail/config.ts';
import { createMailer, type DeliveryOutcome, type Mailer } from '../adapters/mail/mailer.ts';
import { renderEmail, renderSms } from '../adapters/mail/templates.ts';
import { smsConfig } from '../adapters/sms/config.ts';
import { configuredSmsSender, type SmsSender } from '../adapters/sms/sender.ts';
import { chineseDate } from '../core/time.ts';
import type { Logger } from '../http/logger.ts';
import { countEmail, countSms } from '../http/metrics.ts';
import { MAIL_FOOTER } from './authority.ts';
import { currentIssuer, senderAs } from './issuer.ts';

/** What was sent to whom (the same shape as the weekly job's summary, kept here so neither imports the other). */
export interface DeliverySummary {
  sent: number;
  alreadySent: number;
  unconfirmed: number;
  failed: number;
  noAddress: number;
}

/**
 * News at once (docs/news.md), the sending half: the news function (functions/api/news.ts; locally
 * in-process) runs `deliverNews` for each event a request recorded, and the daily sweep runs
 * `deliverPendingNews` for the ones still pending. Each email and text goes through the delivery
 * ledger under the event's own key (`news:<event>`, `sms:news:<event>`), so whichever of them runs
 * first sends it and the other finds it sent. An event is no longer pending once nothing of it
 * failed; a failed send stays pending for the next sweep, and is counted (EmailsFailed, SmsFailed).
 */
const FOOTER = MAIL_FOOTER;
/** A text message carries the news's first paragraph, clipped: the page has the rest. */
const SMS_TEXT_MAX = 120;
/** A marker whose event is missing this long after it was made belongs to a request that died. */
const ORPHAN_MARKER_MS = 3_600_000;

export interface NewsDeliverySummary {
  key: string;
  emails: DeliverySummary;
  texts: DeliverySummary;
  /** Nothing failed: the event is no longer pending. */
  done: boolean;
}

export interface NewsDependencies {
  mailer?: Mailer;
  /** Null: text messages off (the default when no gateway is configured). */
  sms?: SmsSender | null;
  log?: Pick<Logger, 'error'>;
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

/** The mailer and text sender each delivery uses unless given (the ledger, the metrics, the log). */
function senders(deps: NewsDependencies, authority: string): { mailer: Mailer; sms: SmsSender | undefined } {
  const log = deps.log
    ? (message: string, fields: Record<string, unknown>) => deps.log?.error(message, fields)
    : undefined;
  const mailer =
    deps.mailer ??
    createMailer({
      ledger: mailLedger,
      from: senderAs(authority, mailConfig().from),
      onOutcome: countEmail,
      ...(log ? { log } : {}),
    });
  const sms =
    deps.sms === null
      ? undefined
      : (deps.sms ??
        configuredSmsSender({ ledger: mailLedger, onOutcome: countSms, ...(log ? { log } : {}) }));
  return { mailer, sms };
}

function absolute(link: string): string | null {
  const base = mailConfig().publicBaseUrl;
  return base ? `${base}${link}` : null;
}

function smsText(event: NewsEvent, lines: string[]): string {
  const first = lines[0] ?? '';
  const text = first.length > SMS_TEXT_MAX ? `${first.slice(0, SMS_TEXT_MAX - 1)}…` : first;
  return renderSms('news', {
    signature: smsConfig()?.signature ?? null,
    title: event.title,
    text,
    deadline: event.deadline ? chineseDate(event.deadline) : null,
    link: absolute(event.link),
  });
}

/** Sends one event's emails and texts (each once); undefined when there is no such event. */
export async function deliverNews(
  key: string,
  deps: NewsDependencies = {},
): Promise<NewsDeliverySummary | undefined> {
  const event = await getNews(key);
  if (!event) return undefined;
  // One issuer name everywhere: the email bodies and the sender's name are the issuing body's.
  const authority = (await currentIssuer()).issuingBody;
  const { mailer, sms } = senders(deps, authority);
  const emails = emptyDelivery();
  const texts = emptyDelivery();
  const link = absolute(event.link);

  if (event.recipients) {
    const { townshipId, lines } = event.recipients;
    const seen = new Set<string>();
    for (const r of await activeRecipients()) {
      if (r.scope === 'township' && r.townshipId !== townshipId) continue;
      const address = r.email.trim().toLowerCase();
      if (seen.has(address)) continue; // one copy per address, whatever scopes it is listed under
      seen.add(address);
      const body = renderEmail('cadre-notice', {
        subject: event.title,
        authority,
        title: event.title,
        greeting: `${r.name}${r.title ? ` ${r.title}` : ''}：`,
        paragraphs: lines,
        items: [],
        deadline: null,
        link,
        footer: FOOTER,
      });
      count(
        emails,
        await mailer.deliver({
          messageKey: `news:${event.key}`,
          to: { address: r.email, name: r.name, ref: `recipient:${r.id}` },
          subject: event.title,
          ...body,
        }),
      );
    }
  }

  const cadres = await getCadres([...new Set(event.messages.map((m) => m.cadreId))]);
  for (const m of event.messages) {
    const cadre = cadres.get(m.cadreId);
    if (cadre?.email) {
      const body = renderEmail('cadre-notice', {
        subject: event.title,
        authority,
        title: event.title,
        greeting: `${cadre.name}同志：`,
        paragraphs: m.lines,
        items: [],
        deadline: event.deadline ? chineseDate(event.deadline) : null,
        link,
        footer: FOOTER,
      });
      count(
        emails,
        await mailer.deliver({
          messageKey: `news:${event.key}`,
          to: { address: cadre.email, name: cadre.name, ref: `cadre:${m.cadreId}` },
          subject: event.title,
          ...body,
        }),
      );
    } else emails.noAddress++;
    if (!sms) continue;
    if (cadre?.phone) {
      count(
        texts,
        await sms.deliver({
          messageKey: `sms:news:${event.key}`,
          to: { phone: cadre.phone, ref: `cadre:${m.cadreId}` },
          text: smsText(event, m.lines),
        }),
      );
    } else texts.noAddress++;
  }

  const done = emails.failed === 0 && texts.failed === 0;
  if (done) await clearPendingNews(event.key);
  return { key: event.key, emails, texts, done };
}

export interface PendingNewsSummary {
  events: number;
  done: number;
  emails: DeliverySummary;
  texts: DeliverySummary;
}

/** The daily sweep's part: every event still pending, oldest first (a Query of one small partition). */
export async function deliverPendingNews(
  now: Date,
  deps: NewsDependencies = {},
): Promise<PendingNewsSummary> {
  const summary: PendingNewsSummary = { events: 0, done: 0, emails: emptyDelivery(), texts: emptyDelivery() };
  const shared = senders(deps, (await currentIssuer()).issuingBody);
  const one = { ...deps, mailer: shared.mailer, sms: shared.sms ?? null };
  let next: string | undefined;
  do {
    const page = await pendingNews(100, next);
    for (const { key, at } of page.items) {
      const result = await deliverNews(key, one);
      summary.events++;
      if (!result) {
        // A marker whose event was never stored (the request died in between): nothing to send.
        if (now.getTime() - Date.parse(at) > ORPHAN_MARKER_MS) await clearPendingNews(key);
        continue;
      }
      if (result.done) summary.done++;
      for (const part of ['emails', 'texts'] as const) {
        for (const field of Object.keys(summary[part]) as (keyof DeliverySummary)[]) {
          summary[part][field] += result[part][field];
        }
      }
    }
    next = page.next;
  } while (next);
  return summary;
}

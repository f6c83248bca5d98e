import { keys } from './keys.ts';
import { deleteItem, getItem, type Item, putIfAbsent, putItem, queryPage, withoutKeys } from './table.ts';

/**
 * News told at once (docs/news.md): a new problem, a rejected rectification, a new dispatch, an
 * emergency direct report. The request that made the fact records the event here (by a key named for
 * the fact, so a retried request finds the same event) and hands it to the news function, which sends
 * its emails and texts through the delivery ledger. Until every one of them is out, a pending marker
 * stays in one small partition (`NEWS#PENDING`); the daily sweep reads that partition (a Query, never
 * a Scan) and tries again what failed.
 */
export const NEWS_KINDS = [
  'new_problem',
  'rectification_rejected',
  'new_dispatch',
  'emergency_report',
  'talk_notice',
  'report_closed',
] as const;
export type NewsKind = (typeof NEWS_KINDS)[number];

/** What one cadre is told (each cadre of a dispatch hears of their own villages). */
export interface NewsMessage {
  cadreId: string;
  /** Paragraphs of the notification and the email, in order. */
  lines: string[];
}

export interface NewsEvent {
  /** Names the fact: `problems:<inspection>:<cadre>`, `rejected:<problem>:<verification>`, … */
  key: string;
  kind: NewsKind;
  /** When the fact happened; the notifications' ids start with it. */
  createdAt: string;
  title: string;
  /** The subject's page, as a path on the web pages (`/app/cadre/problems/<id>`). */
  link: string;
  /** Beijing date by which to act, when there is one. */
  deadline?: string;
  /** Cadres told on their page, by email and by text message. */
  messages: NewsMessage[];
  /** County recipients told by email (an emergency report): the county-wide ones and this township's. */
  recipients?: { townshipId?: string; lines: string[] };
  problemIds?: string[];
  dispatchId?: string;
  reportId?: string;
  /** A talk notice's document (its notification links the download). */
  noticeId?: string;
}

const ENTITY = 'news';

/**
 * Records the event once: the pending marker first (so an event is never stored without one), then
 * the event. A second call with the same key (a retried request) returns the event as first stored.
 */
export async function recordNews(event: NewsEvent): Promise<{ created: boolean; event: NewsEvent }> {
  const existing = await getNews(event.key);
  if (existing) return { created: false, event: existing };
  await putItem({
    ...keys.pendingNews(event.key),
    entity: 'news-pending',
    key: event.key,
    at: event.createdAt,
  });
  if (await putIfAbsent({ ...keys.news(event.key), entity: ENTITY, ...event })) {
    return { created: true, event };
  }
  return { created: false, event: (await getNews(event.key)) ?? event };
}

export async function getNews(key: string): Promise<NewsEvent | undefined> {
  const found = await getItem<Item>(keys.news(key));
  if (!found) return undefined;
  const { entity: _entity, ...rest } = withoutKeys(found);
  return rest as unknown as NewsEvent;
}

/** Keys of the events whose emails or texts are not all out yet, oldest first, a page at a time. */
export async function pendingNews(
  limit: number,
  next?: string,
): Promise<{ items: { key: string; at: string }[]; next?: string }> {
  const page = await queryPage<Item>(
    { partition: keys.pendingNewsList(), sort: { beginsWith: 'EVT#' }, consistent: true },
    limit,
    next,
  );
  return {
    items: page.items.map((i) => ({ key: String(i.key), at: String(i.at) })),
    ...(page.next ? { next: page.next } : {}),
  };
}

export async function clearPendingNews(key: string): Promise<void> {
  await deleteItem(keys.pendingNews(key));
}

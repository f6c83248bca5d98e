import { derivedId } from '../../core/ids.ts';
import { keys } from './keys.ts';
import {
  allOf,
  ConditionFailed,
  equalityFilter,
  type Item,
  mapPage,
  type Page,
  putIfAbsent,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * What a cadre sees on their page (GET /cadres/{id}/notifications): talk notices, new problems to
 * rectify, rejected rectifications, overdue reminders. One partition per cadre; the id starts with
 * the time so the partition reads newest first, and ends with a digest of the source so writing the
 * same notice again (a re-run) lands on the same item.
 */
export const NOTIFICATION_KINDS = [
  'talk_notice',
  'rectification_notice',
  'rectification_rejected',
  'overdue_dispatch',
  'overdue_rectification',
  'new_problem',
  'new_dispatch',
  'report_closed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRecord {
  id: string;
  cadreId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** Beijing date by which the cadre must act, when there is one. */
  deadline?: string;
  week?: string;
  problemIds?: string[];
  dispatchId?: string;
  noticeId?: string;
  /** The subject's page (a path on the web pages: the problem, the dispatch, the standing page). */
  link?: string;
  createdAt: string;
  readAt?: string;
}

/** `20261123T000000Z` + 16 characters of the source digest: sortable by time, stable per source. */
export function notificationId(at: string, sourceKey: string): string {
  const stamp = at.replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${stamp}-${derivedId(sourceKey).slice(0, 16)}`;
}

/** Writes the notification unless it exists; true when it is new. */
export function putNotification(record: NotificationRecord): Promise<boolean> {
  return putIfAbsent({
    ...keys.cadreNotification(record.cadreId, record.id),
    entity: 'notification',
    ...record,
  });
}

export async function listNotifications(
  cadreId: string,
  filter: { unread?: boolean | undefined; kind?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<NotificationRecord>> {
  const where = allOf(
    filter.unread ? { expression: 'attribute_not_exists(readAt)' } : undefined,
    equalityFilter({ kind: filter.kind || undefined }),
  );
  const page = await queryPage<Item>(
    {
      partition: keys.cadreNotifications(cadreId),
      sort: { beginsWith: 'N#' },
      descending: true,
      filter: where,
    },
    limit,
    next,
  );
  return mapPage(page, (i) => withoutKeys(i) as unknown as NotificationRecord);
}

/** Marks read (keeping the first reading time); undefined when there is no such notification. */
export async function markNotificationRead(
  cadreId: string,
  id: string,
  now: Date,
): Promise<NotificationRecord | undefined> {
  try {
    const item = await updateItem<Item>({
      Key: keys.cadreNotification(cadreId, id),
      UpdateExpression: 'SET readAt = if_not_exists(readAt, :now)',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    });
    return withoutKeys(item) as unknown as NotificationRecord;
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
}

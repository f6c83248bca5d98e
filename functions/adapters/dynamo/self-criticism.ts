import type { StoredSelfCriticismMeeting } from '../../schemas/self-criticism.ts';
import { keys } from './keys.ts';
import {
  batchPut,
  getItem,
  type Item,
  mapPage,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryPage,
  sortRange,
  withoutKeys,
} from './table.ts';

/**
 * Self-criticism meetings (检讨发言会). The meeting is one item (`SCMT#<id>` / `A`), listed by date for
 * everyone (GSI1 `SCMTS`) and for the evaluated week it answers for (GSI3 `SCMTS#WEEK#<week>`); each
 * attendee has a link item under it (`CADR#<cadreId>`) holding a copy of the meeting, listed by date
 * on GSI2 `CADR#<cadreId>#SCMT`, so a cadre's meetings are one Query. A meeting is never changed after
 * it is recorded, so the copies cannot drift.
 */
const strip = (item: Item) => {
  const { entity: _e, cadreId: _c, ...rest } = withoutKeys(item) as Item;
  return rest as unknown as StoredSelfCriticismMeeting;
};

/**
 * Put when new; a retry that derived the same id gets the stored meeting back. The link items are
 * written either way (the same content), so a crash between the two is repaired by the retry.
 */
export async function createMeeting(
  meeting: StoredSelfCriticismMeeting,
): Promise<{ created: boolean; item: StoredSelfCriticismMeeting }> {
  const sort = keys.datedSort(meeting.date, meeting.id);
  const created = await putIfAbsent({
    ...keys.selfCriticismMeeting(meeting.id),
    GSI1PK: keys.selfCriticismMeetingList(),
    GSI1SK: sort,
    GSI3PK: keys.weekSelfCriticismMeetings(meeting.week),
    GSI3SK: sort,
    entity: 'selfCriticismMeeting',
    ...meeting,
  });
  const item = created ? meeting : ((await getMeeting(meeting.id)) ?? meeting);
  await batchPut(
    item.attendeeIds.map((cadreId) => ({
      ...keys.selfCriticismAttendee(item.id, cadreId),
      GSI2PK: keys.cadreSelfCriticismMeetings(cadreId),
      GSI2SK: keys.datedSort(item.date, item.id),
      entity: 'selfCriticismAttendee',
      ...item,
      cadreId,
    })),
  );
  return { created, item };
}

export async function getMeeting(id: string): Promise<StoredSelfCriticismMeeting | undefined> {
  const item = await getItem<Item>(keys.selfCriticismMeeting(id));
  return item ? strip(item) : undefined;
}

export interface MeetingFilter {
  cadreId?: string | undefined;
  week?: string | undefined;
  from?: string | undefined;
  /** Dates up to and including this one. */
  to?: string | undefined;
}

/** Newest first, from the narrowest partition: the cadre's links, the week's meetings, or all. */
export async function listMeetings(
  filter: MeetingFilter,
  limit: number,
  next?: string,
): Promise<Page<StoredSelfCriticismMeeting>> {
  const source: Pick<QuerySpec, 'index' | 'partition'> = filter.cadreId
    ? { index: 'GSI2', partition: keys.cadreSelfCriticismMeetings(filter.cadreId) }
    : filter.week
      ? { index: 'GSI3', partition: keys.weekSelfCriticismMeetings(filter.week) }
      : { index: 'GSI1', partition: keys.selfCriticismMeetingList() };
  const where =
    filter.cadreId && filter.week
      ? { expression: '#week = :week', names: { '#week': 'week' }, values: { ':week': filter.week } }
      : undefined;
  // Dates sort before the `#id` part: `to` + '~' is past every id of that day.
  const sort = sortRange(filter.from, filter.to ? `${filter.to}~` : undefined);
  return mapPage(
    await queryPage<Item>({ ...source, descending: true, sort, filter: where }, limit, next),
    strip,
  );
}

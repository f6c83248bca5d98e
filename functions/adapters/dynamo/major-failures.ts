import { addDays, isoWeekOf } from '../../core/time.ts';
import type { MajorFailure } from '../../schemas/major-failures.ts';
import { keys } from './keys.ts';
import {
  equalityFilter,
  getItem,
  type Item,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  putItem,
  queryPage,
  sortRange,
  withoutKeys,
} from './table.ts';

/**
 * Major failures (重大失误). A record is written once and never edited. The main item is listed for all
 * (GSI1), per village (GSI3) and under the ISO week of its date (GSI4 `MAJOR#<date>#<id>`, read by the
 * weekly evaluation); a record names several cadres, so each responsible cadre gets a copy under the
 * record's partition indexed on GSI2 (small, immutable, so a copy needs no second read when listing).
 */
const strip = (item: Item): MajorFailure => {
  const { entity: _entity, ...rest } = withoutKeys(item) as MajorFailure & { entity?: string };
  return rest as MajorFailure;
};

const sortKey = (m: Pick<MajorFailure, 'date' | 'id'>) => `${m.date}#${m.id}`;

/**
 * Puts the record when new (a retry that derived the same id gets the stored one back), then the cadre
 * copies: unconditional puts of the same content, repeated on every attempt so a crash between the
 * steps is repaired by the retry.
 */
export async function createMajorFailure(
  record: MajorFailure,
): Promise<{ created: boolean; item: MajorFailure }> {
  const sort = sortKey(record);
  const stored = await putIfAbsent({
    ...keys.majorFailure(record.id),
    GSI1PK: keys.majorFailureList(),
    GSI1SK: sort,
    GSI3PK: keys.villageMajorFailures(record.villageId),
    GSI3SK: sort,
    GSI4PK: keys.week(isoWeekOf(record.date)),
    GSI4SK: keys.majorFailureWeekSort(record.date, record.id),
    entity: 'majorFailure',
    ...record,
  });
  const item = stored ? record : strip((await getItem<Item>(keys.majorFailure(record.id))) ?? {});
  for (const cadreId of item.cadreIds)
    await putItem({
      ...keys.majorFailureCadreLink(item.id, cadreId),
      GSI2PK: keys.cadreMajorFailures(cadreId),
      GSI2SK: sortKey(item),
      entity: 'majorFailureCadre',
      ...item,
    });
  return { created: stored, item };
}

export async function getMajorFailure(id: string): Promise<MajorFailure | undefined> {
  const item = await getItem<Item>(keys.majorFailure(id));
  return item && strip(item);
}

export interface MajorFailureFilter {
  villageId?: string | undefined;
  cadreId?: string | undefined;
  type?: string | undefined;
  /** Dates (Beijing), inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Newest date first; a cadre's copies, else a village's, else all; the date range is a key condition. */
export async function listMajorFailures(
  filter: MajorFailureFilter,
  limit: number,
  next?: string,
): Promise<Page<MajorFailure>> {
  const source = narrowest(
    filter.cadreId && ['GSI2', keys.cadreMajorFailures(filter.cadreId)],
    filter.villageId && ['GSI3', keys.villageMajorFailures(filter.villageId)],
    ['GSI1', keys.majorFailureList()],
  );
  const where = equalityFilter({
    type: filter.type,
    villageId: source.index === 'GSI2' ? filter.villageId : undefined,
  });
  // Sort keys are `<date>#<id>`: "to" is inclusive, so the bound is the next day's bare date.
  const sort = sortRange(filter.from, filter.to ? addDays(filter.to, 1) : undefined);
  return mapPage(
    await queryPage<Item>({ ...source, descending: true, sort, filter: where }, limit, next),
    strip,
  );
}

import type { Visit } from '../../schemas/visits.ts';
import { keys } from './keys.ts';
import {
  equalityFilter,
  getItem,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryAll,
  queryPage,
  sortRange,
  withoutKeys,
} from './table.ts';

/**
 * Visits to the village (驻村记录). One item per visit, in its village's partition sorted by time
 * (a village's visits are a base-table query), indexed by time for all visits (GSI1), one cadre's
 * (GSI2) and one township's (GSI3), and under the ISO week it happened in (GSI4, `VISIT#…`), which
 * the weekly evaluation reads with the week's other facts. No read touches another village's,
 * cadre's or township's visits than the one asked for.
 */
type Stored = Record<string, unknown>;
const strip = (item: Stored) => withoutKeys(item) as unknown as Visit;

/** Put when new; a retry that derived the same id (and so the same key) gets the stored visit back. */
export async function createVisit(visit: Visit): Promise<{ created: boolean; item: Visit }> {
  const key = keys.visit(visit.villageId, visit.at, visit.id);
  const sort = keys.visitSort(visit.at, visit.id);
  const stored = await putIfAbsent({
    ...key,
    GSI1PK: keys.visitList(),
    GSI1SK: sort,
    GSI2PK: keys.cadreVisits(visit.cadreId),
    GSI2SK: sort,
    GSI3PK: keys.townshipVisits(visit.townshipId),
    GSI3SK: sort,
    GSI4PK: keys.week(visit.week),
    GSI4SK: keys.visitWeekSort(visit.at, visit.id),
    entity: 'visit',
    ...visit,
  });
  if (stored) return { created: true, item: visit };
  const existing = await getItem<Stored>(key);
  return { created: false, item: strip(existing ?? {}) };
}

export interface VisitFilter {
  cadreId?: string | undefined;
  villageId?: string | undefined;
  townshipId?: string | undefined;
  /** at ≥ this UTC instant. */
  fromAt?: string | undefined;
  /** at < this UTC instant. */
  beforeAt?: string | undefined;
}

/**
 * Newest first. The narrowest partition serves the query (a cadre's, else a village's, else a
 * township's, else all); the time range is a sort-key condition, the other criteria a filter.
 */
export async function listVisits(filter: VisitFilter, limit: number, next?: string): Promise<Page<Visit>> {
  const byVillage = !filter.cadreId && filter.villageId;
  const source: Pick<QuerySpec, 'index' | 'partition'> = byVillage
    ? { partition: keys.villageVisits(filter.villageId as string) }
    : narrowest(
        filter.cadreId && ['GSI2', keys.cadreVisits(filter.cadreId)],
        filter.townshipId && ['GSI3', keys.townshipVisits(filter.townshipId)],
        ['GSI1', keys.visitList()],
      );
  const where = equalityFilter({
    villageId: source.index === 'GSI2' ? filter.villageId : undefined,
    townshipId: source.index === 'GSI2' || byVillage ? filter.townshipId : undefined,
  });
  const sort = sortRange(filter.fromAt, filter.beforeAt);
  return mapPage(
    await queryPage<Stored>({ ...source, descending: true, sort, filter: where }, limit, next),
    strip,
  );
}

/** Every visit of one cadre in a time range (a few a day at most): the standing page's totals. */
export async function cadreVisitsBetween(
  cadreId: string,
  fromAt: string,
  beforeAt: string,
): Promise<Visit[]> {
  const items = await queryAll<Stored>({
    index: 'GSI2',
    partition: keys.cadreVisits(cadreId),
    sort: sortRange(fromAt, beforeAt),
  });
  return items.map(strip);
}

/** Every visit in one township in a time range: the exports' per-township figures. */
export async function townshipVisitsBetween(
  townshipId: string,
  fromAt: string,
  beforeAt: string,
): Promise<Visit[]> {
  const items = await queryAll<Stored>({
    index: 'GSI3',
    partition: keys.townshipVisits(townshipId),
    sort: sortRange(fromAt, beforeAt),
  });
  return items.map(strip);
}

import { isoWeekOf } from '../../core/time.ts';
import type { InspectionSummary } from '../../schemas/inspections.ts';
import type { Problem } from '../../schemas/problems.ts';
import type { Village } from '../../schemas/roster.ts';
import { keys } from './keys.ts';
import { problemItem, putProblem } from './problems.ts';
import { getCachedItems } from './reference-cache.ts';
import {
  batchGet,
  batchPut,
  equalityFilter,
  getItem,
  type Item,
  inParallel,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryAll,
  queryPage,
  withoutKeys,
} from './table.ts';

/**
 * Inspections: a header item, one finding item per cadre (same partition, so one query reads the
 * whole inspection) and the problem items (problems.ts). Written children first, header last, each
 * with attribute_not_exists: a listed inspection is complete, and a retry with the same derived ids
 * after a crash fills in whatever is missing without duplicating anything.
 */
export interface StoredFinding {
  inspectionId: string;
  /** Position in the submitted list, so the inspection reads back in the inspector's order. */
  position: number;
  cadreId: string;
  present: boolean;
  commend: boolean;
  dispatchId?: string;
  note?: string;
  problemIds: string[];
  villageId: string;
  townshipId: string;
  date: string;
  mode: string;
}

export interface InspectionRecord {
  header: InspectionSummary;
  findings: StoredFinding[];
  problems: Problem[];
}

function findingItem(f: StoredFinding): Item {
  return {
    ...keys.finding(f.inspectionId, f.cadreId),
    GSI1PK: keys.cadreFindings(f.cadreId),
    GSI1SK: `${f.date}#${f.inspectionId}`,
    GSI4PK: keys.week(isoWeekOf(f.date)),
    GSI4SK: `FINDING#${f.date}#${f.inspectionId}#${f.cadreId}`,
    entity: 'finding',
    ...f,
  };
}

function headerItem(h: InspectionSummary): Item {
  const sk = `${h.date}#${h.id}`;
  return {
    ...keys.inspection(h.id),
    GSI1PK: keys.villageInspections(h.villageId),
    GSI1SK: sk,
    GSI2PK: keys.inspectionList(),
    GSI2SK: sk,
    GSI3PK: keys.townshipInspections(h.townshipId),
    GSI3SK: sk,
    GSI4PK: keys.week(isoWeekOf(h.date)),
    GSI4SK: `INSPECTION#${h.date}#${h.id}`,
    entity: 'inspection',
    ...h,
  };
}

/** Problems and findings, each written only if absent (a re-run keeps what a crashed run wrote). */
export async function writeInspectionDetails(record: InspectionRecord): Promise<void> {
  const writes: (() => Promise<unknown>)[] = [
    ...record.problems.map((p) => () => putProblem(p)),
    ...record.findings.map((f) => () => putIfAbsent(findingItem(f))),
  ];
  await inParallel(writes, 32, (write) => write());
}

/**
 * First attempt of a submission (fresh ids, nothing can exist yet): everything, audit records
 * included, in one BatchWriteItem per 25 items instead of one conditional put each. This is what keeps
 * a field submission within a few DynamoDB round-trips.
 */
export async function writeNewInspection(record: InspectionRecord, audit: Item[]): Promise<void> {
  await batchPut([
    ...record.findings.map(findingItem),
    ...record.problems.map(problemItem),
    headerItem(record.header),
    ...audit,
  ]);
}

/**
 * The village, cadres and dispatches an inspection names: from the warm-container cache, the rest in
 * one BatchGetItem.
 */
export async function loadReferences(
  villageId: string,
  cadreIds: string[],
  dispatchIds: string[],
): Promise<{ village: Village | undefined; cadreIds: Set<string>; dispatchIds: Set<string> }> {
  const found = await getCachedItems([
    keys.village(villageId),
    ...cadreIds.map((id) => keys.cadre(id)),
    ...dispatchIds.map((id) => keys.dispatch(id)),
  ]);
  const village = found.get(keys.village(villageId).PK);
  return {
    village: village && (withoutKeys(village) as unknown as Village),
    cadreIds: new Set(cadreIds.filter((id) => found.has(keys.cadre(id).PK))),
    dispatchIds: new Set(dispatchIds.filter((id) => found.has(keys.dispatch(id).PK))),
  };
}

/** The header makes the inspection visible; false when it was already written. */
export function writeInspectionHeader(header: InspectionSummary): Promise<boolean> {
  return putIfAbsent(headerItem(header));
}

export async function inspectionExists(id: string): Promise<boolean> {
  return (await getItem<Item>(keys.inspection(id))) !== undefined;
}

export async function getInspection(
  id: string,
): Promise<{ header: InspectionSummary; findings: StoredFinding[] } | undefined> {
  const items = await queryAll<Item>({ partition: keys.inspection(id).PK, consistent: true });
  const header = items.find((i) => i.SK === keys.inspection(id).SK);
  if (!header) return undefined;
  const findings = items
    .filter((i) => String(i.SK).startsWith(keys.findingPrefix()))
    .sort((a, b) => Number(a.position ?? 0) - Number(b.position ?? 0));
  return {
    header: withoutKeys(header) as unknown as InspectionSummary,
    findings: findings.map((f) => withoutKeys(f) as unknown as StoredFinding),
  };
}

/** Which of these dispatch ids name a dispatch form on record. */
export async function existingDispatchIds(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await batchGet<Item>(ids.map((id) => keys.dispatch(id)));
  return new Set(found.map((i) => String(i.PK).slice(keys.dispatch('').PK.length)));
}

export interface InspectionFilter {
  villageId?: string | undefined;
  townshipId?: string | undefined;
  mode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export async function listInspections(
  filter: InspectionFilter,
  limit: number,
  next?: string,
): Promise<Page<InspectionSummary>> {
  // The village index is the narrowest; a township given alongside a village only filters.
  const source = narrowest(
    filter.villageId && ['GSI1', keys.villageInspections(filter.villageId)],
    filter.townshipId && ['GSI3', keys.townshipInspections(filter.townshipId)],
    ['GSI2', keys.inspectionList()],
  );
  const where = equalityFilter({
    mode: filter.mode || undefined,
    townshipId: (filter.villageId && filter.townshipId) || undefined,
  });
  const sort: QuerySpec['sort'] =
    filter.from || filter.to
      ? { between: [filter.from ?? '0000-00-00', `${filter.to ?? '9999-12-31'}#\uffff`] }
      : undefined;
  const page = await queryPage<Item>({ ...source, descending: true, sort, filter: where }, limit, next);
  return mapPage(page, (i) => withoutKeys(i) as unknown as InspectionSummary);
}

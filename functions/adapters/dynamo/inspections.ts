import { isoWeekOf } from '../../core/time.ts';
import type { InspectionSummary } from '../../schemas/inspections.ts';
import type { Problem } from '../../schemas/problems.ts';
import type { Village } from '../../schemas/roster.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { chainedPage, problemItem, putProblem } from './problems.ts';
import { getCachedItems } from './reference-cache.ts';
import {
  allOf,
  batchGet,
  batchPut,
  ConditionFailed,
  equalityFilter,
  getItem,
  type Item,
  inParallel,
  narrowest,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryAll,
  queryPage,
  updateItem,
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
  /** 在岗 / 不在岗 / 未点名; missing on findings stored before the three states (then `present` says). */
  presence?: 'present' | 'absent' | 'unchecked';
  commend: boolean;
  /** Its inspection was voided (作废): kept, counted nowhere. */
  voided?: boolean;
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
  /** Inspections that recorded a finding on this cadre (read through the cadre's findings). */
  cadreId?: string | undefined;
  mode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A name search resolved to ids: inspections of any of these villages, or with a finding on any of these cadres. */
export interface InspectionSearch {
  cadreIds: string[];
  villageIds: string[];
}

const dateRange = (filter: InspectionFilter): QuerySpec['sort'] =>
  filter.from || filter.to
    ? { between: [filter.from ?? '0000-00-00', `${filter.to ?? '9999-12-31'}#\uffff`] }
    : undefined;

function headerSpec(filter: InspectionFilter): QuerySpec {
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
  return { ...source, descending: true, sort: dateRange(filter), filter: where };
}

/** A cadre's findings (GSI1), which carry the inspection's village, township, mode and date. */
function findingSpec(cadreId: string, filter: InspectionFilter, exceptVillages: string[] = []): QuerySpec {
  const values = Object.fromEntries(exceptVillages.map((id, i) => [`:x${i}`, id]));
  const except = exceptVillages.length
    ? { expression: `NOT (#x IN (${Object.keys(values).join(', ')}))`, names: { '#x': 'villageId' }, values }
    : undefined;
  return {
    index: 'GSI1',
    partition: keys.cadreFindings(cadreId),
    descending: true,
    sort: dateRange(filter),
    filter: allOf(
      equalityFilter({
        mode: filter.mode || undefined,
        villageId: filter.villageId || undefined,
        townshipId: filter.townshipId || undefined,
      }),
      except,
    ),
  };
}

/** Headers for a page that mixes header items and finding items, in order, each inspection once. */
async function headersOf(items: Item[]): Promise<InspectionSummary[]> {
  const wanted = [...new Set(items.map((i) => String(i.inspectionId ?? i.id)))];
  const missing = items
    .filter((i) => i.entity === 'finding')
    .map((i) => keys.inspection(String(i.inspectionId)));
  const fetched = missing.length ? await batchGet<Item>(missing) : [];
  const byId = new Map<string, Item>();
  for (const i of [...items.filter((x) => x.entity === 'inspection'), ...fetched]) byId.set(String(i.id), i);
  return wanted.flatMap((id) => {
    const header = byId.get(id);
    return header ? [withoutKeys(header) as unknown as InspectionSummary] : [];
  });
}

export async function listInspections(
  filter: InspectionFilter,
  limit: number,
  next?: string,
  search?: InspectionSearch,
): Promise<Page<InspectionSummary>> {
  if (!search) {
    const spec = filter.cadreId ? findingSpec(filter.cadreId, filter) : headerSpec(filter);
    const page = await queryPage<Item>(spec, limit, next);
    return { items: await headersOf(page.items), ...(page.next ? { next: page.next } : {}) };
  }
  // A name search: each matching village's inspections, then each matching cadre's elsewhere.
  const villages = search.villageIds.filter((id) => !filter.villageId || id === filter.villageId);
  const cadres = search.cadreIds.filter((id) => !filter.cadreId || id === filter.cadreId);
  const specs = [
    ...(filter.cadreId ? [] : villages.map((villageId) => headerSpec({ ...filter, villageId }))),
    ...cadres.map((cadreId) => findingSpec(cadreId, filter, filter.cadreId ? [] : villages)),
  ];
  if (specs.length === 0) {
    if (next !== undefined) throw invalidCursor();
    return { items: [] };
  }
  const page = await chainedPage(specs, limit, next);
  return { items: await headersOf(page.items), ...(page.next ? { next: page.next } : {}) };
}

export type InspectionVoid = NonNullable<InspectionSummary['voided']> & { id: string };

/**
 * Voids (作废) an inspection: one conditional update sets `voided` on the header unless it is already
 * there; then each finding is flagged so the week's evaluation leaves it out. Returns the header as it
 * is now and whether this call set it (false: it was voided already, by this request's earlier
 * attempt when `voided.id` matches, else by someone else).
 */
export async function voidInspectionHeader(
  id: string,
  voided: InspectionVoid,
): Promise<{ applied: boolean; header: InspectionSummary & { voided?: InspectionVoid } } | undefined> {
  try {
    const updated = await updateItem<Item>({
      Key: keys.inspection(id),
      UpdateExpression: 'SET voided = :voided',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(voided)',
      ExpressionAttributeValues: { ':voided': voided },
    });
    return {
      applied: true,
      header: withoutKeys(updated) as unknown as InspectionSummary & { voided?: InspectionVoid },
    };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const item = await getItem<Item>(keys.inspection(id));
    if (!item) return undefined;
    return {
      applied: false,
      header: withoutKeys(item) as unknown as InspectionSummary & { voided?: InspectionVoid },
    };
  }
}

/** Flags the findings of a voided inspection (idempotent). */
export async function markFindingsVoided(findings: StoredFinding[]): Promise<void> {
  await inParallel(findings, 16, (f) =>
    updateItem({
      Key: keys.finding(f.inspectionId, f.cadreId),
      UpdateExpression: 'SET voided = :yes',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':yes': true },
    }),
  );
}

import type { AssigneeRef, AssigneeStatus, DispatchState, ReportStatus } from '../../core/dispatches.ts';
import { isoWeekOfInstant } from '../../core/time.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  getItem,
  type Item,
  inParallel,
  mapPage,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryAll,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Dispatch forms in the single table. One partition per dispatch (DISP#id) holds:
 * - the meta item (SK 'A'), listed newest first on GSI1 (DISPS, `${createdAt}#${id}`);
 * - one assignee row per (cadre, village) (SK ASSG#…), reachable per cadre (GSI1), per village
 *   (GSI2) and, while unfinished, in the open-rows index (GSI3) the overdue sweep reads by deadline;
 * - the progress reports (SK RPT#…), also filed under their ISO week (GSI4).
 * Other modules (standing, sweeps) read assignee rows directly: their attributes are a contract.
 */

export interface DispatchRecord {
  id: string;
  number: string;
  year: number;
  sequence: number;
  title: string;
  category: string;
  description: string;
  deadline: string;
  createdAt: string;
  createdBy: string;
  /** A chief's dispatch to their team: who issued it (absent on HQ's). */
  issuerCadreId?: string;
  issuerName?: string;
  assignees: AssigneeRef[];
  /** Townships of the named villages, for the township filter on the HQ list. */
  townshipIds: string[];
  assigneeCount: number;
  /** Rows not yet done; 0 means the whole dispatch is done. */
  openCount: number;
}

export interface AssigneeRecord {
  dispatchId: string;
  number: string;
  title: string;
  category: string;
  cadreId: string;
  cadreName: string;
  villageId: string;
  villageName: string;
  townshipId: string;
  deadline: string;
  createdAt: string;
  createdBy: string;
  issuerCadreId?: string;
  issuerName?: string;
  status: AssigneeStatus;
  lastReportAt?: string;
  lastNote?: string;
  /** Lets a crashed report be re-run without a second status change. */
  lastReportId?: string;
  doneAt?: string;
  doneLate?: boolean;
  reportCount?: number;
}

export interface ReportRecord {
  id: string;
  dispatchId: string;
  number: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  status: ReportStatus;
  note: string;
  at: string;
  late: boolean;
}

const DISPATCH = 'dispatch';
const ASSIGNEE = 'dispatchAssignee';
const REPORT = 'dispatchReport';
/** Conditional puts in flight at once when writing a dispatch's rows. */
const WRITE_CONCURRENCY = 32;

function toDispatch(item: Item): DispatchRecord {
  const { doneRows: _doneRows, ...rest } = withoutKeys(item);
  return rest as unknown as DispatchRecord;
}
const toAssignee = (item: Item) => withoutKeys(item) as unknown as AssigneeRecord;
const toReport = (item: Item) => withoutKeys(item) as unknown as ReportRecord;

function rowIndexes(row: AssigneeRecord): Item {
  return {
    GSI1PK: keys.cadreDispatches(row.cadreId),
    GSI1SK: `${row.deadline}#${row.dispatchId}#${row.villageId}`,
    GSI2PK: keys.villageDispatches(row.villageId),
    GSI2SK: `${row.deadline}#${row.dispatchId}#${row.cadreId}`,
    ...(row.status === 'done'
      ? {}
      : {
          GSI3PK: keys.openDispatchAssignees(),
          GSI3SK: `${row.deadline}#${row.dispatchId}#${row.cadreId}#${row.villageId}`,
        }),
  };
}

/** Writes the meta item unless one exists; a re-run gets the stored one back instead. */
export async function createDispatch(
  record: DispatchRecord,
): Promise<{ created: boolean; item: DispatchRecord }> {
  const stored = await putIfAbsent({
    ...keys.dispatch(record.id),
    GSI1PK: keys.dispatchList(),
    GSI1SK: `${record.createdAt}#${record.id}`,
    GSI4PK: keys.week(isoWeekOfInstant(new Date(record.createdAt))),
    GSI4SK: `DISPATCH#${record.createdAt}#${record.id}`,
    ...(record.issuerCadreId
      ? { GSI2PK: keys.issuedDispatches(record.issuerCadreId), GSI2SK: `${record.createdAt}#${record.id}` }
      : {}),
    entity: DISPATCH,
    ...record,
  });
  if (stored) return { created: true, item: record };
  const existing = await getDispatch(record.id);
  if (!existing) throw new Error(`dispatch ${record.id} vanished after a conditional put failed`);
  return { created: false, item: existing };
}

/**
 * Writes assignee rows that do not exist yet. Conditional, never overwriting: on a re-run after a
 * crash a row that has meanwhile received reports keeps its progress. Returns how many were new.
 */
export async function createAssignees(rows: readonly AssigneeRecord[]): Promise<number> {
  let written = 0;
  await inParallel(rows, WRITE_CONCURRENCY, async (row) => {
    const created = await putIfAbsent({
      ...keys.dispatchAssignee(row.dispatchId, row.cadreId, row.villageId),
      ...rowIndexes(row),
      entity: ASSIGNEE,
      ...row,
    });
    if (created) written++;
  });
  return written;
}

export async function getDispatch(id: string): Promise<DispatchRecord | undefined> {
  const item = await getItem(keys.dispatch(id));
  return item && item.entity === DISPATCH ? toDispatch(item) : undefined;
}

export async function getAssignees(dispatchId: string): Promise<AssigneeRecord[]> {
  const items = await queryAll({
    partition: keys.dispatch(dispatchId).PK,
    sort: { beginsWith: keys.dispatchAssigneePrefix() },
    consistent: true,
  });
  return items.map(toAssignee);
}

/** One cadre's rows on one dispatch (one per village they were sent to). */
export async function getOwnAssignees(dispatchId: string, cadreId: string): Promise<AssigneeRecord[]> {
  const items = await queryAll({
    partition: keys.dispatch(dispatchId).PK,
    // The trailing '#' keeps cadre C1 from matching C10's rows.
    sort: { beginsWith: `${keys.dispatchAssigneePrefix()}${cadreId}#` },
    consistent: true,
  });
  // A caller id from a token is not schema-checked: never let a '#' in it widen the match.
  return items.map(toAssignee).filter((r) => r.cadreId === cadreId);
}

export async function getAssignee(dispatchId: string, cadreId: string, villageId: string) {
  const item = await getItem(keys.dispatchAssignee(dispatchId, cadreId, villageId));
  return item ? toAssignee(item) : undefined;
}

/**
 * Applies a report to an assignee row if the row still has the status the caller decided from;
 * returns undefined when a concurrent report changed it first (the caller re-reads and decides
 * again), so two concurrent "done" reports cannot both complete the row.
 */
export async function applyReport(input: {
  row: AssigneeRecord;
  next: AssigneeStatus;
  reportId: string;
  at: string;
  note: string;
  late: boolean;
}): Promise<AssigneeRecord | undefined> {
  const { row, next, reportId, at, note, late } = input;
  const done = next === 'done';
  const set = [
    '#status = :next',
    'lastReportAt = :at',
    'lastNote = :note',
    'lastReportId = :rid',
    'updatedAt = :at',
    'reportCount = if_not_exists(reportCount, :zero) + :one',
    ...(done ? ['doneAt = :at', 'doneLate = :late'] : []),
  ];
  try {
    const out = await updateItem({
      Key: keys.dispatchAssignee(row.dispatchId, row.cadreId, row.villageId),
      // A done row leaves the open-rows index, so the overdue sweep never sees it again.
      UpdateExpression: `SET ${set.join(', ')}${done ? ' REMOVE GSI3PK, GSI3SK' : ''}`,
      ConditionExpression: 'attribute_exists(PK) AND #status = :expected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':next': next,
        ':expected': row.status,
        ':at': at,
        ':note': note,
        ':rid': reportId,
        ':zero': 0,
        ':one': 1,
        ...(done ? { ':late': late } : {}),
      },
    });
    return toAssignee(out);
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
}

/** Files a report; a re-run with the same id writes nothing new. */
export async function putReport(report: ReportRecord): Promise<void> {
  await putIfAbsent({
    ...keys.dispatchReport(report.dispatchId, report.at, report.id),
    GSI4PK: keys.week(isoWeekOfInstant(new Date(report.at))),
    GSI4SK: `DREPORT#${report.at}#${report.id}`,
    entity: REPORT,
    ...report,
  });
}

/**
 * Counts a finished row on the dispatch. The set of finished rows makes this idempotent: a re-run
 * after a crash finds the row already counted and changes nothing.
 */
export async function countRowDone(dispatchId: string, cadreId: string, villageId: string): Promise<void> {
  const row = `${cadreId}#${villageId}`;
  try {
    await updateItem({
      Key: keys.dispatch(dispatchId),
      UpdateExpression: 'ADD doneRows :rows SET openCount = openCount - :one',
      ConditionExpression: 'attribute_exists(PK) AND NOT contains(doneRows, :row)',
      ExpressionAttributeValues: { ':rows': new Set([row]), ':row': row, ':one': 1 },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export async function latestReports(dispatchId: string, limit: number): Promise<ReportRecord[]> {
  const page = await queryPage(
    {
      partition: keys.dispatch(dispatchId).PK,
      sort: { beginsWith: keys.dispatchReportPrefix() },
      descending: true,
    },
    limit,
  );
  return page.items.map(toReport);
}

export interface ListFilter {
  state?: DispatchState | undefined;
  townshipId?: string | undefined;
  /** Inclusive bounds on createdAt, as UTC instants. */
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  now: Date;
}

interface Filter {
  clauses: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function filterSpec(f: Filter): Pick<QuerySpec, 'filter'> {
  if (!f.clauses.length) return {};
  return {
    filter: {
      expression: f.clauses.join(' AND '),
      ...(Object.keys(f.names).length ? { names: f.names } : {}),
      values: f.values,
    },
  };
}

/**
 * Every dispatch, newest first (HQ view), or with `issuedBy` the ones a chief issued to their team
 * (GSI2 of the meta item). Date bounds use the index's sort key.
 */
export async function listDispatches(
  filter: ListFilter & { issuedBy?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<DispatchRecord>> {
  const f: Filter = { clauses: [], names: {}, values: {} };
  const now = filter.now.toISOString();
  if (filter.state === 'done') {
    f.clauses.push('openCount <= :zero');
    f.values[':zero'] = 0;
  } else if (filter.state) {
    f.clauses.push(`openCount > :zero AND #deadline ${filter.state === 'overdue' ? '<' : '>='} :now`);
    f.names['#deadline'] = 'deadline';
    f.values[':zero'] = 0;
    f.values[':now'] = now;
  }
  if (filter.townshipId) {
    f.clauses.push('contains(townshipIds, :townshipId)');
    f.values[':townshipId'] = filter.townshipId;
  }
  let sort: QuerySpec['sort'];
  // GSI1SK is `${createdAt}#${id}`; '~' sorts after '#', so `${to}~` keeps items created at `to`.
  if (filter.createdFrom && filter.createdTo) {
    sort = { between: [filter.createdFrom, `${filter.createdTo}~`] };
  } else if (filter.createdFrom) {
    sort = { gte: filter.createdFrom };
  } else if (filter.createdTo) {
    sort = { lt: `${filter.createdTo}~` };
  }
  const page = await queryPage(
    {
      ...(filter.issuedBy
        ? { index: 'GSI2' as const, partition: keys.issuedDispatches(filter.issuedBy) }
        : { index: 'GSI1' as const, partition: keys.dispatchList() }),
      ...(sort ? { sort } : {}),
      ...filterSpec(f),
      descending: true,
    },
    limit,
    next,
  );
  return mapPage(page, toDispatch);
}

/**
 * One village's assignee rows not done before `doneFrom` (UTC ISO): its open tasks now and a week ago,
 * from the village's own index partition.
 */
export async function villageRowsOpenSince(villageId: string, doneFrom: string): Promise<AssigneeRecord[]> {
  const items = await queryAll<Item>({
    index: 'GSI2',
    partition: keys.villageDispatches(villageId),
    filter: {
      expression: '#st <> :done OR #doneAt >= :from',
      names: { '#st': 'status', '#doneAt': 'doneAt' },
      values: { ':done': 'done', ':from': doneFrom },
    },
  });
  return items.map(toAssignee);
}

/**
 * Assignee rows of one cadre (GSI1) or one village (GSI2), by deadline. The deadline leads the
 * sort key, so "overdue" and "open" narrow the key range instead of filtering the whole partition.
 */
export async function listAssigneeRows(
  by: { cadreId: string; villageId?: string | undefined } | { villageId: string },
  filter: ListFilter,
  limit: number,
  next?: string,
): Promise<Page<AssigneeRecord>> {
  const f: Filter = { clauses: [], names: {}, values: {} };
  const now = filter.now.toISOString();
  let sort: QuerySpec['sort'];
  if (filter.state === 'done') {
    f.clauses.push('#status = :done');
    f.names['#status'] = 'status';
    f.values[':done'] = 'done';
  } else if (filter.state) {
    f.clauses.push('#status <> :done');
    f.names['#status'] = 'status';
    f.values[':done'] = 'done';
    // Sort keys start with the deadline (same-length UTC ISO), so comparing the key with `now`
    // compares the deadline: overdue means strictly past it, as in core `overdue`.
    sort = filter.state === 'overdue' ? { lt: now } : { gte: now };
  }
  if (filter.townshipId) {
    f.clauses.push('townshipId = :townshipId');
    f.values[':townshipId'] = filter.townshipId;
  }
  if (filter.createdFrom) {
    f.clauses.push('createdAt >= :from');
    f.values[':from'] = filter.createdFrom;
  }
  if (filter.createdTo) {
    f.clauses.push('createdAt <= :to');
    f.values[':to'] = filter.createdTo;
  }
  const byCadre = 'cadreId' in by;
  if (byCadre && by.villageId) {
    f.clauses.push('villageId = :villageId');
    f.values[':villageId'] = by.villageId;
  }
  const page = await queryPage(
    {
      index: byCadre ? 'GSI1' : 'GSI2',
      partition: byCadre ? keys.cadreDispatches(by.cadreId) : keys.villageDispatches(by.villageId),
      ...(sort ? { sort, movingBound: true } : {}),
      ...filterSpec(f),
    },
    limit,
    next,
  );
  return mapPage(page, toAssignee);
}

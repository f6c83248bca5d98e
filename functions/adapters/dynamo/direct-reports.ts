import { isoWeekOfInstant } from '../../core/time.ts';
import type { DirectReport, DirectReportKind, DirectReportStatus } from '../../schemas/direct-reports.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { chainedPage } from './problems.ts';
import {
  ConditionFailed,
  equalityFilter,
  getItem,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  putItem,
  queryPage,
  sortRange,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Direct reports. One item per report, indexed for every way it is read: all reports (GSI1), one
 * cadre's (GSI2), one village's (GSI3), and the ISO week it was filed (GSI4, for the weekly
 * evaluation). An acknowledgement is also written as a small dated item under the report so the
 * week it happened in can be read without Scan.
 */
type Stored = Record<string, unknown>;

const strip = (item: Stored) => {
  const { ackToken: _ackToken, ...rest } = withoutKeys(item) as DirectReport & { ackToken?: string };
  return rest as DirectReport;
};

/** Put when new; a retry that derived the same id gets the stored report back. */
export async function createDirectReport(
  report: DirectReport,
): Promise<{ created: boolean; item: DirectReport }> {
  const sort = `${report.createdAt}#${report.id}`;
  const stored = await putIfAbsent({
    ...keys.directReport(report.id),
    GSI1PK: keys.directReportList(),
    GSI1SK: sort,
    GSI2PK: keys.cadreDirectReports(report.cadreId),
    GSI2SK: sort,
    GSI3PK: keys.villageDirectReports(report.villageId),
    GSI3SK: sort,
    GSI4PK: keys.week(isoWeekOfInstant(new Date(report.createdAt))),
    GSI4SK: keys.directReportWeekSort(report.createdAt, report.id),
    entity: 'directReport',
    ...report,
  });
  if (stored) return { created: true, item: report };
  const existing = await getItem<Stored>(keys.directReport(report.id));
  return { created: false, item: strip(existing ?? {}) };
}

export async function getDirectReport(id: string): Promise<DirectReport | undefined> {
  const item = await getItem<Stored>(keys.directReport(id));
  return item && strip(item);
}

export type AcknowledgeResult =
  | { kind: 'acknowledged'; item: DirectReport }
  /** Already acknowledged by this same request (a retry after a crash): answer as the first time. */
  | { kind: 'repeat'; item: DirectReport }
  | { kind: 'already'; item: DirectReport }
  | { kind: 'missing' };

/**
 * Marks a report acknowledged only while it is still new (conditional update), then records the
 * acknowledgement as a dated item. The second step is an idempotent put, so it is repeated whenever a
 * retry finds the first step done.
 */
export async function acknowledgeDirectReport(
  id: string,
  ack: {
    at: string;
    by: string;
    /** The signer's name as signed in, what people read (absent for a program). */
    byName?: string | undefined;
    note: string | null;
    responseMinutes: number;
    token: string | undefined;
  },
): Promise<AcknowledgeResult> {
  let item: Stored;
  try {
    item = await updateItem<Stored>({
      Key: keys.directReport(id),
      UpdateExpression:
        'SET #status = :acknowledged, acknowledgedAt = :at, acknowledgedBy = :by, acknowledgementNote = :note, responseMinutes = :minutes' +
        (ack.byName ? ', acknowledgedByName = :byName' : '') +
        (ack.token ? ', ackToken = :token' : ''),
      ConditionExpression: 'attribute_exists(PK) AND #status = :new',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':acknowledged': 'acknowledged',
        ':new': 'new',
        ':at': ack.at,
        ':by': ack.by,
        ':note': ack.note,
        ':minutes': ack.responseMinutes,
        ...(ack.byName ? { ':byName': ack.byName } : {}),
        ...(ack.token ? { ':token': ack.token } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const existing = await getItem<Stored>(keys.directReport(id));
    if (!existing) return { kind: 'missing' };
    if (ack.token && existing.ackToken === ack.token) {
      await putAcknowledgementEvent(existing);
      return { kind: 'repeat', item: strip(existing) };
    }
    return { kind: 'already', item: strip(existing) };
  }
  await putAcknowledgementEvent(item);
  return { kind: 'acknowledged', item: strip(item) };
}

async function putAcknowledgementEvent(report: Stored): Promise<void> {
  const id = report.id as string;
  const at = report.acknowledgedAt as string;
  await putItem({
    ...keys.directReportAck(id, at),
    GSI4PK: keys.week(isoWeekOfInstant(new Date(at))),
    GSI4SK: keys.directReportAckWeekSort(at, id),
    entity: 'directReportAck',
    directReportId: id,
    cadreId: report.cadreId,
    villageId: report.villageId,
    townshipId: report.townshipId,
    kind: report.kind,
    createdAt: report.createdAt,
    acknowledgedAt: at,
    acknowledgedBy: report.acknowledgedBy,
    responseMinutes: report.responseMinutes,
  });
}

export interface DirectReportFilter {
  kind?: DirectReportKind | undefined;
  status?: DirectReportStatus | undefined;
  villageId?: string | undefined;
  cadreId?: string | undefined;
  /**
   * One township's reports, as the villages it holds: each village's partition (GSI3) read in turn,
   * newest first within a village, so the read is only that township's reports.
   */
  townshipVillageIds?: readonly string[] | undefined;
  /** createdAt ≥ this UTC instant. */
  fromAt?: string | undefined;
  /** createdAt < this UTC instant. */
  beforeAt?: string | undefined;
}

/**
 * Newest first. The most selective index serves the query (a cadre's, else a village's, else all);
 * the date range is a sort-key condition, the remaining criteria a filter.
 */
export async function listDirectReports(
  filter: DirectReportFilter,
  limit: number,
  next?: string,
): Promise<Page<DirectReport>> {
  if (filter.townshipVillageIds && !filter.cadreId && !filter.villageId) {
    const where = equalityFilter({ kind: filter.kind, status: filter.status });
    const sort = sortRange(filter.fromAt, filter.beforeAt);
    const specs = filter.townshipVillageIds.map((villageId) => ({
      index: 'GSI3' as const,
      partition: keys.villageDirectReports(villageId),
      descending: true,
      sort,
      filter: where,
    }));
    if (specs.length === 0) {
      if (next !== undefined) throw invalidCursor();
      return { items: [] };
    }
    return mapPage(await chainedPage(specs, limit, next), strip);
  }
  const source = narrowest(
    filter.cadreId && ['GSI2', keys.cadreDirectReports(filter.cadreId)],
    filter.villageId && ['GSI3', keys.villageDirectReports(filter.villageId)],
    ['GSI1', keys.directReportList()],
  );
  const where = equalityFilter({
    kind: filter.kind,
    status: filter.status,
    villageId: source.index === 'GSI2' ? filter.villageId : undefined,
  });
  const sort = sortRange(filter.fromAt, filter.beforeAt);
  return mapPage(
    await queryPage<Stored>({ ...source, descending: true, sort, filter: where }, limit, next),
    strip,
  );
}

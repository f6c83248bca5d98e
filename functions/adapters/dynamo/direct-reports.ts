import { isoWeekOfInstant } from '../../core/time.ts';
import {
  DIRECT_REPORT_LEVEL_LABELS,
  type DirectReport,
  type DirectReportKind,
  type DirectReportLevel,
  type DirectReportStatus,
  type Handoff,
  type HandoffListItem,
} from '../../schemas/direct-reports.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { chainedPage } from './problems.ts';
import {
  allOf,
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

const TOKENS = ['ackToken', 'triageToken', 'closeToken', 'openHandoffs'] as const;

/** The stored report as the API gives it: tokens dropped, the hand-off map as a list (oldest first). */
const strip = (item: Stored) => {
  const rest = withoutKeys(item) as Stored;
  for (const t of TOKENS) delete rest[t];
  const map = rest.handoffs as Record<string, Stored> | undefined;
  if (map !== undefined) {
    const list = Object.values(map)
      .map(({ token: _t, replyToken: _r, ...h }) => h as unknown as Handoff)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    if (list.length > 0) rest.handoffs = list;
    else delete rest.handoffs;
  }
  const report = rest as unknown as DirectReport;
  if (report.level) report.levelLabel = DIRECT_REPORT_LEVEL_LABELS[report.level];
  return report;
};

/** Open hand-offs of a stored report (the counter triage starts at 0). */
export const openHandoffsOf = (item: Stored) => Number(item.openHandoffs ?? 0);

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

/** The report as stored (with its open hand-off count), for the routes' status checks. */
export async function getStoredDirectReport(
  id: string,
): Promise<{ report: DirectReport; openHandoffs: number } | undefined> {
  const item = await getItem<Stored>(keys.directReport(id));
  return item && { report: strip(item), openHandoffs: openHandoffsOf(item) };
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

/** core/direct-reports.ts `townshipMaySee`, as a filter. */
const TOWNSHIP_VISIBLE = {
  expression: '(skipLevels <> :skipped OR #level IN (:villageLevel, :townshipLevel))',
  names: { '#level': 'level' },
  values: { ':skipped': true, ':villageLevel': 'village', ':townshipLevel': 'township' },
};

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
  /** A township's staff: leave out reports sent past the township that the county has not handed down. */
  townshipView?: boolean | undefined;
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
    const where = allOf(
      equalityFilter({ kind: filter.kind, status: filter.status }),
      filter.townshipView ? TOWNSHIP_VISIBLE : undefined,
    );
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
  const where = allOf(
    equalityFilter({
      kind: filter.kind,
      status: filter.status,
      villageId: source.index === 'GSI2' ? filter.villageId : undefined,
    }),
    filter.townshipView ? TOWNSHIP_VISIBLE : undefined,
  );
  const sort = sortRange(filter.fromAt, filter.beforeAt);
  return mapPage(
    await queryPage<Stored>({ ...source, descending: true, sort, filter: where }, limit, next),
    strip,
  );
}

/** The outcome of a hand-off path step (triage, hand-off, reply, close). */
export type StepResult =
  | { kind: 'done'; item: DirectReport; stored: Stored }
  /** Already done by this same request (a retry after a crash): answer as the first time. */
  | { kind: 'repeat'; item: DirectReport; stored: Stored }
  /** Refused by the report's state, as it is now. */
  | { kind: 'refused'; item: DirectReport; stored: Stored }
  | { kind: 'missing' };

interface Signer {
  at: string;
  by: string;
  byName?: string | undefined;
  token: string;
}

/** SET clauses and values that record the first response (签收) if none was recorded yet. */
function firstResponse(s: Signer, minutes: number) {
  return {
    clause:
      'acknowledgedAt = if_not_exists(acknowledgedAt, :at), acknowledgedBy = if_not_exists(acknowledgedBy, :by), responseMinutes = if_not_exists(responseMinutes, :minutes)' +
      (s.byName ? ', acknowledgedByName = if_not_exists(acknowledgedByName, :byName)' : ''),
    values: { ':minutes': minutes, ...(s.byName ? { ':byName': s.byName } : {}) },
  };
}

async function step(
  id: string,
  write: () => Promise<Stored>,
  isRepeat: (existing: Stored) => boolean,
): Promise<StepResult> {
  try {
    const stored = await write();
    return { kind: 'done', item: strip(stored), stored };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const existing = await getItem<Stored>(keys.directReport(id));
    if (!existing) return { kind: 'missing' };
    return { kind: isRepeat(existing) ? 'repeat' : 'refused', item: strip(existing), stored: existing };
  }
}

/** The first response's dated fact when this step was it (acknowledgedAt is this step's time). */
async function recordFirstResponse(stored: Stored, at: string): Promise<void> {
  if (stored.acknowledgedAt === at) await putAcknowledgementEvent(stored);
}

/** Triage (研判): the level, while no hand-off was made; the first response when none was recorded. */
export async function triageDirectReport(
  id: string,
  t: Signer & { level: DirectReportLevel; note: string | null; responseMinutes: number },
): Promise<StepResult> {
  const first = firstResponse(t, t.responseMinutes);
  const result = await step(
    id,
    () =>
      updateItem<Stored>({
        Key: keys.directReport(id),
        UpdateExpression:
          'SET #status = :triaged, #level = :level, triagedAt = :at, triagedBy = :by, triageNote = :note, triageToken = :token, handoffs = if_not_exists(handoffs, :empty), openHandoffs = if_not_exists(openHandoffs, :zero), ' +
          first.clause +
          (t.byName ? ', triagedByName = :byName' : ''),
        ConditionExpression:
          'attribute_exists(PK) AND #status IN (:new, :acknowledged, :triaged) AND (attribute_not_exists(triageToken) OR triageToken <> :token)',
        ExpressionAttributeNames: { '#status': 'status', '#level': 'level' },
        ExpressionAttributeValues: {
          ':triaged': 'triaged',
          ':new': 'new',
          ':acknowledged': 'acknowledged',
          ':level': t.level,
          ':at': t.at,
          ':by': t.by,
          ':note': t.note,
          ':token': t.token,
          ':empty': {},
          ':zero': 0,
          ...first.values,
        },
      }),
    (existing) => existing.triageToken === t.token,
  );
  if (result.kind === 'done' || result.kind === 'repeat')
    await recordFirstResponse(result.stored, String(result.stored.triagedAt));
  return result;
}

/** Adds a hand-off (转办) to a triaged report, then its index item (an idempotent put). */
export async function addHandoff(
  id: string,
  h: Omit<Handoff, 'reply' | 'repliedAt' | 'repliedBy' | 'repliedByName'>,
): Promise<StepResult> {
  const result = await step(
    id,
    () =>
      updateItem<Stored>({
        Key: keys.directReport(id),
        UpdateExpression:
          'SET handoffs.#hid = :handoff, #status = :handedOff, openHandoffs = openHandoffs + :one',
        ConditionExpression:
          'attribute_exists(PK) AND #status IN (:triaged, :handedOff, :replied) AND attribute_exists(handoffs) AND attribute_not_exists(handoffs.#hid)',
        ExpressionAttributeNames: { '#status': 'status', '#hid': h.id },
        ExpressionAttributeValues: {
          ':handoff': h,
          ':handedOff': 'handed_off',
          ':triaged': 'triaged',
          ':replied': 'replied',
          ':one': 1,
        },
      }),
    (existing) => Boolean((existing.handoffs as Record<string, Stored> | undefined)?.[h.id]),
  );
  if (result.kind === 'done' || result.kind === 'repeat') await putHandoffIndex(result.stored, h.id);
  return result;
}

function handoffOf(stored: Stored, handoffId: string): Stored | undefined {
  return (stored.handoffs as Record<string, Stored> | undefined)?.[handoffId];
}

/** The hand-off's index item, as the report holds it: open (GSI2 by deadline) until it has its reply. */
async function putHandoffIndex(stored: Stored, handoffId: string): Promise<void> {
  const h = handoffOf(stored, handoffId);
  if (!h) return;
  const { token: _t, replyToken: _r, ...handoff } = h;
  const reportId = String(stored.id);
  await putItem({
    ...keys.directReportHandoff(reportId, handoffId),
    GSI1PK: keys.unitHandoffs(String(h.unitId)),
    GSI1SK: `${h.createdAt}#${handoffId}`,
    ...(h.repliedAt === undefined
      ? { GSI2PK: keys.openHandoffs(), GSI2SK: `${h.deadline}#${reportId}#${handoffId}` }
      : {}),
    entity: 'directReportHandoff',
    ...handoff,
    directReportId: reportId,
    summary: stored.summary,
    kindLabel: stored.kindLabel,
    skipLevels: stored.skipLevels,
    level: stored.level,
    villageId: stored.villageId,
    townshipId: stored.townshipId,
  });
}

/** The unit's reply (回复): once per hand-off; the report is `replied` when no hand-off waits. */
export async function replyToHandoff(
  id: string,
  handoffId: string,
  r: Signer & { reply: string },
): Promise<StepResult> {
  const result = await step(
    id,
    () =>
      updateItem<Stored>({
        Key: keys.directReport(id),
        UpdateExpression:
          'SET handoffs.#hid.reply = :reply, handoffs.#hid.repliedAt = :at, handoffs.#hid.repliedBy = :by, handoffs.#hid.replyToken = :token' +
          (r.byName ? ', handoffs.#hid.repliedByName = :byName' : '') +
          ', openHandoffs = openHandoffs - :one',
        ConditionExpression:
          'attribute_exists(handoffs.#hid) AND attribute_not_exists(handoffs.#hid.repliedAt) AND #status <> :closed',
        ExpressionAttributeNames: { '#status': 'status', '#hid': handoffId },
        ExpressionAttributeValues: {
          ':reply': r.reply,
          ':at': r.at,
          ':by': r.by,
          ':token': r.token,
          ':closed': 'closed',
          ':one': 1,
          ...(r.byName ? { ':byName': r.byName } : {}),
        },
      }),
    (existing) => handoffOf(existing, handoffId)?.replyToken === r.token,
  );
  if (result.kind !== 'done' && result.kind !== 'repeat') return result;
  let stored = result.stored;
  if (stored.status === 'handed_off' && openHandoffsOf(stored) === 0) {
    try {
      stored = await updateItem<Stored>({
        Key: keys.directReport(id),
        UpdateExpression: 'SET #status = :replied',
        ConditionExpression: '#status = :handedOff AND openHandoffs = :zero',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':replied': 'replied', ':handedOff': 'handed_off', ':zero': 0 },
      });
    } catch (error) {
      // Another hand-off was made meanwhile: the report stays handed off.
      if (!(error instanceof ConditionFailed)) throw error;
    }
  }
  await putHandoffIndex(stored, handoffId);
  return { ...result, item: strip(stored), stored };
}

/** Closure (办结): no hand-off may wait for its reply; the first response if none was recorded. */
export async function closeDirectReport(
  id: string,
  c: Signer & { resolution: string; resolutionMinutes: number; responseMinutes: number },
): Promise<StepResult> {
  const first = firstResponse(c, c.responseMinutes);
  const result = await step(
    id,
    () =>
      updateItem<Stored>({
        Key: keys.directReport(id),
        UpdateExpression:
          'SET #status = :closed, closedAt = :at, closedBy = :by, resolution = :resolution, resolutionMinutes = :resolutionMinutes, closeToken = :token, ' +
          first.clause +
          (c.byName ? ', closedByName = :byName' : ''),
        ConditionExpression:
          'attribute_exists(PK) AND #status <> :closed AND (attribute_not_exists(openHandoffs) OR openHandoffs = :zero)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'closed',
          ':at': c.at,
          ':by': c.by,
          ':resolution': c.resolution,
          ':resolutionMinutes': c.resolutionMinutes,
          ':token': c.token,
          ':zero': 0,
          ...first.values,
        },
      }),
    (existing) => existing.closeToken === c.token,
  );
  if (result.kind === 'done' || result.kind === 'repeat') {
    await recordFirstResponse(result.stored, String(result.stored.closedAt));
    await putCloseEvent(result.stored);
  }
  return result;
}

async function putCloseEvent(report: Stored): Promise<void> {
  const id = report.id as string;
  const at = report.closedAt as string;
  await putItem({
    ...keys.directReportClose(id),
    GSI4PK: keys.week(isoWeekOfInstant(new Date(at))),
    GSI4SK: keys.directReportCloseWeekSort(at, id),
    entity: 'directReportClose',
    directReportId: id,
    cadreId: report.cadreId,
    villageId: report.villageId,
    townshipId: report.townshipId,
    kind: report.kind,
    createdAt: report.createdAt,
    acknowledgedAt: report.acknowledgedAt,
    closedAt: at,
    resolutionMinutes: report.resolutionMinutes,
  });
}

export interface HandoffFilter {
  unitId?: string | undefined;
  townshipId?: string | undefined;
  /** Only open hand-offs whose deadline is before this Beijing date (overdue). */
  dueBefore?: string | undefined;
  /** A township's staff: leave out the hand-offs of reports sent past the township. */
  townshipView?: boolean | undefined;
}

/**
 * Hand-offs: one unit's (GSI1, newest first), else the open ones by deadline (GSI2, soonest first),
 * `dueBefore` cutting them to the overdue. The township is a filter on either partition.
 */
export async function listHandoffs(
  filter: HandoffFilter,
  limit: number,
  next?: string,
): Promise<Page<Omit<HandoffListItem, 'overdue'>>> {
  const where = allOf(
    equalityFilter({ townshipId: filter.townshipId }),
    filter.townshipView ? TOWNSHIP_VISIBLE : undefined,
  );
  const map = (item: Stored) => {
    const { skipLevels: _s, level: _l, entity: _e, ...rest } = withoutKeys(item) as Stored;
    return rest as unknown as Omit<HandoffListItem, 'overdue'>;
  };
  if (filter.unitId) {
    const openOnly = filter.dueBefore
      ? {
          expression: 'attribute_not_exists(repliedAt) AND #deadline < :due',
          names: { '#deadline': 'deadline' },
          values: { ':due': filter.dueBefore },
        }
      : undefined;
    return mapPage(
      await queryPage<Stored>(
        {
          index: 'GSI1',
          partition: keys.unitHandoffs(filter.unitId),
          descending: true,
          filter: allOf(where, openOnly),
          movingBound: Boolean(filter.dueBefore),
        },
        limit,
        next,
      ),
      map,
    );
  }
  return mapPage(
    await queryPage<Stored>(
      {
        index: 'GSI2',
        partition: keys.openHandoffs(),
        sort: filter.dueBefore ? { lt: filter.dueBefore } : undefined,
        filter: where,
        movingBound: Boolean(filter.dueBefore),
      },
      limit,
      next,
    ),
    map,
  );
}

import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '../../config.ts';
import type {
  CadreRef,
  DirectReportFact,
  DispatchAssigneeFact,
  FindingFact,
  MajorFailureFact,
  ProblemEvent,
  ProblemFact,
} from '../../core/rules/facts.ts';
import type { VisitDutyFact, VisitFact } from '../../core/rules/visit-rules.ts';
import { beijingDayEnd } from '../../core/time.ts';
import { documentClient } from './client.ts';
import { keys } from './keys.ts';
import type { Item, Key } from './table.ts';
import { type IndexName, indexKeys } from './table-definition.ts';

/**
 * The reads behind a weekly evaluation, each counted (ReturnConsumedCapacity TOTAL) so the job can
 * report what a week cost. Everything dated is read from the week's GSI4 partition (`WEEK#<week>`),
 * one query per kind of fact, so the cost follows that week's work, never the table's history. The
 * item shapes read here are the intake modules' contracts (inspections, problems, dispatches,
 * direct reports); this module turns them into the rules engine's facts.
 */

export interface ReadMeter {
  capacityUnits: number;
  items: number;
  requests: number;
  bySource: Record<string, { capacityUnits: number; items: number; requests: number }>;
}

export const newReadMeter = (): ReadMeter => ({ capacityUnits: 0, items: 0, requests: 0, bySource: {} });

function count(meter: ReadMeter, source: string, units: number, items: number): void {
  meter.capacityUnits += units;
  meter.items += items;
  meter.requests += 1;
  const s = meter.bySource[source] ?? { capacityUnits: 0, items: 0, requests: 0 };
  meter.bySource[source] = s;
  s.capacityUnits += units;
  s.items += items;
  s.requests += 1;
}

export interface MeteredQuery {
  index?: IndexName;
  partition: string;
  beginsWith?: string;
  consistent?: boolean;
}

/** Every item of one query, counting the capacity each page consumed. */
export async function meteredQuery(meter: ReadMeter, source: string, q: MeteredQuery): Promise<Item[]> {
  const names = q.index ? indexKeys(q.index) : { partition: 'PK', sort: 'SK' };
  const input: QueryCommandInput = {
    TableName: config().tableName,
    ...(q.index ? { IndexName: q.index } : {}),
    KeyConditionExpression: q.beginsWith ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
    ExpressionAttributeNames: { '#pk': names.partition, ...(q.beginsWith ? { '#sk': names.sort } : {}) },
    ExpressionAttributeValues: { ':pk': q.partition, ...(q.beginsWith ? { ':sk': q.beginsWith } : {}) },
    ReturnConsumedCapacity: 'TOTAL',
    ...(q.consistent && !q.index ? { ConsistentRead: true } : {}),
  };
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    const page = (out.Items ?? []) as Item[];
    items.push(...page);
    count(meter, source, out.ConsumedCapacity?.CapacityUnits ?? 0, page.length);
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** BatchGetItem in chunks of 100, counted; unprocessed keys are retried with backoff. */
export async function meteredBatchGet(meter: ReadMeter, source: string, keyList: Key[]): Promise<Item[]> {
  const table = config().tableName;
  const unique = [...new Map(keyList.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
  const found: Item[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Key[] = unique.slice(i, i + 100);
    for (let attempt = 0; pending.length && attempt < 8; attempt++) {
      const out = await documentClient().send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const got = (out.Responses?.[table] ?? []) as Item[];
      found.push(...got);
      const units = (out.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      count(meter, source, units, got.length);
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    if (pending.length) throw new Error('BatchGet left keys unprocessed after retries');
  }
  return found;
}

/** Runs `run` over items, at most `width` at a time. */
async function eachLimited<T, R>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

// ---------- item → fact ----------

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function problemFact(item: Item, events: readonly ProblemEvent[] = []): ProblemFact {
  return {
    id: String(item.id),
    cadreId: String(item.cadreId),
    villageId: String(item.villageId),
    townshipId: String(item.townshipId),
    severity: item.severity as ProblemFact['severity'],
    foundOn: String(item.foundOn),
    // The deadline as found: later moves (整改不到位, 延期) come in as dated events.
    rectifyBy: str(item.initialRectifyBy) ?? str(item.rectifyBy),
    inspectionId: str(item.inspectionId),
    events,
    ...(item.voided ? { voided: true } : {}),
    ...(repeatOfItem(item) ? { repeatOf: repeatOfItem(item) } : {}),
    ...(item.absence === true ? { absence: true } : {}),
  };
}

/** The repeat flag stored on a problem (`repeat: {of, weeks}`), as the earlier problems' ids. */
function repeatOfItem(item: Item): string[] | undefined {
  const of = (item.repeat as { of?: unknown } | undefined)?.of;
  return Array.isArray(of) && of.length ? of.map(String) : undefined;
}

export function eventOf(item: Item): ProblemEvent & { problemId: string } {
  // An extension (延期) item is, to the rules, a deadline change.
  const kind = item.kind === 'extension' ? 'deadline' : (item.kind as ProblemEvent['kind']);
  return {
    problemId: String(item.problemId),
    kind,
    outcome: item.outcome as ProblemEvent['outcome'],
    at: String(item.at),
    id: str(item.id),
    ...(item.rejectionKind ? { rejectionKind: item.rejectionKind as ProblemEvent['rejectionKind'] } : {}),
    ...(str(item.rectifyBy) ? { rectifyBy: str(item.rectifyBy) } : {}),
  };
}

function findingFact(item: Item): FindingFact {
  return {
    inspectionId: String(item.inspectionId),
    cadreId: String(item.cadreId),
    villageId: String(item.villageId),
    townshipId: String(item.townshipId),
    date: String(item.date),
    present: item.present === true,
    ...(item.presence ? { presence: item.presence as FindingFact['presence'] } : {}),
    commend: item.commend === true,
    ...(item.voided ? { voided: true } : {}),
  };
}

/** A stored assignee row (GSI3 `OPEN#DISP`, or by key) as a fact. */
export function dispatchRowFact(item: Item): DispatchAssigneeFact {
  return {
    dispatchId: String(item.dispatchId),
    number: str(item.number),
    title: str(item.title),
    cadreId: String(item.cadreId),
    villageId: String(item.villageId),
    townshipId: str(item.townshipId),
    createdAt: String(item.createdAt),
    deadline: normalizeDeadline(String(item.deadline)),
    status: item.status as DispatchAssigneeFact['status'],
    doneAt: str(item.doneAt),
  };
}

/** Deadlines are stored as UTC instants; a date-only one means the end of that Beijing day. */
function normalizeDeadline(deadline: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(deadline) ? beijingDayEnd(deadline).toISOString() : deadline;
}

function majorFailureFact(item: Item): MajorFailureFact {
  return {
    id: String(item.id),
    type: String(item.type),
    occurredOn: String(item.date),
    villageId: String(item.villageId),
    townshipId: String(item.townshipId),
    cadreIds: Array.isArray(item.cadreIds) ? item.cadreIds.map(String) : [],
    serious: item.serious === true,
    summary: str(item.description),
  };
}

function directReportFact(item: Item): DirectReportFact {
  return {
    id: String(item.id ?? item.directReportId),
    cadreId: String(item.cadreId),
    villageId: str(item.villageId),
    townshipId: str(item.townshipId),
    createdAt: String(item.createdAt),
    acknowledgedAt: str(item.acknowledgedAt),
    ...(item.closedAt ? { closedAt: String(item.closedAt) } : {}),
  };
}

// ---------- the week ----------

/** GSI4 sort-key prefixes of the facts a weekly evaluation reads (INSPECTION# headers are not needed). */
export const WEEK_FACT_KINDS = [
  'FINDING#',
  'PROBLEM#',
  'RECT#',
  'VERIFY#',
  'DISPATCH#',
  'DREPORT#',
  'DIRECT#',
  'DIRECTACK#',
  'MAJOR#',
  'EXTEND#',
  'VISIT#',
  'DIRECTCLOSE#',
] as const;

export interface WeekItems {
  findings: FindingFact[];
  /** Problems found in the week (their events come from `events`). */
  problems: ProblemFact[];
  /** Rectifications, verifications and deadline extensions that happened in the week. */
  events: (ProblemEvent & { problemId: string })[];
  /** Assignee rows of dispatch forms issued in the week, as issued (not done). */
  dispatches: DispatchAssigneeFact[];
  /** Progress reports of the week: the ones saying done finish a row. */
  reports: { dispatchId: string; cadreId: string; villageId: string; status: string; at: string }[];
  directReports: DirectReportFact[];
  /** Major failures dated in the week. */
  majorFailures: MajorFailureFact[];
  /** Visits to the village in the week. */
  visits: VisitFact[];
}

export async function readWeekItems(week: string, meter: ReadMeter): Promise<WeekItems> {
  const partition = keys.week(week);
  const [
    findings,
    problems,
    rects,
    verifies,
    dispatches,
    reports,
    directs,
    acks,
    majors,
    extensions,
    visits,
    closures,
  ] = await Promise.all(
    WEEK_FACT_KINDS.map((kind) =>
      meteredQuery(meter, 'week', { index: 'GSI4', partition, beginsWith: kind }),
    ),
  );
  const rows: DispatchAssigneeFact[] = [];
  for (const d of dispatches ?? []) {
    const assignees = (d.assignees ?? []) as { cadreId: string; villageId: string }[];
    for (const a of assignees)
      rows.push({
        dispatchId: String(d.id),
        number: str(d.number),
        title: str(d.title),
        cadreId: a.cadreId,
        villageId: a.villageId,
        createdAt: String(d.createdAt),
        deadline: normalizeDeadline(String(d.deadline)),
        status: 'pending' as DispatchAssigneeFact['status'],
      });
  }
  return {
    findings: (findings ?? []).map(findingFact),
    problems: (problems ?? []).map((p) => problemFact(p)),
    events: [...(rects ?? []), ...(verifies ?? []), ...(extensions ?? [])].map(eventOf),
    dispatches: rows,
    reports: (reports ?? []).map((r) => ({
      dispatchId: String(r.dispatchId),
      cadreId: String(r.cadreId),
      villageId: String(r.villageId),
      status: String(r.status),
      at: String(r.at),
    })),
    // A report filed in the week, and (as a fact of its own) an acknowledgement of an older one.
    // …and a closure (办结), with its report's times, for the resolution time.
    directReports: [...(directs ?? []), ...(acks ?? []), ...(closures ?? [])].map(directReportFact),
    majorFailures: (majors ?? []).map(majorFailureFact),
    visits: (visits ?? []).map(visitFact),
  };
}

function visitFact(item: Item): VisitFact {
  return {
    id: String(item.id),
    cadreId: String(item.cadreId),
    villageId: String(item.villageId),
    townshipId: String(item.townshipId),
    at: String(item.at),
    date: String(item.date),
    overnight: item.overnight === true,
    far: item.far === true,
  };
}

/**
 * Who answers for which village and its class, for a weekly visit minimum (read only when the rule set
 * sets one): the running assignments (GSI3 `ASGNS#ACTIVE#<role>`) and the villages (GSI1 `VILLS`),
 * both bounded by the roster's size. Assignments ended since are not read (their partition holds the
 * whole history), so a week re-evaluated after an assignment ended no longer holds that cadre to it.
 */
export async function readVisitDuties(meter: ReadMeter): Promise<VisitDutyFact[]> {
  const [chiefs, members, villages] = await Promise.all([
    meteredQuery(meter, 'duties', { index: 'GSI3', partition: keys.activeAssignments('chief') }),
    meteredQuery(meter, 'duties', { index: 'GSI3', partition: keys.activeAssignments('member') }),
    meteredQuery(meter, 'duties', { index: 'GSI1', partition: keys.villageList() }),
  ]);
  const category = new Map(villages.map((v) => [String(v.id), v.category as VisitDutyFact['category']]));
  return [...chiefs, ...members].flatMap((a) => {
    const c = category.get(String(a.villageId));
    return c
      ? [
          {
            cadreId: String(a.cadreId),
            villageId: String(a.villageId),
            category: c,
            from: String(a.from),
            to: str(a.to) ?? null,
          },
        ]
      : [];
  });
}

/** Every cadre on the roster (GSI1 `CADRS`), with when they were added. */
export async function readCadres(
  meter: ReadMeter,
): Promise<(CadreRef & { createdAt: string | undefined })[]> {
  const items = await meteredQuery(meter, 'cadres', { index: 'GSI1', partition: keys.cadreList() });
  return items.map((c) => ({
    id: String(c.id),
    name: String(c.name),
    townshipId: str(c.townshipId),
    createdAt: str(c.createdAt),
  }));
}

/** Every event of these problems (their partitions), for problems the week meets without history. */
export async function readProblemEvents(
  problemIds: readonly string[],
  meter: ReadMeter,
  source: string,
): Promise<Map<string, ProblemEvent[]>> {
  const lists = await eachLimited(problemIds, 16, (id) =>
    meteredQuery(meter, source, { partition: keys.problem(id).PK, beginsWith: keys.problemEventPrefix() }),
  );
  return new Map(problemIds.map((id, i) => [id, (lists[i] ?? []).map(eventOf)]));
}

export async function readProblems(problemIds: readonly string[], meter: ReadMeter, source: string) {
  const items = await meteredBatchGet(
    meter,
    source,
    problemIds.map((id) => keys.problem(id)),
  );
  return items.filter((i) => i.entity === 'problem');
}

/**
 * Where nothing was carried over from an evaluated previous week: the matters open now (GSI3
 * `PROBS#open`, `PROBS#awaiting_verification`, `OPEN#DISP`) with each problem's events. Matters closed
 * since the week began are added by the caller from the later weeks' verifications and reports.
 */
export async function readOpenMatters(meter: ReadMeter): Promise<{
  problems: ProblemFact[];
  dispatches: DispatchAssigneeFact[];
}> {
  const [open, pending, rows] = await Promise.all([
    meteredQuery(meter, 'bootstrap', { index: 'GSI3', partition: keys.problemsByStatus('open') }),
    meteredQuery(meter, 'bootstrap', {
      index: 'GSI3',
      partition: keys.problemsByStatus('awaiting_verification'),
    }),
    meteredQuery(meter, 'bootstrap', { index: 'GSI3', partition: keys.openDispatchAssignees() }),
  ]);
  const problems = [...open, ...pending];
  // An open problem never handed in has no events: only the others need their history read.
  const withHistory = problems.filter((p) => p.status !== 'open' || p.rectifiedAt || p.verifiedAt);
  const events = await readProblemEvents(
    withHistory.map((p) => String(p.id)),
    meter,
    'bootstrap',
  );
  return {
    problems: problems.map((p) => problemFact(p, events.get(String(p.id)) ?? [])),
    dispatches: rows.map(dispatchRowFact),
  };
}

/** Assignee rows by key (rows finished after the week began, found through their reports). */
export async function readDispatchRows(
  refs: readonly { dispatchId: string; cadreId: string; villageId: string }[],
  meter: ReadMeter,
  source: string,
): Promise<DispatchAssigneeFact[]> {
  const items = await meteredBatchGet(
    meter,
    source,
    refs.map((r) => keys.dispatchAssignee(r.dispatchId, r.cadreId, r.villageId)),
  );
  return items.map(dispatchRowFact);
}

/** Only the verifications and done reports of a week (for the bootstrap's "closed since" correction). */
export async function readClosingsOfWeek(week: string, meter: ReadMeter) {
  const partition = keys.week(week);
  const [verifies, reports] = await Promise.all([
    meteredQuery(meter, 'bootstrap', { index: 'GSI4', partition, beginsWith: 'VERIFY#' }),
    meteredQuery(meter, 'bootstrap', { index: 'GSI4', partition, beginsWith: 'DREPORT#' }),
  ]);
  return {
    acceptedProblemIds: verifies.filter((v) => v.outcome === 'accepted').map((v) => String(v.problemId)),
    doneRows: reports
      .filter((r) => r.status === 'done')
      .map((r) => ({
        dispatchId: String(r.dispatchId),
        cadreId: String(r.cadreId),
        villageId: String(r.villageId),
      })),
  };
}

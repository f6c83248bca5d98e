import { isUnresolved, type ProblemStatus } from '../../core/problems.ts';
import { isoWeekOf, isoWeekOfInstant } from '../../core/time.ts';
import type { Problem, ProblemEvent, ProblemExtension } from '../../schemas/problems.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import {
  allOf,
  batchGet,
  ConditionFailed,
  deleteItem,
  type Filter,
  getItem,
  type Item,
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
 * Problems and their events. A problem item carries four index entries:
 *   GSI1 cadre's problems, SK `O#…` while unresolved and `C#…` once closed (open list = one begins_with);
 *   GSI2 village's problems by date; GSI3 problems by status, SK `<township>#<date>#<id>` (the
 *   verification queue and status lists); GSI4 the ISO week it was found in.
 * Status changes are single conditional updates (no transactions); see applyTransition.
 */
const strip = (item: Item) => withoutKeys(item) as unknown as Problem;

type IndexedProblem = Pick<Problem, 'id' | 'cadreId' | 'villageId' | 'townshipId' | 'foundOn' | 'status'>;

const cadreSortKey = (p: Pick<Problem, 'id' | 'foundOn'>, status: ProblemStatus) =>
  `${isUnresolved(status) ? 'O' : 'C'}#${p.foundOn}#${p.id}`;
const statusSortKey = (p: Pick<Problem, 'id' | 'foundOn' | 'townshipId'>) =>
  `${p.townshipId}#${p.foundOn}#${p.id}`;

function problemIndexKeys(p: IndexedProblem) {
  return {
    GSI1PK: keys.cadreProblems(p.cadreId),
    GSI1SK: cadreSortKey(p, p.status),
    GSI2PK: keys.villageProblems(p.villageId),
    GSI2SK: `${p.foundOn}#${p.id}`,
    GSI3PK: keys.problemsByStatus(p.status),
    GSI3SK: statusSortKey(p),
    GSI4PK: keys.week(isoWeekOf(p.foundOn)),
    GSI4SK: `PROBLEM#${p.foundOn}#${p.id}`,
  };
}

export function problemItem(problem: Problem): Item {
  return { ...keys.problem(problem.id), ...problemIndexKeys(problem), entity: 'problem', ...problem };
}

/** Writes a new problem; false when an item with this id already exists (a retried submission). */
export function putProblem(problem: Problem): Promise<boolean> {
  return putIfAbsent(problemItem(problem));
}

export async function getProblem(id: string): Promise<Problem | undefined> {
  const item = await getItem<Item>(keys.problem(id));
  return item && strip(item);
}

export async function getProblems(ids: string[]): Promise<Map<string, Problem>> {
  const items = await batchGet<Item>(ids.map((id) => keys.problem(id)));
  return new Map(items.map((i) => [i.id as string, strip(i)]));
}

export interface TransitionWrite {
  problem: Problem;
  eventId: string;
  at: string;
  kind: 'rectification' | 'verification';
  from: ProblemStatus;
  to: ProblemStatus;
  falseRectification: boolean;
  /** A rejection as 整改不到位: counted apart from 虚假整改, with the problem's new deadline. */
  incompleteRectification?: boolean;
  rectifyBy?: string;
}

export type TransitionOutcome =
  | { applied: true; problem: Problem }
  | { applied: false; current: Problem | undefined };

/**
 * Moves a problem from `from` to `to` in one conditional update that also rewrites the index keys
 * and stamps `lastEventId`. The condition on the status makes concurrent transitions exclusive; the
 * condition on `lastEventId` means a retry of an applied event is recognised (not applied twice).
 */
export async function applyTransition(w: TransitionWrite): Promise<TransitionOutcome> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':from': w.from,
    ':to': w.to,
    ':eid': w.eventId,
    ':at': w.at,
    ':gsi3pk': keys.problemsByStatus(w.to),
    ':gsi3sk': statusSortKey(w.problem),
    ':gsi1sk': cadreSortKey(w.problem, w.to),
  };
  const sets = [
    '#status = :to',
    'GSI1SK = :gsi1sk',
    'GSI3PK = :gsi3pk',
    'GSI3SK = :gsi3sk',
    'lastEventId = :eid',
    'lastEventAt = :at',
    'updatedAt = :at',
  ];
  if (w.kind === 'rectification') sets.push('rectifiedAt = :at');
  if (w.kind === 'verification') sets.push('verifiedAt = :at');
  if (w.to === 'closed') sets.push('closedAt = :at');
  if (w.falseRectification) {
    sets.push('falseRectifications = if_not_exists(falseRectifications, :zero) + :one');
    values[':zero'] = 0;
    values[':one'] = 1;
  }
  if (w.incompleteRectification) {
    sets.push('incompleteRectifications = if_not_exists(incompleteRectifications, :zero) + :one');
    values[':zero'] = 0;
    values[':one'] = 1;
  }
  if (w.rectifyBy !== undefined && w.rectifyBy !== w.problem.rectifyBy) {
    // The first deadline is kept once it moves: the weekly evaluation reads deadlines as of a date.
    sets.push('initialRectifyBy = if_not_exists(initialRectifyBy, rectifyBy)', 'rectifyBy = :rectifyBy');
    values[':rectifyBy'] = w.rectifyBy;
  }
  try {
    const updated = await updateItem<Item>({
      Key: keys.problem(w.problem.id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      // A voided problem (its inspection 作废) takes no more rectifications or verifications.
      ConditionExpression:
        'attribute_exists(PK) AND #status = :from AND lastEventId <> :eid AND attribute_not_exists(voided)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return { applied: true, problem: strip(updated) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return { applied: false, current: await getProblem(w.problem.id) };
  }
}

export interface StoredEvent extends ProblemEvent {
  cadreId: string;
  villageId: string;
  townshipId: string;
}

function eventItem(e: StoredEvent): Item {
  return {
    ...keys.problemEvent(e.problemId, e.at, e.id),
    GSI4PK: keys.week(isoWeekOfInstant(new Date(e.at))),
    GSI4SK: `${e.kind === 'rectification' ? 'RECT' : 'VERIFY'}#${e.at}#${e.id}`,
    entity: 'problemEvent',
    ...e,
  };
}

/** Writes the event once; false when it is already there (a retry after the transition was applied). */
export function putEvent(e: StoredEvent): Promise<boolean> {
  return putIfAbsent(eventItem(e));
}

export async function getEvent(
  problemId: string,
  at: string,
  eventId: string,
): Promise<StoredEvent | undefined> {
  const item = await getItem<Item>(keys.problemEvent(problemId, at, eventId));
  return item && (withoutKeys(item) as unknown as StoredEvent);
}

export async function listEvents(problemId: string): Promise<StoredEvent[]> {
  return (await listHistory(problemId)).events;
}

/**
 * A problem's history: its rectifications and verifications, and HQ's deadline extensions (延期). Both
 * live under the problem's `EVT#` keys in time order, so one query reads them and the weekly
 * evaluation's history reads see the extensions as deadline changes.
 */
export async function listHistory(
  problemId: string,
): Promise<{ events: StoredEvent[]; extensions: ProblemExtension[] }> {
  const items = await queryAll<Item>({
    partition: keys.problem(problemId).PK,
    sort: { beginsWith: keys.problemEventPrefix() },
    consistent: true,
  });
  const events: StoredEvent[] = [];
  const extensions: ProblemExtension[] = [];
  for (const i of items) {
    const { entity: _entity, GSI4PK: _pk, GSI4SK: _sk, ...rest } = withoutKeys(i);
    if (i.entity === 'problemExtension') {
      const { kind: _kind, cadreId: _c, villageId: _v, townshipId: _t, ...extension } = rest;
      extensions.push(extension as unknown as ProblemExtension);
    } else events.push(rest as unknown as StoredEvent);
  }
  return { events, extensions };
}

export interface ProblemFilter {
  cadreId?: string | undefined;
  villageId?: string | undefined;
  townshipId?: string | undefined;
  status?: ProblemStatus | undefined;
  severity?: string | undefined;
  category?: string | undefined;
  source?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Only unresolved problems whose deadline is before this Beijing date (today: overdue ones). */
  overdueBefore?: string | undefined;
}

/** A name search resolved to ids: problems of any of these cadres, or in any of these villages. */
export interface ProblemSearch {
  cadreIds: string[];
  villageIds: string[];
}

/** Sort-key condition for keys shaped `<prefix><date>#<id>`, optionally within a date range. */
function dateSort(prefix: string, from?: string, to?: string): QuerySpec['sort'] {
  if (!from && !to) return prefix ? { beginsWith: prefix } : undefined;
  return { between: [`${prefix}${from ?? '0000-00-00'}`, `${prefix}${to ?? '9999-12-31'}#\uffff`] };
}

function filterOf(
  clauses: [string, unknown][],
  dates?: { from?: string | undefined; to?: string | undefined },
  ...more: Array<Filter | undefined>
) {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  clauses.forEach(([attribute, value], i) => {
    if (value === undefined) return;
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
    parts.push(`#f${i} = :f${i}`);
  });
  if (dates?.from || dates?.to) {
    names['#foundOn'] = 'foundOn';
    values[':dfrom'] = dates.from ?? '0000-00-00';
    values[':dto'] = dates.to ?? '9999-12-31';
    parts.push('#foundOn BETWEEN :dfrom AND :dto');
  }
  const filter = allOf(
    parts.length ? { expression: parts.join(' AND '), names, values } : undefined,
    ...more,
  );
  return filter ? { filter } : {};
}

/**
 * Overdue: past its deadline and not closed. The deadline is not a key, so this is a filter on the
 * partition the other criteria chose; the unresolved problems are the working set, not the history.
 */
function overdueFilter(today: string | undefined, withStatus: boolean): Filter | undefined {
  if (!today) return undefined;
  return {
    expression: withStatus ? '#rectifyBy < :today AND #ostatus <> :closed' : '#rectifyBy < :today',
    names: { '#rectifyBy': 'rectifyBy', ...(withStatus ? { '#ostatus': 'status' } : {}) },
    values: { ':today': today, ...(withStatus ? { ':closed': 'closed' } : {}) },
  };
}

/** `NOT (attr IN (…))`: leaves out what another query of the same search already listed. */
function notIn(attribute: string, ids: string[]): Filter | undefined {
  if (ids.length === 0) return undefined;
  const values = Object.fromEntries(ids.map((id, i) => [`:x${i}`, id]));
  return {
    expression: `NOT (#x IN (${Object.keys(values).join(', ')}))`,
    names: { '#x': attribute },
    values,
  };
}

/**
 * The queries that answer a filter, in order. Most filters are one query; "all problems" and
 * "a township's problems" without a status walk the status partitions one after another.
 */
function problemQueries(f: ProblemFilter, extra?: Filter): QuerySpec[] {
  const base = { descending: true } as const;
  const overdue = f.overdueBefore;
  if (overdue && f.status === 'closed') return [];
  if (f.cadreId) {
    const filter = (withStatus: boolean) =>
      filterOf(
        [
          ['villageId', f.villageId],
          ['townshipId', f.townshipId],
          ['severity', f.severity],
          ['category', f.category],
          ['source', f.source],
          ['status', withStatus ? f.status : undefined],
        ],
        undefined,
        overdueFilter(overdue, false),
        extra,
      );
    const partition = keys.cadreProblems(f.cadreId);
    if (f.status === 'closed') {
      return [{ ...base, index: 'GSI1', partition, sort: dateSort('C#', f.from, f.to), ...filter(false) }];
    }
    if (f.status)
      return [{ ...base, index: 'GSI1', partition, sort: dateSort('O#', f.from, f.to), ...filter(true) }];
    if (overdue)
      return [{ ...base, index: 'GSI1', partition, sort: dateSort('O#', f.from, f.to), ...filter(false) }];
    if (!f.from && !f.to) return [{ ...base, index: 'GSI1', partition, ...filter(false) }];
    // 'O' sorts after 'C': newest-first lists unresolved problems before closed ones.
    return ['O#', 'C#'].map((prefix) => ({
      ...base,
      index: 'GSI1' as const,
      partition,
      sort: dateSort(prefix, f.from, f.to),
      ...filter(false),
    }));
  }
  if (f.villageId) {
    return [
      {
        ...base,
        index: 'GSI2',
        partition: keys.villageProblems(f.villageId),
        sort: dateSort('', f.from, f.to),
        ...filterOf(
          [
            ['townshipId', f.townshipId],
            ['severity', f.severity],
            ['category', f.category],
            ['source', f.source],
            ['status', f.status],
          ],
          undefined,
          overdueFilter(overdue, !f.status),
          extra,
        ),
      },
    ];
  }
  const statuses: ProblemStatus[] = f.status
    ? [f.status]
    : overdue
      ? ['open', 'awaiting_verification']
      : ['open', 'awaiting_verification', 'closed'];
  return statuses.map((status) => ({
    ...base,
    index: 'GSI3' as const,
    partition: keys.problemsByStatus(status),
    ...(f.townshipId
      ? {
          sort: dateSort(`${f.townshipId}#`, f.from, f.to),
          ...filterOf(
            [
              ['severity', f.severity],
              ['category', f.category],
              ['source', f.source],
            ],
            undefined,
            overdueFilter(overdue, false),
            extra,
          ),
        }
      : filterOf(
          [
            ['severity', f.severity],
            ['category', f.category],
            ['source', f.source],
          ],
          { from: f.from, to: f.to },
          overdueFilter(overdue, false),
          extra,
        )),
  }));
}

/**
 * A name search: the problems of each matching cadre, then those in each matching village that are
 * not a matching cadre's (already listed), each query narrowed by the other filters. An explicit
 * cadre or village in the filter keeps only that one among the matches.
 */
function searchQueries(f: ProblemFilter, search: ProblemSearch): QuerySpec[] {
  const cadres = search.cadreIds.filter((id) => !f.cadreId || id === f.cadreId);
  const villages = f.cadreId ? [] : search.villageIds.filter((id) => !f.villageId || id === f.villageId);
  return [
    ...cadres.flatMap((cadreId) => problemQueries({ ...f, cadreId })),
    ...villages.flatMap((villageId) => problemQueries({ ...f, villageId }, notIn('cadreId', cadres))),
  ];
}

/** Pages through several queries in sequence; the cursor is `<query index>.<that query's cursor>`. */
export async function chainedPage(specs: QuerySpec[], limit: number, cursor?: string): Promise<Page<Item>> {
  let index = 0;
  let inner: string | undefined;
  if (cursor !== undefined) {
    const m = /^(\d{1,3})\.([A-Za-z0-9_-]*)$/.exec(cursor);
    if (!m || Number(m[1]) >= specs.length) throw invalidCursor();
    index = Number(m[1]);
    inner = m[2] || undefined;
  }
  const items: Item[] = [];
  for (; index < specs.length; index++) {
    const page = await queryPage<Item>(specs[index] as QuerySpec, limit - items.length, inner);
    inner = undefined;
    items.push(...page.items);
    if (page.next) return { items, next: `${index}.${page.next}` };
    if (items.length >= limit) {
      return index + 1 < specs.length ? { items, next: `${index + 1}.` } : { items };
    }
  }
  return { items };
}

export async function listProblems(
  filter: ProblemFilter,
  limit: number,
  next?: string,
  search?: ProblemSearch,
): Promise<Page<Problem>> {
  const specs = search ? searchQueries(filter, search) : problemQueries(filter);
  if (specs.length === 0) {
    if (next !== undefined) throw invalidCursor();
    return { items: [] };
  }
  const page = await chainedPage(specs, limit, next);
  return mapPage(page, strip);
}

/**
 * One cadre's problems found from `fromDate` on (open and closed: the two ranges of the cadre's index),
 * for repeat flags: a bounded read of that cadre's own partition.
 */
export async function cadreProblemsSince(cadreId: string, fromDate: string): Promise<Problem[]> {
  const partition = keys.cadreProblems(cadreId);
  const lists = await Promise.all(
    ['O#', 'C#'].map((prefix) =>
      queryAll<Item>({ index: 'GSI1', partition, sort: dateSort(prefix, fromDate, undefined) }),
    ),
  );
  return lists.flat().map(strip);
}

/** One village's problems not closed before `closedFrom` (UTC ISO): its open matters now and a week ago. */
export async function villageProblemsOpenSince(villageId: string, closedFrom: string): Promise<Problem[]> {
  const items = await queryAll<Item>({
    index: 'GSI2',
    partition: keys.villageProblems(villageId),
    filter: {
      expression: '#st <> :closed OR #closedAt >= :from',
      names: { '#st': 'status', '#closedAt': 'closedAt' },
      values: { ':closed': 'closed', ':from': closedFrom },
    },
  });
  return items.map(strip);
}

/** The raw history items of a problem (events and extensions), for the rules' facts (week-facts.ts eventOf). */
export function problemHistoryItems(problemId: string): Promise<Item[]> {
  return queryAll<Item>({
    partition: keys.problem(problemId).PK,
    sort: { beginsWith: keys.problemEventPrefix() },
  });
}

// ---------- deadline extensions and voids (HQ's corrections) ----------

export interface ExtensionWrite {
  problem: Problem;
  extension: ProblemExtension;
}

/**
 * Moves a problem's deadline (延期) in one conditional update guarded by the deadline the caller saw
 * and the problem not being closed or voided, then writes the extension as a dated item under the
 * problem's history keys (kind `extension`, GSI4 by the week it happened, for the evaluation).
 * Returns false when the guard failed (someone changed the problem meanwhile) and nothing was written.
 */
export async function applyExtension(w: ExtensionWrite): Promise<Problem | undefined> {
  const e = w.extension;
  try {
    const updated = await updateItem<Item>({
      Key: keys.problem(w.problem.id),
      UpdateExpression:
        'SET initialRectifyBy = if_not_exists(initialRectifyBy, rectifyBy), rectifyBy = :to, updatedAt = :at',
      ConditionExpression:
        'attribute_exists(PK) AND rectifyBy = :from AND #status <> :closed AND attribute_not_exists(voided)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': e.rectifyBy, ':from': e.from, ':at': e.at, ':closed': 'closed' },
    });
    await putExtensionItem(w.problem, e);
    return strip(updated);
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return undefined;
  }
}

/** The extension's history item, once (a retry after a crash between the two writes adds it now). */
export function putExtensionItem(problem: Problem, e: ProblemExtension): Promise<boolean> {
  return putIfAbsent({
    ...keys.problemEvent(problem.id, e.at, e.id),
    GSI4PK: keys.week(isoWeekOfInstant(new Date(e.at))),
    GSI4SK: `EXTEND#${e.at}#${e.id}`,
    entity: 'problemExtension',
    kind: 'extension',
    ...e,
    cadreId: problem.cadreId,
    villageId: problem.villageId,
    townshipId: problem.townshipId,
  });
}

/** Takes back an extension's history item whose deadline move lost its guard. */
export async function deleteExtensionItem(
  problemId: string,
  e: Pick<ProblemExtension, 'at' | 'id'>,
): Promise<void> {
  await deleteItem(keys.problemEvent(problemId, e.at, e.id));
}

/**
 * Marks a problem of a voided inspection (作废): it keeps its status and history, and leaves the
 * indexes that lists, the board, standing, the sweep and the evaluation's bootstrap read for live
 * problems (cadre `V#…` instead of `O#`/`C#`, status partition `PROBS#voided`, the village's voided
 * partition). The week index stays: the evaluation reads the flag and leaves it out. Idempotent.
 */
export async function markProblemVoided(
  problem: Problem,
  voided: NonNullable<Problem['voided']>,
): Promise<void> {
  await updateItem<Item>({
    Key: keys.problem(problem.id),
    UpdateExpression:
      'SET voided = if_not_exists(voided, :voided), GSI1SK = :gsi1sk, GSI2PK = :gsi2pk, GSI3PK = :gsi3pk, updatedAt = :at',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeValues: {
      ':voided': voided,
      ':gsi1sk': `V#${problem.foundOn}#${problem.id}`,
      ':gsi2pk': `${keys.villageProblems(problem.villageId)}#VOID`,
      ':gsi3pk': keys.problemsByStatus('voided'),
      ':at': voided.at,
    },
  });
}

import { isUnresolved, type ProblemStatus } from '../../core/problems.ts';
import { isoWeekOf, isoWeekOfInstant } from '../../core/time.ts';
import type { Problem, ProblemEvent } from '../../schemas/problems.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import {
  batchGet,
  ConditionFailed,
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
  try {
    const updated = await updateItem<Item>({
      Key: keys.problem(w.problem.id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(PK) AND #status = :from AND lastEventId <> :eid',
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
  const items = await queryAll<Item>({
    partition: keys.problem(problemId).PK,
    sort: { beginsWith: keys.problemEventPrefix() },
    consistent: true,
  });
  return items.map((i) => withoutKeys(i) as unknown as StoredEvent);
}

export interface ProblemFilter {
  cadreId?: string | undefined;
  villageId?: string | undefined;
  townshipId?: string | undefined;
  status?: ProblemStatus | undefined;
  severity?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Sort-key condition for keys shaped `<prefix><date>#<id>`, optionally within a date range. */
function dateSort(prefix: string, from?: string, to?: string): QuerySpec['sort'] {
  if (!from && !to) return prefix ? { beginsWith: prefix } : undefined;
  return { between: [`${prefix}${from ?? '0000-00-00'}`, `${prefix}${to ?? '9999-12-31'}#\uffff`] };
}

function filterOf(
  clauses: [string, unknown][],
  dates?: { from?: string | undefined; to?: string | undefined },
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
  return parts.length ? { filter: { expression: parts.join(' AND '), names, values } } : {};
}

/**
 * The queries that answer a filter, in order. Most filters are one query; "all problems" and
 * "a township's problems" without a status walk the three status partitions one after another.
 */
function problemQueries(f: ProblemFilter): QuerySpec[] {
  const base = { descending: true } as const;
  if (f.cadreId) {
    const filter = (withStatus: boolean) =>
      filterOf([
        ['villageId', f.villageId],
        ['townshipId', f.townshipId],
        ['severity', f.severity],
        ['status', withStatus ? f.status : undefined],
      ]);
    const partition = keys.cadreProblems(f.cadreId);
    if (f.status === 'closed') {
      return [{ ...base, index: 'GSI1', partition, sort: dateSort('C#', f.from, f.to), ...filter(false) }];
    }
    if (f.status)
      return [{ ...base, index: 'GSI1', partition, sort: dateSort('O#', f.from, f.to), ...filter(true) }];
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
        ...filterOf([
          ['townshipId', f.townshipId],
          ['severity', f.severity],
          ['status', f.status],
        ]),
      },
    ];
  }
  const statuses: ProblemStatus[] = f.status ? [f.status] : ['open', 'awaiting_verification', 'closed'];
  return statuses.map((status) => ({
    ...base,
    index: 'GSI3' as const,
    partition: keys.problemsByStatus(status),
    ...(f.townshipId
      ? { sort: dateSort(`${f.townshipId}#`, f.from, f.to), ...filterOf([['severity', f.severity]]) }
      : filterOf([['severity', f.severity]], { from: f.from, to: f.to })),
  }));
}

/** Pages through several queries in sequence; the cursor is `<query index>.<that query's cursor>`. */
async function chainedPage(specs: QuerySpec[], limit: number, cursor?: string): Promise<Page<Item>> {
  let index = 0;
  let inner: string | undefined;
  if (cursor !== undefined) {
    const m = /^(\d)\.([A-Za-z0-9_-]*)$/.exec(cursor);
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
): Promise<Page<Problem>> {
  const page = await chainedPage(problemQueries(filter), limit, next);
  return mapPage(page, strip);
}

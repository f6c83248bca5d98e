import type { Allocation, AllocationStatus } from '../../schemas/resources.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  equalityFilter,
  getItem,
  type Item,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  queryAll,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Allocation proposals (资源协调建议) and HQ's decision on them. Written once when proposed, then
 * decided once (a conditional update from `proposed`). Lists go by the narrowest index given: the
 * proposer's (GSI2), a village's (GSI3), a township's (GSI4), else all (GSI1); each sorted
 * `<period>#<id>`, so one period is a key prefix, never a Scan.
 */
type Stored = Allocation & { decisionToken?: string };

const strip = (item: Item): Allocation => {
  const { decisionToken: _token, ...rest } = withoutKeys(item) as Stored;
  return rest;
};

const sortKey = (a: Pick<Allocation, 'period' | 'id'>) => `${a.period}#${a.id}`;

export async function createAllocation(record: Allocation): Promise<{ created: boolean; item: Allocation }> {
  const sort = sortKey(record);
  const stored = await putIfAbsent({
    ...keys.allocation(record.id),
    GSI1PK: keys.allocationList(),
    GSI1SK: sort,
    ...(record.proposerCadreId
      ? { GSI2PK: keys.cadreAllocations(record.proposerCadreId), GSI2SK: sort }
      : {}),
    GSI3PK: keys.villageAllocations(record.villageId),
    GSI3SK: sort,
    GSI4PK: keys.townshipAllocations(record.townshipId),
    GSI4SK: sort,
    entity: 'allocation',
    ...record,
  });
  if (stored) return { created: true, item: record };
  return { created: false, item: (await getAllocation(record.id)) as Allocation };
}

export async function getAllocation(id: string): Promise<Allocation | undefined> {
  const item = await getItem<Item>(keys.allocation(id));
  return item && strip(item);
}

export type DecideResult =
  | { kind: 'decided'; item: Allocation }
  | { kind: 'missing' }
  /** Decided before: by this request (its token) or by someone else. */
  | { kind: 'already'; item: Allocation; mine: boolean };

export async function decideAllocation(
  id: string,
  decision: Pick<
    Allocation,
    | 'status'
    | 'statusLabel'
    | 'grantedQuantity'
    | 'decidedAt'
    | 'decidedBy'
    | 'decidedByName'
    | 'decisionNote'
  >,
  token: string | undefined,
): Promise<DecideResult> {
  const values: Record<string, unknown> = { ':proposed': 'proposed' };
  const sets: string[] = [];
  const names: Record<string, string> = { '#status': 'status' };
  for (const [name, value] of Object.entries({ ...decision, ...(token ? { decisionToken: token } : {}) })) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  try {
    const item = await updateItem<Item>({
      Key: keys.allocation(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(PK) AND #status = :proposed',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return { kind: 'decided', item: strip(item) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const found = await getItem<Stored>(keys.allocation(id));
    if (!found) return { kind: 'missing' };
    return {
      kind: 'already',
      item: strip(found),
      mine: token !== undefined && found.decisionToken === token,
    };
  }
}

export interface AllocationFilter {
  status?: AllocationStatus | undefined;
  villageId?: string | undefined;
  townshipId?: string | undefined;
  proposerCadreId?: string | undefined;
  period?: string | undefined;
  resourceKind?: string | undefined;
}

function spec(filter: AllocationFilter) {
  const source = narrowest(
    filter.proposerCadreId && ['GSI2', keys.cadreAllocations(filter.proposerCadreId)],
    filter.villageId && ['GSI3', keys.villageAllocations(filter.villageId)],
    filter.townshipId && ['GSI4', keys.townshipAllocations(filter.townshipId)],
    ['GSI1', keys.allocationList()],
  );
  const where = equalityFilter({
    status: filter.status,
    resourceKind: filter.resourceKind,
    villageId: source.index === 'GSI3' ? undefined : filter.villageId,
    townshipId: source.index === 'GSI4' || source.index === 'GSI3' ? undefined : filter.townshipId,
  });
  return {
    ...source,
    descending: true,
    ...(filter.period ? { sort: { beginsWith: `${filter.period}#` } } : {}),
    filter: where,
  };
}

/** Newest period first. */
export async function listAllocations(
  filter: AllocationFilter,
  limit: number,
  next?: string,
): Promise<Page<Allocation>> {
  return mapPage(await queryPage<Item>(spec(filter), limit, next), strip);
}

/** Every allocation a ledger reads (one village's, or one period's of a township or the county). */
export async function allAllocations(filter: AllocationFilter): Promise<Allocation[]> {
  return (await queryAll<Item>(spec(filter))).map(strip);
}

import { addDays, isoWeekOfInstant } from '../../core/time.ts';
import type { Sanction, SanctionStatus } from '../../schemas/resources.ts';
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
  putItem,
  queryAll,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Sanctions on a village's quota (约束: 削减 or 暂停). Proposed once, then approved or rejected once
 * (a conditional update from `proposed` that also moves the status index entry, GSI2). An approved
 * sanction gets a copy under the ISO week of its approval, which the weekly bulletin reads.
 */
type Stored = Sanction & { decisionToken?: string };

const strip = (item: Item): Sanction => {
  const { decisionToken: _token, ...rest } = withoutKeys(item) as Stored;
  return rest;
};

const fromKey = (s: Pick<Sanction, 'from' | 'id'>) => `${s.from}#${s.id}`;

export async function createSanction(record: Sanction): Promise<{ created: boolean; item: Sanction }> {
  const stored = await putIfAbsent({
    ...keys.sanction(record.id),
    GSI1PK: keys.sanctionList(),
    GSI1SK: `${record.proposedAt}#${record.id}`,
    GSI2PK: keys.sanctionsByStatus(record.status),
    GSI2SK: fromKey(record),
    GSI3PK: keys.villageSanctions(record.villageId),
    GSI3SK: fromKey(record),
    entity: 'sanction',
    ...record,
  });
  if (stored) return { created: true, item: record };
  return { created: false, item: (await getSanction(record.id)) as Sanction };
}

export async function getSanction(id: string): Promise<Sanction | undefined> {
  const item = await getItem<Item>(keys.sanction(id));
  return item && strip(item);
}

export type DecideResult =
  | { kind: 'decided'; item: Sanction }
  | { kind: 'missing' }
  | { kind: 'already'; item: Sanction; mine: boolean };

/** The week copy of an approved sanction: an unconditional put, repeated by a retry after a crash. */
export async function recordApproval(item: Sanction): Promise<void> {
  if (item.status !== 'approved' || !item.decidedAt) return;
  await putItem({
    ...keys.approvedSanctionOfWeek(isoWeekOfInstant(new Date(item.decidedAt)), item.decidedAt, item.id),
    entity: 'sanctionApproval',
    ...item,
  });
}

export async function decideSanction(
  id: string,
  decision: Pick<
    Sanction,
    'status' | 'statusLabel' | 'decidedAt' | 'decidedBy' | 'decidedByName' | 'decisionNote'
  >,
  token: string | undefined,
): Promise<DecideResult> {
  const fields: Record<string, unknown> = {
    ...decision,
    GSI2PK: keys.sanctionsByStatus(decision.status),
    ...(token ? { decisionToken: token } : {}),
  };
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':proposed': 'proposed' };
  const sets = Object.entries(fields).map(([name, value]) => {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    return `#${name} = :${name}`;
  });
  try {
    const item = strip(
      await updateItem<Item>({
        Key: keys.sanction(id),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK) AND #status = :proposed',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    await recordApproval(item);
    return { kind: 'decided', item };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const found = await getItem<Stored>(keys.sanction(id));
    if (!found) return { kind: 'missing' };
    const mine = token !== undefined && found.decisionToken === token;
    if (mine) await recordApproval(strip(found));
    return { kind: 'already', item: strip(found), mine };
  }
}

export interface SanctionFilter {
  status?: SanctionStatus | undefined;
  villageId?: string | undefined;
  townshipId?: string | undefined;
}

/** Newest first: a village's (GSI3), a status's (GSI2), else all (GSI1). */
export async function listSanctions(
  filter: SanctionFilter,
  limit: number,
  next?: string,
): Promise<Page<Sanction>> {
  const source = narrowest(
    filter.villageId && ['GSI3', keys.villageSanctions(filter.villageId)],
    filter.status && ['GSI2', keys.sanctionsByStatus(filter.status)],
    ['GSI1', keys.sanctionList()],
  );
  const where = equalityFilter({
    status: source.index === 'GSI2' ? undefined : filter.status,
    townshipId: source.index === 'GSI3' ? undefined : filter.townshipId,
  });
  return mapPage(await queryPage<Item>({ ...source, descending: true, filter: where }, limit, next), strip);
}

/**
 * Approved sanctions that may touch a date range: a village's (GSI3), else all approved ones (GSI2)
 * starting on or before the range's last day; the caller keeps those that end on or after its first.
 */
export async function approvedSanctions(filter: {
  villageId?: string;
  townshipId?: string;
  last?: string;
}): Promise<Sanction[]> {
  const before = filter.last ? { lt: addDays(filter.last, 1) } : undefined;
  const items = filter.villageId
    ? await queryAll<Item>({
        index: 'GSI3',
        partition: keys.villageSanctions(filter.villageId),
        sort: before,
        filter: equalityFilter({ status: 'approved' }),
      })
    : await queryAll<Item>({
        index: 'GSI2',
        partition: keys.sanctionsByStatus('approved'),
        sort: before,
        filter: equalityFilter({ townshipId: filter.townshipId }),
      });
  return items.map(strip);
}

/** The sanctions approved in an ISO week (Beijing), in order of approval. */
export async function approvedInWeek(week: string): Promise<Sanction[]> {
  return (await queryAll<Item>({ partition: keys.approvedSanctionsOfWeek(week) })).map(strip);
}

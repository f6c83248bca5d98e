import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../../config.ts';
import { documentClient } from './client.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { type IndexName, indexKeys, TABLE_KEY } from './table-definition.ts';

/**
 * Generic single-table operations. Entity modules (roster.ts, dispatches.ts, …) build keys with
 * keys.ts and call these; nothing else in the code base talks to DynamoDB.
 */
export type Item = Record<string, unknown>;
export interface Key {
  PK: string;
  SK: string;
}

export class ConditionFailed extends Error {
  constructor(readonly item?: Item) {
    super('conditional check failed');
  }
}

const table = () => config().tableName;

export async function getItem<T = Item>(key: Key, consistent = true): Promise<T | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: consistent }),
  );
  return out.Item as T | undefined;
}

export async function batchGet<T = Item>(keys: Key[]): Promise<T[]> {
  const unique = [...new Map(keys.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Key[] }> | undefined = {
      [table()]: { Keys: unique.slice(i, i + 100) },
    };
    for (let attempt = 0; request && attempt < 8; attempt++) {
      const out: BatchGetCommandOutput = await documentClient().send(
        new BatchGetCommand({ RequestItems: request }),
      );
      found.push(...((out.Responses?.[table()] ?? []) as T[]));
      const rest: { Keys?: Record<string, unknown>[] } | undefined = out.UnprocessedKeys?.[table()];
      request = rest?.Keys?.length ? { [table()]: { Keys: rest.Keys as unknown as Key[] } } : undefined;
      if (request) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    if (request) throw new Error('BatchGet left keys unprocessed after retries');
  }
  return found;
}

/** A write's condition (or a query's filter): the expression with its attribute names and values. */
export interface Filter {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

function conditionInput(condition: Filter | undefined) {
  if (!condition) return {};
  return {
    ConditionExpression: condition.expression,
    ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
    ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
  };
}

/** Sends a write, turning the SDK's failed condition into ConditionFailed. */
async function conditional<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConditionFailed();
    throw error;
  }
}

/** Put, failing with ConditionFailed when the condition does not hold. */
export async function putItem(item: Item, condition?: Filter): Promise<void> {
  await conditional(() =>
    documentClient().send(new PutCommand({ TableName: table(), Item: item, ...conditionInput(condition) })),
  );
}

/** Put only when no item has this key. Returns false (and writes nothing) when one does. */
export function putIfAbsent(item: Item): Promise<boolean> {
  return conditionHeld(putItem(item, { expression: 'attribute_not_exists(PK)' }));
}

/** A conditional write's outcome: true when it was made, false when its condition did not hold. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

export async function updateItem<T = Item>(
  input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>,
): Promise<T> {
  const out = await conditional(() =>
    documentClient().send(new UpdateCommand({ ...input, TableName: table(), ReturnValues: 'ALL_NEW' })),
  );
  return out.Attributes as T;
}

export async function deleteItem(key: Key, condition?: Filter): Promise<void> {
  await conditional(() =>
    documentClient().send(new DeleteCommand({ TableName: table(), Key: key, ...conditionInput(condition) })),
  );
}

/** Unconditional bulk writes, 25 items a request, a few requests at a time; retries unprocessed items. */
export async function batchPut(items: Item[], width = 4): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  const writeChunk = async (chunk: Item[]) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length && attempt < 10; attempt++) {
      const out = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [table()]: pending } }),
      );
      pending = (out.UnprocessedItems?.[table()] ?? []) as typeof pending;
      if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    if (pending.length) throw new Error('BatchWrite left items unprocessed after retries');
  };
  await inParallel(chunks, width, writeChunk);
}

/** Runs `run` over `items`, at most `width` at a time, so a large write does not flood the connection pool. */
export async function inParallel<T>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

export interface QuerySpec {
  index?: IndexName;
  partition: string;
  /** Sort-key condition. */
  sort?:
    | { beginsWith: string }
    | { between: [string, string] }
    | { lt: string }
    | { gte: string }
    | undefined;
  filter?: Filter | undefined;
  descending?: boolean;
  consistent?: boolean;
  /**
   * The sort bound is the current time (open vs overdue): it moves between a page and the next, so a
   * cursor is scoped by the bound's kind, not its value, and a start key only has to be in the partition.
   */
  movingBound?: boolean;
}

/** `attr = :value AND …` for the attributes given a value; undefined when none is. */
export function equalityFilter(criteria: Record<string, string | undefined>): Filter | undefined {
  const given = Object.entries(criteria).filter((c): c is [string, string] => c[1] !== undefined);
  if (given.length === 0) return undefined;
  return {
    expression: given.map(([name]) => `#${name} = :${name}`).join(' AND '),
    names: Object.fromEntries(given.map(([name]) => [`#${name}`, name])),
    values: Object.fromEntries(given.map(([name, value]) => [`:${name}`, value])),
  };
}

/** `contains(attr, :value)` when a value is given. */
export function containsFilter(name: string, value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  return {
    expression: `contains(#${name}, :${name})`,
    names: { [`#${name}`]: name },
    values: { [`:${name}`]: value },
  };
}

/** The filters given, joined with AND; undefined when none is. */
export function allOf(...filters: Array<Filter | undefined>): Filter | undefined {
  const given = filters.filter((f): f is Filter => f !== undefined);
  if (given.length === 0) return undefined;
  return {
    expression: given.map((f) => f.expression).join(' AND '),
    names: Object.assign({}, ...given.map((f) => f.names)),
    values: Object.assign({}, ...given.map((f) => f.values)),
  };
}

/**
 * The narrowest index that serves a list: the first candidate whose key was given (a cadre's, then a
 * village's, …), the last one being the whole list.
 */
export function narrowest(
  ...candidates: Array<readonly [IndexName, string] | '' | false | undefined>
): Pick<QuerySpec, 'index' | 'partition'> {
  const [index, partition] = candidates.find((c) => c) as readonly [IndexName, string];
  return { index, partition };
}

/** A sort-key range from an inclusive lower bound and an exclusive upper bound, either optional. */
export function sortRange(from: string | undefined, before: string | undefined): QuerySpec['sort'] {
  if (from && before) return { between: [from, before] };
  if (from) return { gte: from };
  if (before) return { lt: before };
  return undefined;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/** A page's items turned into what the caller returns (keys stripped, API shape), the cursor kept. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), ...(page.next ? { next: page.next } : {}) };
}

function queryInput(spec: QuerySpec): QueryCommandInput {
  const keyNames = spec.index ? indexKeys(spec.index) : TABLE_KEY;
  const names: Record<string, string> = { '#pk': keyNames.partition, ...(spec.filter?.names ?? {}) };
  const values: Record<string, unknown> = { ':pk': spec.partition, ...(spec.filter?.values ?? {}) };
  let keyCondition = '#pk = :pk';
  const sort = spec.sort;
  if (sort) {
    names['#sk'] = keyNames.sort;
    if ('beginsWith' in sort) {
      keyCondition += ' AND begins_with(#sk, :sk)';
      values[':sk'] = sort.beginsWith;
    } else if ('between' in sort) {
      keyCondition += ' AND #sk BETWEEN :sk1 AND :sk2';
      values[':sk1'] = sort.between[0];
      values[':sk2'] = sort.between[1];
    } else if ('lt' in sort) {
      keyCondition += ' AND #sk < :sk';
      values[':sk'] = sort.lt;
    } else {
      keyCondition += ' AND #sk >= :sk';
      values[':sk'] = sort.gte;
    }
  }
  return {
    TableName: table(),
    ...(spec.index ? { IndexName: spec.index } : {}),
    KeyConditionExpression: keyCondition,
    ...(spec.filter ? { FilterExpression: spec.filter.expression } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: !spec.descending,
    ...(spec.consistent && !spec.index ? { ConsistentRead: true } : {}),
  };
}

/** DynamoDB orders string keys by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Whether a start key from a cursor belongs to this query: exactly the table's key attributes (and
 * the index's, for an index query), in the query's partition, with a sort key the query's sort
 * condition admits. Anything else is a forged or foreign cursor: DynamoDB would refuse it (500), or
 * it would point outside the range the route chose to read.
 */
function startKeyFits(key: Record<string, string>, spec: QuerySpec): boolean {
  const names = spec.index ? indexKeys(spec.index) : TABLE_KEY;
  const expected = new Set<string>([TABLE_KEY.partition, TABLE_KEY.sort, names.partition, names.sort]);
  const present = Object.keys(key);
  if (present.length !== expected.size || present.some((n) => !expected.has(n))) return false;
  if (key[names.partition] !== spec.partition) return false;
  const sk = key[names.sort] as string;
  const sort = spec.sort;
  if (!sort || spec.movingBound) return true;
  if ('beginsWith' in sort) return sk.startsWith(sort.beginsWith);
  if ('between' in sort)
    return compareKeys(sk, sort.between[0]) >= 0 && compareKeys(sk, sort.between[1]) <= 0;
  if ('lt' in sort) return compareKeys(sk, sort.lt) < 0;
  return compareKeys(sk, sort.gte) >= 0;
}

function scopeOf(spec: QuerySpec): string {
  return JSON.stringify([
    spec.index ?? '',
    spec.partition,
    spec.movingBound && spec.sort ? Object.keys(spec.sort) : (spec.sort ?? null),
    spec.filter?.expression ?? '',
    spec.descending ?? false,
  ]);
}

/**
 * One page of up to `limit` items. With a filter, DynamoDB may return fewer than asked per call, so
 * this keeps reading (bounded) until the page is full or the partition range is exhausted.
 */
export async function queryPage<T = Item>(spec: QuerySpec, limit: number, cursor?: string): Promise<Page<T>> {
  const scope = scopeOf(spec);
  let startKey: Record<string, unknown> | undefined = decodeCursor(cursor, scope, (key) =>
    startKeyFits(key, spec),
  );
  const items: T[] = [];
  const base = queryInput(spec);
  for (let round = 0; round < 20; round++) {
    const out = await documentClient().send(
      new QueryCommand({
        ...base,
        Limit: spec.filter ? Math.max(limit * 2, 50) : limit - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const batch = (out.Items ?? []) as T[];
    if (items.length + batch.length > limit) {
      // Cut the page at `limit` and resume from the last item we return.
      const take = limit - items.length;
      items.push(...batch.slice(0, take));
      const last = items[items.length - 1] as Item;
      return { items, next: encodeCursor(keyOf(last, spec.index), scope) };
    }
    items.push(...batch);
    startKey = out.LastEvaluatedKey;
    if (!startKey) return { items };
    if (items.length === limit) return { items, next: encodeCursor(startKey, scope) };
  }
  return { items, next: encodeCursor(startKey, scope) };
}

/** Every item of a query (for bounded internal reads: one village's assignments, one dispatch's rows). */
export async function queryAll<T = Item>(spec: QuerySpec): Promise<T[]> {
  const base = queryInput(spec);
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ ...base, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...((out.Items ?? []) as T[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function keyOf(item: Item, index?: IndexName): Record<string, unknown> {
  const key: Record<string, unknown> = { PK: item.PK, SK: item.SK };
  if (index) {
    const names = indexKeys(index);
    key[names.partition] = item[names.partition];
    key[names.sort] = item[names.sort];
  }
  return key;
}

/** Strip key attributes before an item leaves the data-access layer. */
export function withoutKeys<T extends Item>(item: T): Omit<T, 'PK' | 'SK'> {
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (
      name === 'PK' ||
      name === 'SK' ||
      /^GSI\d(PK|SK)$/.test(name) ||
      name === 'expiresAt' ||
      name === 'entity'
    )
      continue;
    out[name] = value;
  }
  return out as Omit<T, 'PK' | 'SK'>;
}

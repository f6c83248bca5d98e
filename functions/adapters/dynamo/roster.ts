import type { Cadre, Township, Village } from '../../schemas/roster.ts';
import { keys } from './keys.ts';
import { forgetCachedItems } from './reference-cache.ts';
import {
  allOf,
  batchGet,
  ConditionFailed,
  containsFilter,
  equalityFilter,
  getItem,
  mapPage,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Townships, villages and cadres. Created by id; listed through GSI1. Each carries a `version`
 * (1 when created, one more per correction); items written before versions existed have none and
 * read as version 1.
 */
type Stored<T> = T & Record<string, unknown>;
type Unversioned<T> = Omit<T, 'version'>;
const strip = <T>(item: Record<string, unknown>) =>
  ({ ...withoutKeys(item), version: versionOf(item) }) as unknown as T;

/** The version an item is at: its `version`, or 1 for items written before versions existed. */
export function versionOf(item: Record<string, unknown>): number {
  return typeof item.version === 'number' ? item.version : 1;
}

/** Put when new; otherwise return what is stored so the caller can tell a retry from a clash. */
async function create<T extends { version: number }>(
  key: { PK: string; SK: string },
  index: Record<string, string>,
  fields: Unversioned<T>,
  entity: string,
) {
  const data = { ...fields, version: 1 } as T;
  const stored = await putIfAbsent({ ...key, ...index, entity, ...data });
  if (stored) return { created: true as const, item: data };
  const existing = await getItem<Record<string, unknown>>(key);
  return { created: false as const, item: strip<T>(existing ?? {}) };
}

export const createTownship = (t: Unversioned<Township>) =>
  create<Township>(keys.township(t.id), { GSI1PK: keys.townshipList(), GSI1SK: t.id }, t, 'township');

export const createVillage = (v: Unversioned<Village>) =>
  create<Village>(
    keys.village(v.id),
    { GSI1PK: keys.villageList(), GSI1SK: `${v.townshipId}#${v.id}` },
    v,
    'village',
  );

export const createCadre = (c: Unversioned<Cadre>) =>
  create<Cadre>(keys.cadre(c.id), { GSI1PK: keys.cadreList(), GSI1SK: c.id }, c, 'cadre');

// ---------------------------------------------------------------------------------------------
// Corrections

/** What a correction writes: fields to set and optional fields to remove. */
export interface Correction {
  set: Record<string, unknown>;
  remove: string[];
}

export type CorrectResult<T> =
  | { kind: 'updated'; item: T }
  /** The record is at another version than the caller read: nothing was written. */
  | { kind: 'stale'; current: T }
  | { kind: 'missing' };

/**
 * Writes a correction only while the record is still at the version the caller read (one
 * conditional UpdateItem: of two concurrent corrections from the same version exactly one wins),
 * and moves it to the next version.
 */
async function correct<T>(
  key: { PK: string; SK: string },
  entity: string,
  expected: number,
  change: Correction,
  updatedAt: string,
): Promise<CorrectResult<T>> {
  const names: Record<string, string> = {
    '#version': 'version',
    '#updatedAt': 'updatedAt',
    '#entity': 'entity',
  };
  const values: Record<string, unknown> = {
    ':expected': expected,
    ':next': expected + 1,
    ':updatedAt': updatedAt,
    ':entity': entity,
  };
  const sets = ['#version = :next', '#updatedAt = :updatedAt'];
  Object.entries(change.set).forEach(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  const removes = change.remove.map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  // Items from before versions existed are version 1 without the attribute.
  const atVersion =
    expected === 1 ? '(attribute_not_exists(#version) OR #version = :expected)' : '#version = :expected';
  try {
    const item = await updateItem<Record<string, unknown>>({
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: `#entity = :entity AND ${atVersion}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    // Field submissions check villages and cadres through the warm-container cache: drop the old copy.
    forgetCachedItems([key]);
    return { kind: 'updated', item: strip<T>(item) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const current = await getItem<Record<string, unknown>>(key);
  return current?.entity === entity ? { kind: 'stale', current: strip<T>(current) } : { kind: 'missing' };
}

export const correctTownship = (id: string, expected: number, change: Correction, updatedAt: string) =>
  correct<Township>(keys.township(id), 'township', expected, change, updatedAt);
export const correctVillage = (id: string, expected: number, change: Correction, updatedAt: string) =>
  correct<Village>(keys.village(id), 'village', expected, change, updatedAt);
export const correctCadre = (id: string, expected: number, change: Correction, updatedAt: string) =>
  correct<Cadre>(keys.cadre(id), 'cadre', expected, change, updatedAt);

export async function getTownship(id: string): Promise<Township | undefined> {
  const item = await getItem<Stored<Township>>(keys.township(id));
  return item && strip<Township>(item);
}
export async function getVillage(id: string): Promise<Village | undefined> {
  const item = await getItem<Stored<Village>>(keys.village(id));
  return item && strip<Village>(item);
}
export async function getCadre(id: string): Promise<Cadre | undefined> {
  const item = await getItem<Stored<Cadre>>(keys.cadre(id));
  return item && strip<Cadre>(item);
}

export async function getVillages(ids: string[]): Promise<Map<string, Village>> {
  const items = await batchGet<Record<string, unknown>>(ids.map((id) => keys.village(id)));
  return new Map(items.map((i) => [i.id as string, strip<Village>(i)]));
}
export async function getCadres(ids: string[]): Promise<Map<string, Cadre>> {
  const items = await batchGet<Record<string, unknown>>(ids.map((id) => keys.cadre(id)));
  return new Map(items.map((i) => [i.id as string, strip<Cadre>(i)]));
}

export async function listTownships(limit: number, next?: string): Promise<Page<Township>> {
  return mapPage(
    await queryPage({ index: 'GSI1', partition: keys.townshipList() }, limit, next),
    strip<Township>,
  );
}

export async function listVillages(
  filter: { townshipId?: string | undefined; category?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<Village>> {
  const spec: QuerySpec = {
    index: 'GSI1',
    partition: keys.villageList(),
    sort: filter.townshipId ? { beginsWith: `${filter.townshipId}#` } : undefined,
    filter: equalityFilter({ category: filter.category || undefined }),
  };
  return mapPage(await queryPage(spec, limit, next), strip<Village>);
}

export async function listCadres(
  filter: {
    townshipId?: string | undefined;
    rank?: string | undefined;
    unit?: string | undefined;
    unitId?: string | undefined;
  },
  limit: number,
  next?: string,
): Promise<Page<Cadre>> {
  const where = allOf(
    equalityFilter({
      townshipId: filter.townshipId || undefined,
      rank: filter.rank || undefined,
      unitId: filter.unitId || undefined,
    }),
    containsFilter('unit', filter.unit || undefined),
  );
  return mapPage(
    await queryPage({ index: 'GSI1', partition: keys.cadreList(), filter: where }, limit, next),
    strip<Cadre>,
  );
}

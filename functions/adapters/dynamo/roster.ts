import type { Cadre, Township, Village } from '../../schemas/roster.ts';
import { keys } from './keys.ts';
import {
  allOf,
  batchGet,
  containsFilter,
  equalityFilter,
  getItem,
  mapPage,
  type Page,
  putIfAbsent,
  type QuerySpec,
  queryPage,
  withoutKeys,
} from './table.ts';

/** Townships, villages and cadres. Created by id; listed through GSI1. */
type Stored<T> = T & Record<string, unknown>;
const strip = <T>(item: Record<string, unknown>) => withoutKeys(item) as unknown as T;

/** Put when new; otherwise return what is stored so the caller can tell a retry from a clash. */
async function create<T extends object>(
  key: { PK: string; SK: string },
  index: Record<string, string>,
  data: T,
  entity: string,
) {
  const stored = await putIfAbsent({ ...key, ...index, entity, ...data });
  if (stored) return { created: true as const, item: data };
  const existing = await getItem<Record<string, unknown>>(key);
  return { created: false as const, item: strip<T>(existing ?? {}) };
}

export const createTownship = (t: Township) =>
  create(keys.township(t.id), { GSI1PK: keys.townshipList(), GSI1SK: t.id }, t, 'township');

export const createVillage = (v: Village) =>
  create(keys.village(v.id), { GSI1PK: keys.villageList(), GSI1SK: `${v.townshipId}#${v.id}` }, v, 'village');

export const createCadre = (c: Cadre) =>
  create(keys.cadre(c.id), { GSI1PK: keys.cadreList(), GSI1SK: c.id }, c, 'cadre');

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
  filter: { townshipId?: string | undefined; rank?: string | undefined; unit?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<Cadre>> {
  const where = allOf(
    equalityFilter({ townshipId: filter.townshipId || undefined, rank: filter.rank || undefined }),
    containsFilter('unit', filter.unit || undefined),
  );
  return mapPage(
    await queryPage({ index: 'GSI1', partition: keys.cadreList(), filter: where }, limit, next),
    strip<Cadre>,
  );
}

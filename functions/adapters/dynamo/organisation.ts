import type { District, DistrictDepartment, TownshipLeader, Unit } from '../../schemas/organisation.ts';
import { keys } from './keys.ts';
import {
  allOf,
  batchGet,
  ConditionFailed,
  deleteItem,
  equalityFilter,
  getItem,
  type Item,
  mapPage,
  type Page,
  putIfAbsent,
  putItem,
  queryAll,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Units (单位), county leaders over townships (包镇) and districts (片区, 包片). No transactions
 * (dynalite has none): each invariant is one conditional write on one item. A record is written
 * before the slot that guards its invariant, so a slot always names a record that exists (or one
 * rolled back, which a later claim may take over); a retry with the same id finishes what a crash left.
 */
const UNIT = 'unit';
const LEADER = 'township-leader';
const LEADER_SLOT = 'township-leader-slot';
const DISTRICT = 'district';
const DISTRICT_SLOT = 'village-district-slot';

const versionOf = (item: Item) => (typeof item.version === 'number' ? item.version : 1);
const strip = <T>(item: Item) => ({ ...withoutKeys(item), version: versionOf(item) }) as unknown as T;

// ---------------------------------------------------------------------------------------------
// Units

export async function createUnit(u: Omit<Unit, 'version'>): Promise<{ created: boolean; item: Unit }> {
  const data = { ...u, version: 1 } as Unit;
  const put = await putIfAbsent({
    ...keys.unit(u.id),
    GSI1PK: keys.unitList(),
    GSI1SK: `${u.kind}#${u.id}`,
    entity: UNIT,
    ...data,
  });
  if (put) return { created: true, item: data };
  const existing = await getItem<Item>(keys.unit(u.id));
  return { created: false, item: strip<Unit>(existing ?? {}) };
}

export async function getUnit(id: string): Promise<Unit | undefined> {
  const item = await getItem<Item>(keys.unit(id));
  return item?.entity === UNIT ? strip<Unit>(item) : undefined;
}

export async function getUnits(ids: string[]): Promise<Map<string, Unit>> {
  const items = await batchGet<Item>(ids.map((id) => keys.unit(id)));
  return new Map(items.filter((i) => i.entity === UNIT).map((i) => [String(i.id), strip<Unit>(i)]));
}

export async function listUnits(
  filter: { kind?: string | undefined; townshipId?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<Unit>> {
  const page = await queryPage<Item>(
    {
      index: 'GSI1',
      partition: keys.unitList(),
      sort: filter.kind ? { beginsWith: `${filter.kind}#` } : undefined,
      filter: equalityFilter({ townshipId: filter.townshipId || undefined }),
    },
    limit,
    next,
  );
  return mapPage(page, strip<Unit>);
}

/** Every unit (a county has tens to a few hundred): for the coverage report. */
export async function allUnits(): Promise<Unit[]> {
  return (await queryAll<Item>({ index: 'GSI1', partition: keys.unitList() })).map(strip<Unit>);
}

export async function renameUnit(
  id: string,
  expected: number,
  name: string,
  updatedAt: string,
): Promise<{ kind: 'updated'; item: Unit } | { kind: 'stale'; current: Unit } | { kind: 'missing' }> {
  try {
    const item = await updateItem<Item>({
      Key: keys.unit(id),
      UpdateExpression: 'SET #name = :name, #version = :next, updatedAt = :at',
      ConditionExpression:
        expected === 1
          ? '#entity = :entity AND (attribute_not_exists(#version) OR #version = :expected)'
          : '#entity = :entity AND #version = :expected',
      ExpressionAttributeNames: { '#name': 'name', '#version': 'version', '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':name': name,
        ':next': expected + 1,
        ':expected': expected,
        ':at': updatedAt,
        ':entity': UNIT,
      },
    });
    return { kind: 'updated', item: strip<Unit>(item) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const current = await getUnit(id);
  return current ? { kind: 'stale', current } : { kind: 'missing' };
}

// ---------------------------------------------------------------------------------------------
// County leaders over townships

function leaderItem(l: TownshipLeader): Item {
  return {
    ...keys.townshipLeader(l.id),
    entity: LEADER,
    GSI1PK: keys.townshipLeaders(l.townshipId),
    GSI1SK: `${l.from}#${l.id}`,
    GSI2PK: keys.cadreLeaderships(l.cadreId),
    GSI2SK: `${l.from}#${l.id}`,
    GSI3PK: l.active ? keys.activeTownshipLeaders() : keys.endedTownshipLeaders(),
    GSI3SK: `${l.townshipId}#${l.id}`,
    ...l,
  };
}

const toLeader = (item: Item) => withoutKeys(item) as unknown as TownshipLeader;

export async function getTownshipLeader(id: string): Promise<TownshipLeader | undefined> {
  const item = await getItem<Item>(keys.townshipLeader(id));
  return item?.entity === LEADER ? toLeader(item) : undefined;
}

export type LeaderCreateResult =
  | { kind: 'created' | 'recovered'; leader: TownshipLeader }
  | { kind: 'already_leader'; holder: TownshipLeader };

/**
 * 1. The record (a retry with the same derived id finds it and goes on); 2. the slot of this leader
 * and township, held by at most one running period. When a running period holds it, the record is
 * rolled back and the holder named.
 */
export async function createTownshipLeader(l: TownshipLeader): Promise<LeaderCreateResult> {
  const fresh = await putIfAbsent(leaderItem(l));
  const leader = fresh ? l : ((await getTownshipLeader(l.id)) ?? l);
  // A period that has already ended (recorded afterwards) holds no slot.
  if (!leader.active) return { kind: fresh ? 'created' : 'recovered', leader };
  const slot = keys.townshipLeaderSlot(l.townshipId, l.cadreId);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await putItem(
        { ...slot, entity: LEADER_SLOT, leaderId: l.id, claimedAt: l.createdAt },
        {
          expression: 'attribute_not_exists(PK) OR leaderId = :id',
          values: { ':id': l.id },
        },
      );
      return { kind: fresh ? 'created' : 'recovered', leader };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
    }
    const held = await getItem<Item>(slot);
    if (!held) continue;
    const holder = await getTownshipLeader(String(held.leaderId));
    if (holder?.active) {
      if (fresh) await deleteItem(keys.townshipLeader(l.id));
      return { kind: 'already_leader', holder };
    }
    // The holder ended (or was rolled back) without releasing the slot: take it over.
    await releaseLeaderSlot(l.townshipId, l.cadreId, String(held.leaderId));
  }
  throw new Error('township leader slot stayed contended');
}

async function releaseLeaderSlot(townshipId: string, cadreId: string, leaderId: string): Promise<void> {
  try {
    await deleteItem(keys.townshipLeaderSlot(townshipId, cadreId), {
      expression: 'leaderId = :id',
      values: { ':id': leaderId },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export async function endTownshipLeader(
  current: TownshipLeader,
  end: { to: string; endedAt: string; endedBy: string; endReason?: string | undefined },
): Promise<{ kind: 'ended'; leader: TownshipLeader } | { kind: 'already_ended' }> {
  try {
    const item = await updateItem<Item>({
      Key: keys.townshipLeader(current.id),
      UpdateExpression: `SET active = :false, #to = :to, endedAt = :at, endedBy = :by, GSI3PK = :ended${
        end.endReason ? ', endReason = :reason' : ''
      }`,
      ConditionExpression: 'active = :true',
      ExpressionAttributeNames: { '#to': 'to' },
      ExpressionAttributeValues: {
        ':false': false,
        ':true': true,
        ':to': end.to,
        ':at': end.endedAt,
        ':by': end.endedBy,
        ':ended': keys.endedTownshipLeaders(),
        ...(end.endReason ? { ':reason': end.endReason } : {}),
      },
    });
    await releaseLeaderSlot(current.townshipId, current.cadreId, current.id);
    return { kind: 'ended', leader: toLeader(item) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return { kind: 'already_ended' };
  }
}

/** A township's leaders, running and ended, by start date (GSI1). */
export async function listTownshipLeaders(
  townshipId: string,
  filter: { active?: boolean | undefined },
  limit: number,
  next?: string,
): Promise<Page<TownshipLeader>> {
  const page = await queryPage<Item>(
    {
      index: 'GSI1',
      partition: keys.townshipLeaders(townshipId),
      filter: filter.active === undefined ? undefined : activeFilter(filter.active),
    },
    limit,
    next,
  );
  return mapPage(page, toLeader);
}

/** A township's whole leader history (small: a few a decade). */
export async function townshipLeaderHistory(townshipId: string): Promise<TownshipLeader[]> {
  return (await queryAll<Item>({ index: 'GSI1', partition: keys.townshipLeaders(townshipId) })).map(toLeader);
}

/** The townships a cadre leads or led (GSI2): `active` keeps the running periods only. */
export async function leadershipsOfCadre(cadreId: string, active?: boolean): Promise<TownshipLeader[]> {
  const items = await queryAll<Item>({
    index: 'GSI2',
    partition: keys.cadreLeaderships(cadreId),
    filter: active === undefined ? undefined : activeFilter(active),
  });
  return items.map(toLeader);
}

/** Running leader periods (GSI3), optionally of one township. */
export async function activeTownshipLeaders(townshipId?: string): Promise<TownshipLeader[]> {
  const items = await queryAll<Item>({
    index: 'GSI3',
    partition: keys.activeTownshipLeaders(),
    sort: townshipId ? { beginsWith: `${townshipId}#` } : undefined,
  });
  return items.map(toLeader);
}

function activeFilter(active: boolean) {
  return { expression: '#active = :active', names: { '#active': 'active' }, values: { ':active': active } };
}

// ---------------------------------------------------------------------------------------------
// Districts

function districtItem(d: District): Item {
  return {
    ...keys.district(d.id),
    entity: DISTRICT,
    GSI1PK: keys.districtList(),
    GSI1SK: `${d.townshipId}#${d.id}`,
    ...d,
  };
}

export async function getDistrict(id: string): Promise<District | undefined> {
  const item = await getItem<Item>(keys.district(id));
  return item?.entity === DISTRICT ? strip<District>(item) : undefined;
}

export async function putDistrictIfAbsent(d: District): Promise<boolean> {
  return putIfAbsent(districtItem(d));
}

/** Rolls back a district record whose villages could not all be claimed (only while still version 1). */
export async function removeDistrict(id: string): Promise<void> {
  try {
    await deleteItem(keys.district(id), { expression: 'version = :one', values: { ':one': 1 } });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export type VillageClaim = { ok: true } | { ok: false; holder: District };

/**
 * Claims the village for the district: at most one running district per village. A slot whose
 * holder ended, no longer lists the village or no longer exists is taken over.
 */
export async function claimVillage(villageId: string, districtId: string, at: string): Promise<VillageClaim> {
  const slot = keys.villageDistrictSlot(villageId);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await putItem(
        { ...slot, entity: DISTRICT_SLOT, districtId, claimedAt: at },
        { expression: 'attribute_not_exists(PK) OR districtId = :id', values: { ':id': districtId } },
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
    }
    const held = await getItem<Item>(slot);
    if (!held) continue;
    const holder = await getDistrict(String(held.districtId));
    if (holder?.active && holder.villageIds.includes(villageId)) return { ok: false, holder };
    await releaseVillage(villageId, String(held.districtId));
  }
  throw new Error('village district slot stayed contended');
}

export async function releaseVillage(villageId: string, districtId: string): Promise<void> {
  try {
    await deleteItem(keys.villageDistrictSlot(villageId), {
      expression: 'districtId = :id',
      values: { ':id': districtId },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

/** The running district a village belongs to, if any (its slot, checked against the record). */
export async function districtOfVillage(villageId: string): Promise<District | undefined> {
  const held = await getItem<Item>(keys.villageDistrictSlot(villageId));
  if (!held) return undefined;
  const d = await getDistrict(String(held.districtId));
  return d?.active && d.villageIds.includes(villageId) ? d : undefined;
}

/** Writes a district's new department history at the version read (412 for the caller when stale). */
export async function setDistrictDepartments(
  id: string,
  expected: number,
  departments: DistrictDepartment[],
  updatedAt: string,
): Promise<District | undefined> {
  const current = departments.find((d) => d.to === null);
  try {
    const item = await updateItem<Item>({
      Key: keys.district(id),
      UpdateExpression: `SET departments = :deps, #version = :next, updatedAt = :at${
        current ? ', unitId = :unit' : ''
      }${current ? '' : ' REMOVE unitId'}`,
      ConditionExpression: '#version = :expected AND active = :true',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: {
        ':deps': departments,
        ':next': expected + 1,
        ':expected': expected,
        ':at': updatedAt,
        ':true': true,
        ...(current ? { ':unit': current.unitId } : {}),
      },
    });
    return strip<District>(item);
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return undefined;
  }
}

export async function endDistrict(
  current: District,
  end: { to: string; updatedAt: string; endReason?: string | undefined },
): Promise<District | undefined> {
  const departments = current.departments.map((d) => (d.to === null ? { ...d, to: end.to } : d));
  try {
    const item = await updateItem<Item>({
      Key: keys.district(current.id),
      UpdateExpression: `SET active = :false, #to = :to, departments = :deps, #version = :next, updatedAt = :at${
        end.endReason ? ', endReason = :reason' : ''
      } REMOVE unitId`,
      ConditionExpression: 'active = :true AND #version = :expected',
      ExpressionAttributeNames: { '#to': 'to', '#version': 'version' },
      ExpressionAttributeValues: {
        ':false': false,
        ':true': true,
        ':to': end.to,
        ':deps': departments,
        ':next': current.version + 1,
        ':expected': current.version,
        ':at': end.updatedAt,
        ...(end.endReason ? { ':reason': end.endReason } : {}),
      },
    });
    await Promise.all(current.villageIds.map((v) => releaseVillage(v, current.id)));
    return strip<District>(item);
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return undefined;
  }
}

export async function listDistricts(
  filter: { townshipId?: string | undefined; unitId?: string | undefined; active?: boolean | undefined },
  limit: number,
  next?: string,
): Promise<Page<District>> {
  const page = await queryPage<Item>(
    {
      index: 'GSI1',
      partition: keys.districtList(),
      sort: filter.townshipId ? { beginsWith: `${filter.townshipId}#` } : undefined,
      filter: allOf(
        equalityFilter({ unitId: filter.unitId || undefined }),
        filter.active === undefined ? undefined : activeFilter(filter.active),
      ),
    },
    limit,
    next,
  );
  return mapPage(page, strip<District>);
}

/** Every district in scope (a township has a handful; a county tens). */
export async function allDistricts(townshipId?: string): Promise<District[]> {
  const items = await queryAll<Item>({
    index: 'GSI1',
    partition: keys.districtList(),
    sort: townshipId ? { beginsWith: `${townshipId}#` } : undefined,
  });
  return items.map(strip<District>);
}

import { createHash } from 'node:crypto';
import {
  ASSIGNMENT_ROLE_LABELS,
  ASSIGNMENT_ROLES,
  type AssignmentFacts,
  assignmentsEffectiveOn,
  chiefAmong,
  classifySlotHolder,
  findPeriodClash,
  type PeriodClash,
} from '../../core/assignments.ts';
import { teamRoleName } from '../../core/teams.ts';
import { beijingDayStart, isoWeekOf } from '../../core/time.ts';
import type { Assignment, AssignmentRole } from '../../schemas/assignments.ts';
import { markAppointmentLetterPending } from './appointment-letters.ts';
import { invalidCursor } from './cursor.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  deleteItem,
  getItem,
  type Item,
  type Key,
  mapPage,
  type Page,
  putItem,
  type QuerySpec,
  queryAll,
  queryPage,
  updateItem,
} from './table.ts';
import { getTeamRoles } from './team-roles.ts';

/**
 * Assignments (包村关系) in the single table.
 *
 * Item `ASGN#<id>`: GSI1 by village (`VILL#<v>#ASGN`, `<from>#<id>`), GSI2 by cadre
 * (`CADR#<c>#ASGN`, `<from>#<id>`), GSI3 by status and role (`ASGNS#ACTIVE#<role>` while running,
 * `ASGNS#ENDED#<role>` afterwards; SK `<township>#<village>#<id>`), GSI4 by the ISO week of `from`.
 *
 * Invariants without transactions: two slot items under the village, each written by conditional
 * put before the assignment item: `CHIEF` (one running chief per village) and `ASGN#<cadre>` (a
 * cadre runs at most one assignment per village). A create claims its slots, checks the village's
 * history, then puts the item; an end updates the item, then releases the slots. Every step is safe
 * to repeat with the same assignment id, and a slot left behind by a crash is recognised and cleared
 * (see classifySlotHolder).
 */

const ENTITY = 'assignment';
const VOID_ENTITY = 'assignment-void';
const SLOT_ENTITY = 'assignment-slot';
const CHIEF_SLOT_ENTITY = 'chief-slot';
/** Voided ids are kept long enough that a crashed writer's late retry finds them (idempotency keys live 24 h). */
const VOID_TTL_SECONDS = 3 * 24 * 60 * 60;

export type NewAssignment = Pick<
  Assignment,
  'id' | 'cadreId' | 'villageId' | 'townshipId' | 'role' | 'from' | 'createdAt' | 'createdBy'
> & { note?: string | undefined; teamRole?: string | undefined };

type StoredAssignment = Item & {
  id: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  role: AssignmentRole;
  /** The member's team role (a code from the county's list); absent on assignments without one. */
  teamRole?: string;
  from: string;
  to?: string;
  active: boolean;
  note?: string;
  createdAt: string;
  createdBy: string;
  endedAt?: string;
  endedBy?: string;
  endReason?: string;
};

const isAssignment = (item: Item | undefined): item is StoredAssignment => item?.entity === ENTITY;

/**
 * Team role names are read live from the county's list (a rename shows at once); callers that read
 * assignments pass the list they read once per request. Without it the code stands for the name.
 */
export function toAssignment(item: StoredAssignment, teamRoles?: TeamRoleNames): Assignment {
  return {
    id: item.id,
    cadreId: item.cadreId,
    villageId: item.villageId,
    townshipId: item.townshipId,
    role: item.role,
    roleLabel: ASSIGNMENT_ROLE_LABELS[item.role],
    ...(item.teamRole
      ? {
          teamRole: item.teamRole,
          teamRoleLabel: teamRoles ? teamRoleName(item.teamRole, teamRoles) : item.teamRole,
        }
      : {}),
    from: item.from,
    to: item.to ?? null,
    active: item.active,
    ...(item.note ? { note: item.note } : {}),
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    ...(item.endedAt ? { endedAt: item.endedAt } : {}),
    ...(item.endedBy ? { endedBy: item.endedBy } : {}),
    ...(item.endReason ? { endReason: item.endReason } : {}),
  };
}

type TeamRoleNames = Parameters<typeof teamRoleName>[1];

/** The names of the team roles, only when some of `items` carry one (most reads need no extra read). */
async function namesFor(items: readonly Item[]): Promise<TeamRoleNames | undefined> {
  return items.some((i) => typeof i.teamRole === 'string') ? getTeamRoles() : undefined;
}

export async function getAssignment(id: string): Promise<Assignment | undefined> {
  const item = await getItem<Item>(keys.assignment(id));
  return isAssignment(item) ? toAssignment(item, await namesFor([item])) : undefined;
}

/**
 * Sets (or with null clears) a running assignment's team role. Conditional on the assignment still
 * running; answers the assignment as it was before and after, or undefined when it is not running.
 */
export async function setTeamRole(
  id: string,
  teamRole: string | null,
): Promise<{ before: Assignment; after: Assignment } | undefined> {
  const before = await getItem<Item>(keys.assignment(id));
  if (!isAssignment(before) || !before.active) return undefined;
  let updated: StoredAssignment;
  try {
    updated = await updateItem<StoredAssignment>({
      Key: keys.assignment(id),
      UpdateExpression: teamRole === null ? 'REMOVE teamRole' : 'SET teamRole = :teamRole',
      ConditionExpression: '#entity = :entity AND #active = :true',
      ExpressionAttributeNames: { '#entity': 'entity', '#active': 'active' },
      ExpressionAttributeValues: {
        ':entity': ENTITY,
        ':true': true,
        ...(teamRole === null ? {} : { ':teamRole': teamRole }),
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
  const names = await getTeamRoles();
  return { before: toAssignment(before, names), after: toAssignment(updated, names) };
}

// ---------------------------------------------------------------------------------------------
// Slots

type Claim = { ok: true } | { ok: false; holder: Assignment | undefined };

/**
 * Claims a slot for `id`. A repeat by the same assignment id passes (a retry after a crash). When
 * another id holds it, the holder decides: running or in flight → refused; ended, voided or
 * abandoned → cleared conditionally and claimed again once.
 */
async function claimSlot(key: Key, entity: string, id: string, villageId: string, now: Date): Promise<Claim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await putItem(
        { ...key, entity, assignmentId: id, villageId, claimedAt: now.toISOString() },
        { expression: 'attribute_not_exists(PK) OR assignmentId = :id', values: { ':id': id } },
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
    }
    const slot = await getItem<Item>(key);
    if (!slot) continue; // released between our put and our read
    const holderId = String(slot.assignmentId);
    const holderItem = await getItem<Item>(keys.assignment(holderId));
    const claimedAt = typeof slot.claimedAt === 'string' ? slot.claimedAt : undefined;
    const verdict = classifySlotHolder(holderState(holderItem), claimedAt, now);
    if (verdict === 'live' || verdict === 'pending') {
      return { ok: false, holder: isAssignment(holderItem) ? toAssignment(holderItem) : undefined };
    }
    if (verdict === 'orphan' && !(await voidAssignmentId(holderId, now))) continue; // it appeared: re-read
    await releaseSlot(key, holderId);
    if (attempt >= 1) break; // cleared once already and still losing: count the slot as taken
  }
  const slot = await getItem<Item>(key);
  const holderItem = slot ? await getItem<Item>(keys.assignment(String(slot.assignmentId))) : undefined;
  return { ok: false, holder: isAssignment(holderItem) ? toAssignment(holderItem) : undefined };
}

function holderState(item: Item | undefined): 'active' | 'ended' | 'void' | undefined {
  if (item === undefined) return undefined;
  if (!isAssignment(item)) return 'void';
  return item.active ? 'active' : 'ended';
}

/** Reserves an abandoned assignment id so its crashed writer can never complete it later. */
async function voidAssignmentId(id: string, now: Date): Promise<boolean> {
  try {
    await putItem(
      {
        ...keys.assignment(id),
        entity: VOID_ENTITY,
        id,
        voidedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + VOID_TTL_SECONDS,
      },
      { expression: 'attribute_not_exists(PK)' },
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/** Deletes a slot only while it still names this assignment. */
async function releaseSlot(key: Key, id: string): Promise<void> {
  try {
    await deleteItem(key, { expression: 'assignmentId = :id', values: { ':id': id } });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

function slotsOf(a: Pick<Assignment, 'villageId' | 'cadreId' | 'role'>): Key[] {
  return [
    keys.assignmentSlot(a.villageId, a.cadreId),
    ...(a.role === 'chief' ? [keys.chiefSlot(a.villageId)] : []),
  ];
}

async function releaseSlots(a: Pick<Assignment, 'id' | 'villageId' | 'cadreId' | 'role'>): Promise<void> {
  await Promise.all(slotsOf(a).map((key) => releaseSlot(key, a.id)));
}

// ---------------------------------------------------------------------------------------------
// Create and end

export type CreateResult =
  | { kind: 'created'; assignment: Assignment }
  /** The item was already written under this id (a retry after a crash): nothing new was written. */
  | { kind: 'recovered'; assignment: Assignment }
  | { kind: 'already_assigned'; holder: Assignment | undefined }
  | { kind: 'chief_exists'; holder: Assignment | undefined }
  | { kind: 'period_clash'; clash: PeriodClash }
  /** This id was voided after its slot looked abandoned; the caller should retry with a new request. */
  | { kind: 'superseded' };

function assignmentItem(a: NewAssignment): StoredAssignment {
  return {
    ...keys.assignment(a.id),
    entity: ENTITY,
    GSI1PK: keys.villageAssignments(a.villageId),
    GSI1SK: `${a.from}#${a.id}`,
    GSI2PK: keys.cadreAssignments(a.cadreId),
    GSI2SK: `${a.from}#${a.id}`,
    GSI3PK: keys.activeAssignments(a.role),
    GSI3SK: `${a.townshipId}#${a.villageId}#${a.id}`,
    GSI4PK: keys.week(isoWeekOf(a.from)),
    GSI4SK: `${ENTITY}#${beijingDayStart(a.from).toISOString()}#${a.id}`,
    id: a.id,
    cadreId: a.cadreId,
    villageId: a.villageId,
    townshipId: a.townshipId,
    role: a.role,
    ...(a.teamRole ? { teamRole: a.teamRole } : {}),
    from: a.from,
    active: true,
    ...(a.note ? { note: a.note } : {}),
    createdAt: a.createdAt,
    createdBy: a.createdBy,
  };
}

/**
 * The village's history as far as a new assignment's period rule needs it. The index may lag an
 * end that just happened, so entries it still shows as running are read again from the table.
 */
async function historyForClash(a: NewAssignment): Promise<AssignmentFacts[]> {
  const items = await queryAll<StoredAssignment>({
    index: 'GSI1',
    partition: keys.villageAssignments(a.villageId),
  });
  const relevant = items.filter(
    (i) => i.id !== a.id && (i.cadreId === a.cadreId || (a.role === 'chief' && i.role === 'chief')),
  );
  return Promise.all(
    relevant.map(async (i) => {
      if (!i.active) return toAssignment(i);
      const fresh = await getItem<Item>(keys.assignment(i.id));
      return toAssignment(isAssignment(fresh) ? fresh : i);
    }),
  );
}

export async function createAssignment(a: NewAssignment, now: Date): Promise<CreateResult> {
  // 0. A retry (same derived id) whose first attempt got as far as the item is already done.
  const earlier = await getItem<Item>(keys.assignment(a.id));
  if (isAssignment(earlier))
    return { kind: 'recovered', assignment: toAssignment(earlier, await namesFor([earlier])) };
  if (earlier) return { kind: 'superseded' };
  // 1. One running assignment per cadre and village.
  const pair = await claimSlot(
    keys.assignmentSlot(a.villageId, a.cadreId),
    SLOT_ENTITY,
    a.id,
    a.villageId,
    now,
  );
  if (!pair.ok) return { kind: 'already_assigned', holder: pair.holder };
  // 2. One running chief per village.
  if (a.role === 'chief') {
    const chief = await claimSlot(keys.chiefSlot(a.villageId), CHIEF_SLOT_ENTITY, a.id, a.villageId, now);
    if (!chief.ok) {
      await releaseSlot(keys.assignmentSlot(a.villageId, a.cadreId), a.id);
      return { kind: 'chief_exists', holder: chief.holder };
    }
  }
  // 3. No overlap with ended periods (read after the slots are ours, so no end can race us).
  const clash = findPeriodClash(await historyForClash(a), a);
  if (clash) {
    await releaseSlots(a);
    return { kind: 'period_clash', clash };
  }
  // 4. The assignment itself; an existing item under this id is our own earlier attempt or a void.
  // A chief's appointment letter is rendered later by the daily sweep: mark it pending first, so a
  // crash after the item is written cannot lose the letter (a marker without an item is dropped).
  if (a.role === 'chief') await markAppointmentLetterPending(a.id, a.createdAt);
  try {
    await putItem(assignmentItem(a), { expression: 'attribute_not_exists(PK)' });
    const item = assignmentItem(a);
    return { kind: 'created', assignment: toAssignment(item, await namesFor([item])) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const existing = await getItem<Item>(keys.assignment(a.id));
  if (isAssignment(existing)) {
    if (!existing.active) await releaseSlots(a);
    return { kind: 'recovered', assignment: toAssignment(existing, await namesFor([existing])) };
  }
  await releaseSlots(a);
  return { kind: 'superseded' };
}

export type EndResult = { kind: 'ended'; assignment: Assignment } | { kind: 'already_ended' };

export async function endAssignment(
  current: Assignment,
  end: { to: string; endedAt: string; endedBy: string; endReason?: string | undefined },
): Promise<EndResult> {
  let updated: StoredAssignment;
  try {
    updated = await updateItem<StoredAssignment>({
      Key: keys.assignment(current.id),
      UpdateExpression: `SET #active = :false, #to = :to, endedAt = :endedAt, endedBy = :endedBy, GSI3PK = :ended${
        end.endReason ? ', endReason = :reason' : ''
      }`,
      ConditionExpression: '#entity = :entity AND #active = :true',
      ExpressionAttributeNames: { '#active': 'active', '#to': 'to', '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':false': false,
        ':true': true,
        ':to': end.to,
        ':endedAt': end.endedAt,
        ':endedBy': end.endedBy,
        ':ended': keys.endedAssignments(current.role),
        ':entity': ENTITY,
        ...(end.endReason ? { ':reason': end.endReason } : {}),
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailed) return { kind: 'already_ended' };
    throw error;
  }
  // Item first, slots second: a crash in between leaves a slot naming an ended assignment, which
  // the next create recognises as stale and clears.
  await releaseSlots(current);
  return { kind: 'ended', assignment: toAssignment(updated, await namesFor([updated])) };
}

// ---------------------------------------------------------------------------------------------
// Reads

export interface AssignmentFilter {
  villageId?: string | undefined;
  cadreId?: string | undefined;
  townshipId?: string | undefined;
  role?: AssignmentRole | undefined;
  active?: boolean | undefined;
  /** Effective on this date; needs villageId or cadreId (the by-village and by-cadre indexes sort by start). */
  on?: string | undefined;
}

function historySpec(filter: AssignmentFilter): QuerySpec {
  const byCadre = filter.cadreId !== undefined;
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const equal = (attribute: string, value: unknown) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    clauses.push(`#${attribute} = :${attribute}`);
  };
  if (byCadre && filter.villageId) equal('villageId', filter.villageId);
  if (filter.townshipId) equal('townshipId', filter.townshipId);
  if (filter.role) equal('role', filter.role);
  if (filter.active !== undefined) equal('active', filter.active);
  if (filter.on) {
    names['#to'] = 'to';
    values[':on'] = filter.on;
    clauses.push('(attribute_not_exists(#to) OR #to > :on)');
  }
  return {
    index: byCadre ? 'GSI2' : 'GSI1',
    partition: byCadre
      ? keys.cadreAssignments(filter.cadreId as string)
      : keys.villageAssignments(filter.villageId as string),
    // `<from>#<id>` < `<on>$` exactly when from ≤ on ('#' sorts just below '$').
    ...(filter.on ? { sort: { lt: `${filter.on}$` } } : {}),
    ...(clauses.length ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
  };
}

function statusSpecs(filter: AssignmentFilter): QuerySpec[] {
  const roles = filter.role ? [filter.role] : [...ASSIGNMENT_ROLES];
  const statuses = filter.active === undefined ? [true, false] : [filter.active];
  return statuses.flatMap((active) =>
    roles.map((role) => ({
      index: 'GSI3' as const,
      partition: active ? keys.activeAssignments(role) : keys.endedAssignments(role),
      ...(filter.townshipId ? { sort: { beginsWith: `${filter.townshipId}#` } } : {}),
    })),
  );
}

/** One page across several partitions read in turn; the cursor names the partition and the place in it. */
async function pageAcross(specs: QuerySpec[], limit: number, next?: string): Promise<Page<StoredAssignment>> {
  if (specs.length === 1) return queryPage<StoredAssignment>(specs[0] as QuerySpec, limit, next);
  const scope = createHash('sha256').update(JSON.stringify(specs)).digest('base64url').slice(0, 12);
  let part = 0;
  let inner: string | undefined;
  if (next !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    const { s, p, c } = (parsed ?? {}) as { s?: unknown; p?: unknown; c?: unknown };
    if (s !== scope || !Number.isInteger(p) || (p as number) < 0 || (p as number) >= specs.length)
      throw invalidCursor();
    if (c !== undefined && typeof c !== 'string') throw invalidCursor();
    part = p as number;
    inner = c as string | undefined;
  }
  const items: StoredAssignment[] = [];
  while (part < specs.length) {
    const page = await queryPage<StoredAssignment>(specs[part] as QuerySpec, limit - items.length, inner);
    items.push(...page.items);
    if (page.next) {
      inner = page.next;
    } else {
      part++;
      inner = undefined;
    }
    if (items.length === limit) break;
  }
  if (part >= specs.length) return { items };
  const cursor = Buffer.from(
    JSON.stringify({ s: scope, p: part, ...(inner ? { c: inner } : {}) }),
    'utf8',
  ).toString('base64url');
  return { items, next: cursor };
}

/**
 * Lists assignments. By village or cadre: the whole history through GSI1/GSI2 (oldest start first),
 * optionally effective on a date. Otherwise through GSI3: running ones, then ended ones, each by
 * role, in township and village order.
 */
export async function listAssignments(
  filter: AssignmentFilter,
  limit: number,
  next?: string,
): Promise<Page<Assignment>> {
  const specs = filter.villageId || filter.cadreId ? [historySpec(filter)] : statusSpecs(filter);
  const page = await pageAcross(specs, limit, next);
  const names = await namesFor(page.items);
  return mapPage(page, (item) => toAssignment(item, names));
}

/** Who was assigned to the village on that Beijing date, from its history. */
export async function assignmentsOn(villageId: string, date: string): Promise<Assignment[]> {
  const items = await queryAll<StoredAssignment>(historySpec({ villageId, on: date }));
  const names = await namesFor(items);
  return assignmentsEffectiveOn(
    items.map((i) => toAssignment(i, names)),
    date,
  );
}

/** The village's chief on that Beijing date, if it had one. */
export async function chiefOn(villageId: string, date: string): Promise<Assignment | undefined> {
  return chiefAmong(await assignmentsOn(villageId, date), date);
}

/** The cadre's assignments that have not been ended (possibly starting in the future). */
export async function activeAssignmentsForCadre(cadreId: string): Promise<Assignment[]> {
  const items = await queryAll<StoredAssignment>(historySpec({ cadreId, active: true }));
  const names = await namesFor(items);
  return items.map((i) => toAssignment(i, names));
}

/** Running chief assignments, optionally in one township (GSI3, no Scan). */
export async function activeChiefAssignments(townshipId?: string): Promise<Assignment[]> {
  const [spec] = statusSpecs({ role: 'chief', active: true, townshipId });
  const items = await queryAll<StoredAssignment>(spec as QuerySpec);
  return items.map((i) => toAssignment(i));
}

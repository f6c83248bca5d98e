import type { ProblemRow } from '../../core/rules/evaluation.ts';
import { DEFAULT_TALK_SETTINGS, type TalkStatus, type TalkTier } from '../../core/talks.ts';
import { keys } from './keys.ts';
import {
  allOf,
  ConditionFailed,
  equalityFilter,
  type Filter,
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
 * Talk records (docs/talks.md): one item per (week, cadre), id derived from both, so the weekly job
 * proposes each talk once however often it runs. Every step is one conditional UpdateItem on the
 * status it starts from, which also moves the item's status index entry (GSI4), so two people
 * approving at once get one approval and one 409. Lists read one index partition each — all by week
 * (GSI1), a cadre's (GSI2), a township's (GSI3), a status's (GSI4) — never a Scan.
 */
export interface TalkPerson {
  by: string;
  byName?: string;
  at: string;
}

export interface TalkRecord {
  id: string;
  week: string;
  cadreId: string;
  cadreName: string;
  townshipId: string | null;
  status: TalkStatus;
  tier: TalkTier;
  proposedTier: TalkTier;
  explanation: string;
  /** Weighted open problems at the week's end (printed in the notice). */
  weightedCount: number;
  /** The week's Sunday (YYYY-MM-DD): the notice speaks of problems open "截至" then. */
  sunday: string;
  /** The cadre's problems still open at the week's end, as evaluated (the notice lists them). */
  problems: ProblemRow[];
  evaluationRevision: number;
  proposedAt: string;
  changes: Array<TalkPerson & { from: TalkTier; to: TalkTier; reason: string }>;
  approval: (TalkPerson & { automatic: boolean }) | null;
  /** Derived from the request that made the last step, so its retry answers rather than meeting a 409. */
  stepToken?: string;
  waiver: (TalkPerson & { reason: string }) | null;
  notice: { id: string; number: string; notifiedAt: string | null } | null;
  dueBy: string | null;
  record:
    | (TalkPerson & {
        heldAt: string;
        place: string;
        conductorIds: string[];
        conductorNames: string[];
        notes: string;
        documentId: string | null;
      })
    | null;
  acknowledgement: { at: string; statement: string | null } | null;
  updatedAt: string;
}

const strip = (item: Item) => withoutKeys(item) as unknown as TalkRecord;

function indexes(t: Pick<TalkRecord, 'week' | 'cadreId' | 'townshipId' | 'status'>): Item {
  const sort = keys.talkSort(t.week, t.cadreId);
  return {
    GSI1PK: keys.talkList(),
    GSI1SK: sort,
    GSI2PK: keys.cadreTalks(t.cadreId),
    GSI2SK: sort,
    ...(t.townshipId ? { GSI3PK: keys.townshipTalks(t.townshipId), GSI3SK: sort } : {}),
    GSI4PK: keys.talksByStatus(t.status),
    GSI4SK: sort,
  };
}

export async function getTalk(id: string): Promise<TalkRecord | undefined> {
  const item = await getItem<Item>(keys.talk(id));
  return item && strip(item);
}

/** Stores a proposal unless the talk exists; answers what is stored either way. */
export async function proposeTalk(record: TalkRecord): Promise<{ created: boolean; record: TalkRecord }> {
  if (await putIfAbsent({ ...keys.talk(record.id), ...indexes(record), entity: 'talk', ...record })) {
    return { created: true, record };
  }
  const stored = await getTalk(record.id);
  if (!stored) throw new Error(`talk ${record.id} vanished`);
  return { created: false, record: stored };
}

export type StepResult =
  | { kind: 'done'; record: TalkRecord }
  | { kind: 'missing' }
  | { kind: 'refused'; record: TalkRecord };

/**
 * One step: sets `fields` and the new status, on condition that the talk is in one of `from`.
 * Refused (with the talk as it stands) when it is not.
 */
export async function stepTalk(
  id: string,
  from: readonly TalkStatus[],
  to: TalkStatus,
  fields: Record<string, unknown>,
  /** A further condition (a change holds the tier it read, so two changes cannot both append). */
  also?: Filter,
): Promise<StepResult> {
  const names: Record<string, string> = { '#status': 'status', '#gsi4': 'GSI4PK' };
  const values: Record<string, unknown> = { ':to': to, ':gsi4': keys.talksByStatus(to) };
  const sets = ['#status = :to', '#gsi4 = :gsi4'];
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  const allowed = from.map((_, i) => `:from${i}`);
  if (also) {
    Object.assign(names, also.names);
    Object.assign(values, also.values);
  }
  from.forEach((s, i) => {
    values[`:from${i}`] = s;
  });
  try {
    const item = await updateItem<Item>({
      Key: keys.talk(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: `attribute_exists(PK) AND #status IN (${allowed.join(', ')})${also ? ` AND ${also.expression}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return { kind: 'done', record: strip(item) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const current = await getTalk(id);
    return current ? { kind: 'refused', record: current } : { kind: 'missing' };
  }
}

export interface TalkFilter {
  week?: string | undefined;
  status?: TalkStatus | undefined;
  cadreId?: string | undefined;
  townshipId?: string | undefined;
  /** Only notified talks whose date to be held (dueBy) is before this Beijing date. */
  dueBefore?: string | undefined;
}

/**
 * Newest week first. A cadre's partition, else a status's, else a township's, else all; the week is a
 * sort-key prefix on each, the other criteria a filter on the one partition read.
 */
export async function listTalks(filter: TalkFilter, limit: number, next?: string): Promise<Page<TalkRecord>> {
  const status = filter.dueBefore ? 'notified' : filter.status;
  const [index, partition] = filter.cadreId
    ? (['GSI2', keys.cadreTalks(filter.cadreId)] as const)
    : status
      ? (['GSI4', keys.talksByStatus(status)] as const)
      : filter.townshipId
        ? (['GSI3', keys.townshipTalks(filter.townshipId)] as const)
        : (['GSI1', keys.talkList()] as const);
  const due: Filter | undefined = filter.dueBefore
    ? {
        expression: '#dueBy < :dueBefore',
        names: { '#dueBy': 'dueBy' },
        values: { ':dueBefore': filter.dueBefore },
      }
    : undefined;
  const where = allOf(
    equalityFilter({
      status: index === 'GSI2' ? status : undefined,
      townshipId: index === 'GSI2' || index === 'GSI4' ? filter.townshipId : undefined,
    }),
    due,
  );
  return mapPage(
    await queryPage<Item>(
      {
        index,
        partition,
        ...(filter.week ? { sort: { beginsWith: `${filter.week}#` } } : {}),
        descending: true,
        filter: where,
      },
      limit,
      next,
    ),
    strip,
  );
}

/** Every talk of a week in one status (the weekly job's automatic approval): one small partition range. */
export async function talksOfWeek(week: string, status: TalkStatus): Promise<TalkRecord[]> {
  const items = await queryAll<Item>({
    index: 'GSI4',
    partition: keys.talksByStatus(status),
    sort: { beginsWith: `${week}#` },
  });
  return items.map(strip);
}

export interface StoredTalkSettings {
  approvalRequired: boolean;
  holdWithinDays: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function getTalkSettings(): Promise<StoredTalkSettings> {
  const item = await getItem<Item>(keys.talkSettings());
  return {
    approvalRequired:
      (item?.approvalRequired as boolean | undefined) ?? DEFAULT_TALK_SETTINGS.approvalRequired,
    holdWithinDays: (item?.holdWithinDays as number | undefined) ?? DEFAULT_TALK_SETTINGS.holdWithinDays,
    updatedAt: (item?.updatedAt as string | undefined) ?? null,
    updatedBy: (item?.updatedBy as string | undefined) ?? null,
  };
}

export async function putTalkSettings(settings: StoredTalkSettings): Promise<void> {
  await putItem({ ...keys.talkSettings(), entity: 'settings', ...settings });
}

import type { RosterRow, Training } from '../../schemas/trainings.ts';
import { keys } from './keys.ts';
import {
  batchGet,
  conditionHeld,
  getItem,
  type Item,
  inParallel,
  type Page,
  putIfAbsent,
  putItem,
  queryAll,
  queryPage,
  sortRange,
  withoutKeys,
} from './table.ts';

/**
 * Training sessions (干部营养餐). The session is one item (`TRNG#<id>` / `A`, all by date on GSI1
 * `TRNGS`); its roster rows live under it (`ATND#<cadreId>`: proposed or added, attended, completed),
 * each also on GSI2 `CADR#<cadreId>#TRNG` by the session's date, so a cadre's sessions — and the
 * completions the weekly evaluation reads when the rules require training to leave the circle — are
 * one Query per cadre.
 */
export type StoredRosterRow = Omit<RosterRow, 'name'> & {
  trainingId: string;
  date: string;
  /** 0 when put on the roster, one more per mark: the condition of the next mark. */
  revision: number;
};

const stripTraining = (item: Item) => {
  const { entity: _e, ...rest } = withoutKeys(item) as Item;
  return rest as unknown as Training;
};
const stripRow = (item: Item) => {
  const { entity: _e, ...rest } = withoutKeys(item) as Item;
  return rest as unknown as StoredRosterRow;
};

function rowItem(row: StoredRosterRow): Item {
  return {
    ...keys.trainingAttendance(row.trainingId, row.cadreId),
    GSI2PK: keys.cadreTrainings(row.cadreId),
    GSI2SK: keys.datedSort(row.date, row.trainingId),
    entity: 'trainingAttendance',
    ...row,
  };
}

/**
 * Put the session when new, then each proposed roster row unless it is there already (a retry never
 * overwrites attendance marked in between). Returns the stored session.
 */
export async function createTraining(
  training: Training,
  roster: readonly StoredRosterRow[],
): Promise<{ created: boolean; item: Training }> {
  const created = await putIfAbsent({
    ...keys.training(training.id),
    GSI1PK: keys.trainingList(),
    GSI1SK: keys.datedSort(training.date, training.id),
    entity: 'training',
    ...training,
  });
  const item = created ? training : ((await getTraining(training.id)) ?? training);
  await inParallel(roster, 8, (row) => putIfAbsent(rowItem(row)));
  return { created, item };
}

export async function getTraining(id: string): Promise<Training | undefined> {
  const item = await getItem<Item>(keys.training(id));
  return item ? stripTraining(item) : undefined;
}

/** The session's roster (one Query under the session). */
export async function listRoster(id: string): Promise<StoredRosterRow[]> {
  const items = await queryAll<Item>({
    partition: keys.training(id).PK,
    sort: { beginsWith: keys.trainingAttendancePrefix() },
  });
  return items.map(stripRow);
}

export async function getRosterRow(id: string, cadreId: string): Promise<StoredRosterRow | undefined> {
  const item = await getItem<Item>(keys.trainingAttendance(id, cadreId));
  return item ? stripRow(item) : undefined;
}

/**
 * Writes a roster row as marked, on condition that it is still the revision read (or absent), so of
 * two marks made from the same state one wins and the other is told (false) and writes nothing.
 */
export async function putRosterRow(row: StoredRosterRow, previous: StoredRosterRow | undefined) {
  const condition = previous
    ? {
        expression: '#revision = :revision',
        names: { '#revision': 'revision' },
        values: { ':revision': previous.revision },
      }
    : { expression: 'attribute_not_exists(PK)' };
  return conditionHeld(putItem(rowItem(row), condition));
}

/** Sessions newest first: all (GSI1) by date range. */
export async function listTrainings(
  range: { from?: string | undefined; to?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<Training>> {
  const page = await queryPage<Item>(
    {
      index: 'GSI1',
      partition: keys.trainingList(),
      descending: true,
      sort: sortRange(range.from, range.to ? `${range.to}~` : undefined),
    },
    limit,
    next,
  );
  return { items: page.items.map(stripTraining), ...(page.next ? { next: page.next } : {}) };
}

/** One cadre's roster rows, newest session first, with their sessions (GSI2, then BatchGet). */
export async function listCadreTrainings(
  cadreId: string,
  range: { from?: string | undefined; to?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<{ training: Training; row: StoredRosterRow }>> {
  const page = await queryPage<Item>(
    {
      index: 'GSI2',
      partition: keys.cadreTrainings(cadreId),
      descending: true,
      sort: sortRange(range.from, range.to ? `${range.to}~` : undefined),
    },
    limit,
    next,
  );
  const rows = page.items.map(stripRow);
  const sessions = new Map(
    (await batchGet<Item>(rows.map((r) => keys.training(r.trainingId)))).map((i) => {
      const t = stripTraining(i);
      return [t.id, t] as const;
    }),
  );
  return {
    items: rows.flatMap((row) => {
      const training = sessions.get(row.trainingId);
      return training ? [{ training, row }] : [];
    }),
    ...(page.next ? { next: page.next } : {}),
  };
}

/** A cadre's completed sessions dated up to `to` (inclusive): the weekly evaluation's training facts. */
export async function cadreCompletions(
  cadreId: string,
  to: string,
): Promise<{ cadreId: string; trainingId: string; date: string }[]> {
  const items = await queryAll<Item>({
    index: 'GSI2',
    partition: keys.cadreTrainings(cadreId),
    sort: { lt: `${to}~` },
    filter: {
      expression: '#completed = :yes',
      names: { '#completed': 'completed' },
      values: { ':yes': true },
    },
  });
  return items.map((i) => ({ cadreId, trainingId: String(i.trainingId), date: String(i.date) }));
}

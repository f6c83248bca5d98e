import { isoWeekOfInstant } from '../../core/time.ts';
import type { Problem } from '../../schemas/problems.ts';
import type { AssigneeRecord } from './dispatches.ts';
import { keys } from './keys.ts';
import type { StoredEvent } from './problems.ts';
import { type Item, queryAll, withoutKeys } from './table.ts';

/**
 * What the daily sweep reads, each through an index made for it (no Scan): the open dispatch rows
 * by deadline (GSI3 OPEN#DISP, SK starting with the UTC deadline), the open problems (GSI3
 * PROBS#open; the deadline is not in the key, so it is a filter over the open set only), and the
 * verifications of a time window (GSI4, the ISO weeks the window touches).
 */
export async function overdueDispatchRows(now: Date): Promise<AssigneeRecord[]> {
  const items = await queryAll<Item>({
    index: 'GSI3',
    partition: keys.openDispatchAssignees(),
    sort: { lt: now.toISOString() },
  });
  return items.map((i) => withoutKeys(i) as unknown as AssigneeRecord).filter((r) => r.status !== 'done');
}

export async function overdueOpenProblems(today: string): Promise<Problem[]> {
  const items = await queryAll<Item>({
    index: 'GSI3',
    partition: keys.problemsByStatus('open'),
    filter: { expression: 'rectifyBy < :today', values: { ':today': today } },
  });
  return items.map((i) => withoutKeys(i) as unknown as Problem);
}

export async function verificationsBetween(from: Date, to: Date): Promise<StoredEvent[]> {
  const weeks = [...new Set([isoWeekOfInstant(from), isoWeekOfInstant(to)])];
  const out: StoredEvent[] = [];
  for (const week of weeks) {
    const items = await queryAll<Item>({
      index: 'GSI4',
      partition: keys.week(week),
      sort: { between: [`VERIFY#${from.toISOString()}`, `VERIFY#${to.toISOString()}#\uffff`] },
    });
    out.push(...items.map((i) => withoutKeys(i) as unknown as StoredEvent));
  }
  return out;
}

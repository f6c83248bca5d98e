import type { Problem } from '../../schemas/problems.ts';
import { keys } from './keys.ts';
import { type Item, queryAll, withoutKeys } from './table.ts';

/**
 * The reads behind a cadre's standing: their problems split by the GSI1 sort-key prefix (`O#`
 * unresolved, `C#` closed) and their dispatch assignee rows past deadline. The assignee rows belong
 * to the dispatches module; their shape is a fixed contract: GSI1PK = cadreDispatches(cadreId),
 * GSI1SK = `<deadline UTC ISO>#<dispatchId>#<villageId>`, attributes dispatchId, number, title,
 * cadreId, villageId, townshipId, deadline, status.
 */
export async function cadreProblems(cadreId: string, which: 'unresolved' | 'closed'): Promise<Problem[]> {
  const items = await queryAll<Item>({
    index: 'GSI1',
    partition: keys.cadreProblems(cadreId),
    sort: { beginsWith: which === 'unresolved' ? 'O#' : 'C#' },
  });
  return items.map((i) => withoutKeys(i) as unknown as Problem);
}

export interface OverdueDispatch {
  dispatchId: string;
  number: string;
  title: string;
  villageId: string;
  deadline: string;
  status: string;
}

/** Assignments whose deadline has passed (`deadline < now`) and which the cadre has not reported done. */
export async function overdueDispatches(cadreId: string, nowUtcIso: string): Promise<OverdueDispatch[]> {
  const items = await queryAll<Item>({
    index: 'GSI1',
    partition: keys.cadreDispatches(cadreId),
    sort: { lt: nowUtcIso },
    filter: { expression: '#status <> :done', names: { '#status': 'status' }, values: { ':done': 'done' } },
  });
  return items.map((i) => ({
    dispatchId: String(i.dispatchId),
    number: String(i.number ?? ''),
    title: String(i.title ?? ''),
    villageId: String(i.villageId),
    deadline: String(i.deadline),
    status: String(i.status),
  }));
}

import { keys } from './keys.ts';
import { containsFilter, type Item, queryAll } from './table.ts';

/**
 * Name search over the roster for HQ's lists (问题, 督查): the cadres and villages whose name contains
 * the words typed. One Query per list partition (GSI1 `CADRS`, `VILLS`) with a `contains` filter: a
 * county's roster is hundreds of items (a province's 10,000 cadres about 2 MB), read only when someone
 * searches, never a table Scan. Names are read fresh each time, so a corrected name is found at once.
 */
export interface NameMatches {
  cadreIds: string[];
  villageIds: string[];
}

export async function rosterIdsByName(text: string): Promise<NameMatches> {
  const [cadres, villages] = await Promise.all([
    queryAll<Item>({ index: 'GSI1', partition: keys.cadreList(), filter: containsFilter('name', text) }),
    queryAll<Item>({ index: 'GSI1', partition: keys.villageList(), filter: containsFilter('name', text) }),
  ]);
  const ids = (items: Item[]) => items.map((i) => String(i.id)).sort();
  return { cadreIds: ids(cadres), villageIds: ids(villages) };
}

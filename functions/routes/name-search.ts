import { type NameMatches, rosterIdsByName } from '../adapters/dynamo/roster-search.ts';
import { BadRequestError } from '../errors.ts';

/**
 * Name search for the problem and inspection lists, apart from records.ts (histories and profiles):
 * the inspections function needs only this, not the notice and visit stores a profile reads.
 */

/** More matches than this and the search asks for more of the name (each match is one Query). */
export const MAX_NAME_MATCHES = 40;

/** The cadres and villages whose names contain `q`; 400 when the words match too many to list. */
export async function searchByName(q: string | undefined): Promise<NameMatches | undefined> {
  if (q === undefined) return undefined;
  const found = await rosterIdsByName(q);
  if (found.cadreIds.length + found.villageIds.length > MAX_NAME_MATCHES) {
    const message = '符合的干部和村太多，请输入更完整的姓名或村名';
    throw new BadRequestError('SEARCH_TOO_BROAD', message, {
      fields: [{ path: 'query.q', code: 'SEARCH_TOO_BROAD', message }],
    });
  }
  return found;
}

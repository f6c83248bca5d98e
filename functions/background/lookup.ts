import { ApiCallError, type ApiClient, type ItemOf } from '../client/api-client.ts';

/**
 * Batch reads through the API: records by id, read one by one (in parallel) when they are few, or by
 * paging through the whole list when they are many, whichever asks the API less.
 */
export const ONE_BY_ONE_MAX = 200;
const WIDTH = 8;

/** Runs `fn` over `items`, at most `width` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no worker takes another item: the caller gets the first error, nothing more starts.
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

export type RosterList = 'townships' | 'units' | 'villages' | 'cadres' | 'districts';

/** A roster record (township, unit, village, cadre, district) as its route answers it. */
export type RosterRecord = ItemOf<`/${RosterList}`>;

export async function recordsById(
  api: ApiClient,
  list: RosterList,
  ids: Iterable<string>,
): Promise<Map<string, RosterRecord>> {
  const wanted = [...new Set(ids)].filter(Boolean);
  const found = new Map<string, RosterRecord>();
  if (wanted.length === 0) return found;
  if (wanted.length > ONE_BY_ONE_MAX) {
    const set = new Set(wanted);
    for (const item of await api.all(`/${list}`, {}, Number.POSITIVE_INFINITY)) {
      if (set.has(item.id)) found.set(item.id, item);
    }
    return found;
  }
  await mapLimit(wanted, WIDTH, async (id) => {
    const res = await api.call('GET', `/${list}/{id}`, { params: { id } });
    if (res.ok) found.set(id, res.body);
    else if (res.status !== 404) throw new ApiCallError(res.status, res.error, `GET /${list}/{id}`);
  });
  return found;
}

/** Names by id (for export columns), as `recordsById` reads them. */
export async function namesById(
  api: ApiClient,
  list: RosterList,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const records = await recordsById(api, list, ids);
  return new Map([...records].map(([id, r]) => [id, r.name]));
}

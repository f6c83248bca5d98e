import { config } from '../../config.ts';
import { batchGet, type Item, type Key } from './table.ts';

/**
 * A warm-container cache of roster items (villages, cadres, dispatch headers) that field submissions
 * only check for existence and township. Only items that were found are cached, for a few minutes:
 * these items are never deleted and the fields read from them never change (a correction may rename
 * a village or cadre, but a village's township is not correctable), so a hit can be stale only in
 * fields the caller does not use, and a new item is never missed (misses go to the table). A
 * correction still drops this container's copy (forgetCachedItems). It saves a BatchGetItem on most
 * warm submissions.
 */
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 20_000;
const cache = new Map<string, { item: Item; expires: number }>();

// The table name is part of the key: tests run several local stacks (tables) in one process.
const id = (key: Key) => `${config().tableName}\u0000${key.PK}\u0000${key.SK}`;

export async function getCachedItems(keys: Key[], now = Date.now()): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const missing: Key[] = [];
  for (const key of keys) {
    const hit = cache.get(id(key));
    if (hit && hit.expires > now) found.set(key.PK, hit.item);
    else missing.push(key);
  }
  if (missing.length) {
    for (const item of await batchGet<Item>(missing)) {
      const key = { PK: String(item.PK), SK: String(item.SK) };
      found.set(key.PK, item);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(id(key), { item, expires: now + TTL_MS });
    }
  }
  return found;
}

/** Drops these items from this container's cache (after a correction wrote them). */
export function forgetCachedItems(keys: Key[]): void {
  for (const key of keys) cache.delete(id(key));
}

export function clearReferenceCache(): void {
  cache.clear();
}

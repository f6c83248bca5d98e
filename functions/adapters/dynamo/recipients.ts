import type { Recipient } from '../../schemas/recipients.ts';
import { keys } from './keys.ts';
import {
  conditionHeld,
  deleteItem,
  getItem,
  type Item,
  mapPage,
  type Page,
  putIfAbsent,
  putItem,
  queryAll,
  queryPage,
  withoutKeys,
} from './table.ts';

/**
 * Bulletin recipients. Listed on GSI1 by scope: `COUNTY#<id>` or `TSHP#<township>#<id>`, so one
 * township's recipients, or the county-wide ones, are a begins_with on one partition.
 */
const strip = (item: Item) => withoutKeys(item) as unknown as Recipient;

function scopeSortKey(r: Pick<Recipient, 'id' | 'scope' | 'townshipId'>): string {
  return r.scope === 'county' ? `COUNTY#${r.id}` : `TSHP#${r.townshipId}#${r.id}`;
}

function item(r: Recipient): Item {
  return {
    ...keys.recipient(r.id),
    GSI1PK: keys.recipientList(),
    GSI1SK: scopeSortKey(r),
    entity: 'recipient',
    ...r,
  };
}

/** False when the id is taken. */
export function createRecipient(r: Recipient): Promise<boolean> {
  return putIfAbsent(item(r));
}

/** Replaces a recipient; false when it does not exist. */
export function replaceRecipient(r: Recipient): Promise<boolean> {
  return conditionHeld(putItem(item(r), { expression: 'attribute_exists(PK)' }));
}

export function deleteRecipient(id: string): Promise<boolean> {
  return conditionHeld(deleteItem(keys.recipient(id), { expression: 'attribute_exists(PK)' }));
}

export async function getRecipient(id: string): Promise<Recipient | undefined> {
  const found = await getItem<Item>(keys.recipient(id));
  return found && strip(found);
}

function prefixOf(filter: {
  scope?: string | undefined;
  townshipId?: string | undefined;
}): string | undefined {
  if (filter.scope === 'county') return 'COUNTY#';
  if (filter.townshipId) return `TSHP#${filter.townshipId}#`;
  if (filter.scope === 'township') return 'TSHP#';
  return undefined;
}

export async function listRecipients(
  filter: { scope?: string | undefined; townshipId?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<Recipient>> {
  // County scope with a township filter names nobody.
  if (filter.scope === 'county' && filter.townshipId) return { items: [] };
  const prefix = prefixOf(filter);
  const page = await queryPage<Item>(
    { index: 'GSI1', partition: keys.recipientList(), ...(prefix ? { sort: { beginsWith: prefix } } : {}) },
    limit,
    next,
  );
  return mapPage(page, strip);
}

/** Every active recipient (a county has tens of them), for the bulletin job. */
export async function activeRecipients(): Promise<Recipient[]> {
  const items = await queryAll<Item>({ index: 'GSI1', partition: keys.recipientList() });
  return items.map(strip).filter((r) => r.active);
}

/** Whether another recipient in the same scope already has this address. */
export async function emailTakenInScope(
  r: Pick<Recipient, 'id' | 'email' | 'scope' | 'townshipId'>,
): Promise<boolean> {
  const prefix = r.scope === 'county' ? 'COUNTY#' : `TSHP#${r.townshipId}#`;
  const items = await queryAll<Item>({
    index: 'GSI1',
    partition: keys.recipientList(),
    sort: { beginsWith: prefix },
  });
  const wanted = r.email.trim().toLowerCase();
  return items.some((i) => i.id !== r.id && String(i.email).trim().toLowerCase() === wanted);
}

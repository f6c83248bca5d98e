import type { AuditRecord } from '../../core/audit.ts';
import { newId } from '../../core/ids.ts';
import { keys } from './keys.ts';
import { type Item, type Page, putItem, queryPage, withoutKeys } from './table.ts';

/** The audit trail: who, when, which route, what changed; queryable per entity and per actor. */
export type { AuditRecord };

/** The item for one audit record (also written in batches by use cases with many entities). */
export function auditItem(record: AuditRecord): Item {
  const seq = newId(new Date(record.at));
  return {
    ...keys.audit(record.entityType, record.entityId, record.at, seq),
    GSI1PK: keys.auditActor(record.actor),
    GSI1SK: `${record.at}#${seq}`,
    entity: 'audit',
    ...record,
  };
}

export async function writeAudit(record: AuditRecord): Promise<void> {
  await putItem(auditItem(record));
}

export async function listAuditForEntity(
  entityType: string,
  entityId: string,
  limit: number,
  next?: string,
): Promise<Page<AuditRecord>> {
  const page = await queryPage<Record<string, unknown>>(
    // Read-your-writes: someone who just changed an entity expects to see the change in its history.
    { partition: keys.auditEntity(entityType, entityId), descending: true, consistent: true },
    limit,
    next,
  );
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as AuditRecord) };
}

export async function listAuditForActor(
  sub: string,
  limit: number,
  next?: string,
): Promise<Page<AuditRecord>> {
  const page = await queryPage<Record<string, unknown>>(
    { index: 'GSI1', partition: keys.auditActor(sub), descending: true },
    limit,
    next,
  );
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as AuditRecord) };
}

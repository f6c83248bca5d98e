import { newId } from '../../core/ids.ts';
import type { AuditEntry } from '../../http/route.ts';
import { keys } from './keys.ts';
import { type Page, putItem, queryPage, withoutKeys } from './table.ts';

/** The audit trail: who, when, which route, what changed; queryable per entity and per actor. */
export interface AuditRecord extends AuditEntry {
  at: string;
  actor: string;
  roles: string[];
  routeKey: string;
  requestId: string;
}

export async function writeAudit(record: AuditRecord): Promise<void> {
  const seq = newId(new Date(record.at));
  await putItem({
    ...keys.audit(record.entityType, record.entityId, record.at, seq),
    GSI1PK: keys.auditActor(record.actor),
    GSI1SK: `${record.at}#${seq}`,
    entity: 'audit',
    ...record,
  });
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

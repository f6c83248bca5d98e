/**
 * The audit trail's record: who did what to which entity, through which route. Kept in the core so
 * the request context that writes it (functions/http) and the store that keeps it
 * (functions/adapters/dynamo/audit.ts) share one type without either importing the other.
 */
export interface AuditEntry {
  entityType: string;
  entityId: string;
  action: string;
  changes?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  at: string;
  /** The actor's `sub`. */
  actor: string;
  /** The actor's name as signed in (the `name` claim), what people read; absent for programs. */
  actorName?: string;
  roles: string[];
  routeKey: string;
  requestId: string;
}

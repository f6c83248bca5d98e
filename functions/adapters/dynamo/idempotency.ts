import { randomUUID } from 'node:crypto';
import type {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../core/idempotency.ts';
import { keys } from './keys.ts';
import { ConditionFailed, deleteItem, getItem, putItem, updateItem } from './table.ts';

/**
 * Idempotency records, one per (caller, key). A request claims the key with a conditional put; the
 * claim holds a lease so a crashed holder does not block retries for the whole 24 h.
 */
export const KEY_LIFETIME_SECONDS = 24 * 60 * 60;
export const LEASE_MS = 30_000;

export async function claimIdempotencyKey(
  sub: string,
  key: string,
  fingerprint: string,
  routeKey: string,
  now: Date,
): Promise<ClaimResult> {
  const nowSec = Math.floor(now.getTime() / 1000);
  const token = randomUUID();
  const item = {
    ...keys.idempotency(sub, key),
    entity: 'idempotency',
    status: 'in_progress',
    fingerprint,
    routeKey,
    token,
    leaseUntil: now.getTime() + LEASE_MS,
    expiresAt: nowSec + KEY_LIFETIME_SECONDS,
  };
  try {
    await putItem(item, { expression: 'attribute_not_exists(PK)' });
    return { kind: 'claimed', token, fresh: true };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const record = await getItem<IdempotencyRecord>(keys.idempotency(sub, key));
  if (!record) return claimIdempotencyKey(sub, key, fingerprint, routeKey, now);
  if (record.expiresAt < nowSec) {
    // dynalite has no TTL (and AWS deletes late), so an expired record is replaced here. Items an
    // attempt under the old record wrote may exist, so the claim is not fresh.
    try {
      await putItem(item, { expression: 'expiresAt = :old', values: { ':old': record.expiresAt } });
      return { kind: 'claimed', token, fresh: false };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      return claimIdempotencyKey(sub, key, fingerprint, routeKey, now);
    }
  }
  return { kind: 'existing', record };
}

/** Take over a claim whose holder's lease ran out (it crashed or timed out). */
export async function takeOverExpiredLease(
  sub: string,
  key: string,
  staleToken: string,
  now: Date,
): Promise<string | undefined> {
  const token = randomUUID();
  try {
    await updateItem({
      Key: keys.idempotency(sub, key),
      UpdateExpression: 'SET #token = :new, leaseUntil = :lease',
      ConditionExpression: '#status = :inProgress AND #token = :old AND leaseUntil < :now',
      ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
      ExpressionAttributeValues: {
        ':new': token,
        ':old': staleToken,
        ':lease': now.getTime() + LEASE_MS,
        ':now': now.getTime(),
        ':inProgress': 'in_progress',
      },
    });
    return token;
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
}

export async function completeIdempotencyKey(
  sub: string,
  key: string,
  token: string,
  response: StoredResponse,
): Promise<void> {
  await updateItem({
    Key: keys.idempotency(sub, key),
    UpdateExpression: 'SET #status = :completed, #response = :response',
    ConditionExpression: '#token = :token',
    ExpressionAttributeNames: { '#status': 'status', '#response': 'response', '#token': 'token' },
    ExpressionAttributeValues: { ':completed': 'completed', ':response': response, ':token': token },
  });
}

/** Forget a claim whose request failed on our side, so the caller's retry runs again. */
export async function releaseIdempotencyKey(sub: string, key: string, token: string): Promise<void> {
  try {
    await deleteItem(keys.idempotency(sub, key), {
      expression: '#token = :token AND #status = :inProgress',
      names: { '#token': 'token', '#status': 'status' },
      values: { ':token': token, ':inProgress': 'in_progress' },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export async function readIdempotencyRecord(
  sub: string,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  return getItem<IdempotencyRecord>(keys.idempotency(sub, key));
}

/** The port the HTTP layer runs Idempotency-Key requests through (core/idempotency.ts). */
export const dynamoIdempotencyStore: IdempotencyStore = {
  claim: claimIdempotencyKey,
  takeOverExpiredLease,
  complete: completeIdempotencyKey,
  release: releaseIdempotencyKey,
  read: readIdempotencyRecord,
};

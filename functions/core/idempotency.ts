/**
 * The idempotency store as a port: the HTTP layer (functions/http/middleware/idempotency.ts) runs a
 * write at most once per (caller, Idempotency-Key) through it, and the entries pass in an
 * implementation (DynamoDB: functions/adapters/dynamo/idempotency.ts). Kept in the core so both sides
 * share these types without either importing the other.
 */

/** The answer kept for replays: exactly what the first attempt sent. */
export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  status: 'in_progress' | 'completed';
  fingerprint: string;
  routeKey: string;
  /** Epoch ms until which the holder's claim stands; after it another attempt may take over. */
  leaseUntil: number;
  /** Epoch seconds after which the record counts as gone (24 h after the claim). */
  expiresAt: number;
  token: string;
  response?: StoredResponse;
}

/**
 * `fresh` is true only when no record existed at all: then no earlier attempt of this request can
 * have written anything, and the use case may take its fast, unconditional write path.
 */
export type ClaimResult =
  | { kind: 'claimed'; token: string; fresh: boolean }
  | { kind: 'existing'; record: IdempotencyRecord };

export interface IdempotencyStore {
  /** Claims the key with a lease, or returns the record someone else holds. */
  claim(sub: string, key: string, fingerprint: string, routeKey: string, now: Date): Promise<ClaimResult>;
  /** Takes over a claim whose holder's lease ran out; undefined when someone else got there first. */
  takeOverExpiredLease(sub: string, key: string, staleToken: string, now: Date): Promise<string | undefined>;
  /** Stores the answer for replays; fails when the claim is no longer ours. */
  complete(sub: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /** Forgets our claim, so the caller's retry runs again. */
  release(sub: string, key: string, token: string): Promise<void>;
  read(sub: string, key: string): Promise<IdempotencyRecord | undefined>;
}

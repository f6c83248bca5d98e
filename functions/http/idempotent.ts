import { createHash } from 'node:crypto';
import type { IdempotencyStore, StoredResponse } from '../core/idempotency.ts';
import { BadRequestError, IdempotencyInProgressError, IdempotencyMismatchError } from '../errors.ts';

/**
 * Runs a write at most once per (caller, Idempotency-Key). A repeat, sequential or concurrent,
 * gets the first response back and writes nothing; the same key with a different request is 422.
 * The rules live here; the records live behind the IdempotencyStore port, and the middleware
 * (middleware/idempotency.ts) places the steps around the use case.
 */
const KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;
const WAIT_FOR_CONCURRENT_MS = 15_000;

export function validateIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new BadRequestError(
      'INVALID_IDEMPOTENCY_KEY',
      '防重复提交的编号须为 8–128 个英文字母、数字或常用符号',
      {
        fields: [{ path: 'headers.idempotency-key', code: 'INVALID_IDEMPOTENCY_KEY', message: '格式无效' }],
      },
    );
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(routeKey: string, params: unknown, body: unknown): string {
  return createHash('sha256')
    .update(canonical([routeKey, params ?? null, body ?? null]))
    .digest('base64url');
}

export interface IdempotentRequest {
  sub: string;
  key: string;
  fingerprint: string;
  routeKey: string;
  clock: () => Date;
}

/** Either the first attempt's answer, or a claim under which this attempt runs the use case. */
export type Acquired =
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'run'; token: string; fresh: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Claims the key, or waits (with backoff) for a concurrent attempt with the same key to finish and
 * replays its answer; takes over a claim whose holder's lease ran out.
 */
export async function acquire(store: IdempotencyStore, args: IdempotentRequest): Promise<Acquired> {
  const { sub, key, fingerprint, routeKey, clock } = args;
  let claim = await store.claim(sub, key, fingerprint, routeKey, clock());
  const deadline = Date.now() + WAIT_FOR_CONCURRENT_MS;
  let delay = 25;
  while (claim.kind === 'existing') {
    const record = claim.record;
    if (record.fingerprint !== fingerprint) {
      throw new IdempotencyMismatchError('这个防重复提交的编号已用于另一个不同的请求');
    }
    if (record.status === 'completed' && record.response)
      return { kind: 'replay', response: record.response };
    if (record.leaseUntil < clock().getTime()) {
      const token = await store.takeOverExpiredLease(sub, key, record.token, clock());
      if (token) {
        claim = { kind: 'claimed', token, fresh: false };
        break;
      }
    }
    if (Date.now() > deadline) throw new IdempotencyInProgressError('相同请求正在处理中，请稍后重试');
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
    const fresh = await store.read(sub, key);
    claim = fresh
      ? { kind: 'existing', record: fresh }
      : await store.claim(sub, key, fingerprint, routeKey, clock());
  }
  return { kind: 'run', token: claim.token, fresh: claim.fresh };
}

/**
 * Settles a claim with the answer the caller gets: kept for replays, unless it is a 5xx, which is
 * our failure, so the claim is released and the caller's retry runs again.
 */
export async function settle(
  store: IdempotencyStore,
  claim: { sub: string; key: string; token: string },
  response: StoredResponse,
): Promise<void> {
  if (response.statusCode >= 500) await store.release(claim.sub, claim.key, claim.token);
  else await store.complete(claim.sub, claim.key, claim.token, response);
}

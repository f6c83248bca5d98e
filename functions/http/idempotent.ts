import { createHash } from 'node:crypto';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  readIdempotencyRecord,
  releaseIdempotencyKey,
  type StoredResponse,
  takeOverExpiredLease,
} from '../adapters/dynamo/idempotency.ts';
import { BadRequestError, IdempotencyInProgressError, IdempotencyMismatchError } from '../errors.ts';

/**
 * Runs a write at most once per (caller, Idempotency-Key). A repeat, sequential or concurrent,
 * gets the first response back and writes nothing; the same key with a different request is 422.
 */
const KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;
const WAIT_FOR_CONCURRENT_MS = 15_000;

export function validateIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new BadRequestError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key 须为 8–128 个可见 ASCII 字符', {
      fields: [{ path: 'headers.idempotency-key', code: 'INVALID_IDEMPOTENCY_KEY', message: '格式无效' }],
    });
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runIdempotent(
  args: { sub: string; key: string; fingerprint: string; routeKey: string; clock: () => Date },
  run: (attempt: { fresh: boolean }) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { sub, key, fingerprint, routeKey, clock } = args;
  let claim = await claimIdempotencyKey(sub, key, fingerprint, routeKey, clock());
  const deadline = Date.now() + WAIT_FOR_CONCURRENT_MS;
  let delay = 25;
  while (claim.kind === 'existing') {
    const record = claim.record;
    if (record.fingerprint !== fingerprint) {
      throw new IdempotencyMismatchError('该 Idempotency-Key 已用于另一个不同的请求');
    }
    if (record.status === 'completed' && record.response) return { ...record.response, replayed: true };
    if (record.leaseUntil < clock().getTime()) {
      const token = await takeOverExpiredLease(sub, key, record.token, clock());
      if (token) {
        claim = { kind: 'claimed', token, fresh: false };
        break;
      }
    }
    if (Date.now() > deadline) throw new IdempotencyInProgressError('相同请求正在处理中，请稍后重试');
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
    const fresh = await readIdempotencyRecord(sub, key);
    claim = fresh
      ? { kind: 'existing', record: fresh }
      : await claimIdempotencyKey(sub, key, fingerprint, routeKey, clock());
  }
  const { token, fresh } = claim;
  let response: StoredResponse;
  try {
    response = await run({ fresh });
  } catch (error) {
    await releaseIdempotencyKey(sub, key, token);
    throw error;
  }
  if (response.statusCode >= 500) {
    await releaseIdempotencyKey(sub, key, token);
  } else {
    await completeIdempotencyKey(sub, key, token, response);
  }
  return { ...response, replayed: false };
}

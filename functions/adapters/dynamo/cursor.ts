import { createHash } from 'node:crypto';
import { BadRequestError } from '../../errors.ts';

/**
 * Opaque page cursors: the DynamoDB LastEvaluatedKey, tied to the query it came from so a cursor
 * from one list cannot be replayed against another (DynamoDB would reject a foreign start key with
 * a ValidationException; we answer 400 before asking). The scope is a plain hash anyone can compute,
 * so it only catches honest mistakes: what stops a forged cursor is `fits`, which the caller uses to
 * check the key's attributes against the query itself (its index, partition and sort condition).
 * A start key inside the query's own range can only move where the page starts, never widen it.
 */
type Key = Record<string, string>;

/** The one answer to a cursor that is not one this list handed out. */
export function invalidCursor(): BadRequestError {
  return new BadRequestError('INVALID_CURSOR', '分页参数无效，请从第一页重新查询', {
    fields: [{ path: 'query.next', code: 'INVALID_CURSOR', message: '分页参数无效' }],
  });
}

function scopeOf(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

export function encodeCursor(key: Record<string, unknown> | undefined, scope: string): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify({ s: scopeOf(scope), k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  scope: string,
  fits: (key: Key) => boolean = () => true,
): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = invalidCursor;
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { s, k } = parsed as { s?: unknown; k?: unknown };
  if (s !== scopeOf(scope) || typeof k !== 'object' || k === null || Array.isArray(k)) throw invalid();
  const entries = Object.entries(k);
  if (entries.length === 0 || entries.length > 4) throw invalid();
  for (const [name, value] of entries) {
    if (
      !/^(PK|SK|GSI[1-4](PK|SK))$/.test(name) ||
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > 1024
    )
      throw invalid();
  }
  if (!fits(k as Key)) throw invalid();
  return k as Key;
}

import { createHash } from 'node:crypto';
import { BadRequestError } from '../../errors.ts';

/**
 * Opaque page cursors: the DynamoDB LastEvaluatedKey, tied to the query it came from so a cursor
 * from one list cannot be replayed against another (DynamoDB would reject a foreign start key with
 * a ValidationException; we answer 400 before asking).
 */
type Key = Record<string, string>;

function scopeOf(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

export function encodeCursor(key: Record<string, unknown> | undefined, scope: string): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify({ s: scopeOf(scope), k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, scope: string): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new BadRequestError('INVALID_CURSOR', '分页游标无效，请从第一页重新查询', {
      fields: [{ path: 'next', code: 'INVALID_CURSOR', message: '分页游标无效' }],
    });
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
    if (!/^(PK|SK|GSI[1-4](PK|SK))$/.test(name) || typeof value !== 'string' || value.length > 1024)
      throw invalid();
  }
  return k as Key;
}

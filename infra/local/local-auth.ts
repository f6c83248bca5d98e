import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Role } from '../../functions/core/roles.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localAuth } from '../../functions/web/auth/provider.ts';
import { gatewayClaims } from '../../functions/web/session.ts';

/**
 * Local stand-in for Cognito + the HTTP API JWT authorizer: tokens signed with a key kept in the data
 * folder, and claims handed to handlers in the shape API Gateway sends (every value a string, groups
 * as "[admin inspector]").
 */
export { LOCAL_AUDIENCE, LOCAL_ISSUER };

export function loadSigningKey(dataDir: string | undefined): Uint8Array {
  if (!dataDir) return randomBytes(32);
  const path = join(dataDir, 'local-jwt.key');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}

export async function issueLocalToken(
  key: Uint8Array,
  subject: { sub: string; role: Role; name?: string; townshipId?: string },
  lifetimeSeconds = 12 * 3600,
): Promise<string> {
  return new SignJWT({
    'cognito:groups': [subject.role],
    token_use: 'id',
    // A cadre acts as themself; a county leader is a cadre too (their townships come from their
    // leader assignments); a township's staff are bound to their township.
    ...(subject.role === 'cadre' || subject.role === 'leader' ? { 'custom:cadreId': subject.sub } : {}),
    ...(subject.role === 'township' && subject.townshipId ? { 'custom:townshipId': subject.townshipId } : {}),
    ...(subject.name ? { name: subject.name } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key);
}

/** Claims as API Gateway's JWT authorizer forwards them: strings only, arrays as "[a b]". */
export const toGatewayClaims = gatewayClaims;

/** The gateway's bearer check: the same verification the pages do on their session cookie. */
export async function verifyLocalToken(
  key: Uint8Array,
  token: string,
): Promise<Record<string, string> | undefined> {
  const payload = await localAuth(key).verify(token);
  return payload ? gatewayClaims(payload as Record<string, unknown>) : undefined;
}

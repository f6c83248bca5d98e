import { SignJWT } from 'jose';
import type { AccountRecord } from '../adapters/dynamo/accounts.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, SESSION_VERSION_CLAIM } from './sessions.ts';

/**
 * Tokens for county-mode accounts: the same HS256 tokens, key, issuer and claims as the local runtime's
 * (infra/local/local-auth.ts), so every API route and page accepts them unchanged, plus `sv`, the
 * account's session version: the verifier refuses a token whose `sv` is no longer the account's
 * (functions/accounts/sessions.ts). `sub` is the user name; a cadre's `custom:cadreId` is the roster id.
 */
/** A token for API clients (POST /auth/token): half a working day, like Cognito's ID token hour × 12. */
export const API_TOKEN_SECONDS = 12 * 3600;
/** A browser session (the sign-in page's cookie): a week; disable or a password change ends it sooner. */
export const BROWSER_SESSION_SECONDS = 7 * 24 * 3600;

export function signingKey(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  if (!env.LOCAL_JWT_KEY) throw new Error('LOCAL_JWT_KEY is not set (the local runtime sets it)');
  return Buffer.from(env.LOCAL_JWT_KEY, 'base64');
}

export async function issueAccountToken(
  account: Pick<AccountRecord, 'username' | 'role' | 'cadreId' | 'townshipId' | 'name' | 'sessionVersion'>,
  lifetimeSeconds: number,
  now: Date = new Date(),
  key: Uint8Array = signingKey(),
): Promise<{ token: string; expiresAt: string }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expires = issuedAt + lifetimeSeconds;
  const token = await new SignJWT({
    'cognito:groups': [account.role],
    token_use: 'id',
    ...((account.role === 'cadre' || account.role === 'leader') && account.cadreId
      ? { 'custom:cadreId': account.cadreId }
      : {}),
    ...(account.role === 'township' && account.townshipId ? { 'custom:townshipId': account.townshipId } : {}),
    ...(account.name ? { name: account.name } : {}),
    [SESSION_VERSION_CLAIM]: account.sessionVersion,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(account.username)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expires)
    .sign(key);
  return { token, expiresAt: new Date(expires * 1000).toISOString() };
}

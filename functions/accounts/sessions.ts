import type { JWTPayload } from 'jose';
import { getAccount } from '../adapters/dynamo/accounts.ts';

/**
 * In county mode a token is good only while its account is enabled and its session version (`sv`) is
 * the account's current one: disabling a user, resetting or changing a password bumps the version and
 * so ends every other session. Both the gateway's bearer check and the pages' cookie check come here
 * (functions/web/auth/provider.ts). The account is read at most once per user name per TTL (30 s), so
 * a change made by another process (`npm run users -- disable`) takes effect within that; a change
 * made in this process forgets the cached entry at once.
 */
/** The claim that carries the account's session version. */
export const SESSION_VERSION_CLAIM = 'sv';
/**
 * Issuer and audience of every token signed on one machine (county accounts, the local runtime's
 * demo and dev users): here, below the pages, because both the signers and the pages' verifier need them.
 */
export const LOCAL_ISSUER = 'baocun-local';
export const LOCAL_AUDIENCE = 'baocun';

const DEFAULT_TTL_MS = 30_000;
let ttlMs = DEFAULT_TTL_MS;

interface Cached {
  at: number;
  state: { sessionVersion: number; disabled: boolean } | undefined;
}
const cache = new Map<string, Cached>();
/** Bounded so a flood of tokens for made-up names cannot grow it (they could not be signed anyway). */
const MAX_CACHED = 10_000;

/** Tests shorten the window instead of waiting 30 s; `undefined` restores the default. */
export function setSessionCacheTtl(ms: number | undefined): void {
  ttlMs = ms ?? DEFAULT_TTL_MS;
  cache.clear();
}

export function forgetSession(username: string): void {
  cache.delete(username);
}

export function countyMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BAOCUN_MODE === 'county';
}

export async function sessionIsCurrent(payload: JWTPayload, now = Date.now()): Promise<boolean> {
  const username = payload.sub;
  const version = payload[SESSION_VERSION_CLAIM];
  if (typeof username !== 'string' || typeof version !== 'number') return false;
  let entry = cache.get(username);
  if (!entry || now - entry.at > ttlMs) {
    const account = await getAccount(username, true);
    entry = {
      at: now,
      state: account ? { sessionVersion: account.sessionVersion, disabled: account.disabled } : undefined,
    };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(username, entry);
  }
  return entry.state !== undefined && !entry.state.disabled && entry.state.sessionVersion === version;
}

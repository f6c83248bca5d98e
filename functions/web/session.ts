import { parseGroupsClaim, type Role, rolesFromGroups } from '../core/roles.ts';

/**
 * Who is signed in to the pages. Browsers navigate without bearer headers, so the pages keep the ID
 * token in an HttpOnly, SameSite=Lax cookie and verify it themselves (the API's JWT authorizer does not
 * stand in front of them). The token is then handed to the API handlers as claims in the exact shape
 * API Gateway's authorizer forwards (strings only, groups as "[a b]").
 */
export const SESSION_COOKIE = 'bc_session';
export const REFRESH_COOKIE = 'bc_refresh';
export const LOGIN_COOKIE = 'bc_login';

export interface Session {
  sub: string;
  /** The first role the person holds, in ROLES order (admin, inspector, township, leader, cadre). */
  role: Role;
  roles: Role[];
  cadreId: string;
  /** A township's staff: their township (claim `custom:townshipId`). */
  townshipId: string | undefined;
  name: string | undefined;
  /** Claims as the API handlers receive them behind API Gateway. */
  claims: Record<string, string>;
  expiresAt: number;
}

const ROLE_ORDER: Role[] = ['admin', 'inspector', 'township', 'leader', 'cadre'];

export function sessionFromPayload(payload: Record<string, unknown>): Session | undefined {
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  if (!sub) return undefined;
  const townshipClaim = payload['custom:townshipId'];
  const townshipId = typeof townshipClaim === 'string' && townshipClaim ? townshipClaim : undefined;
  // As the API does (functions/http/auth.ts): a township role without a township does not count.
  const roles = rolesFromGroups(parseGroupsClaim(payload['cognito:groups'])).filter(
    (r) => r !== 'township' || townshipId !== undefined,
  );
  const role = ROLE_ORDER.find((r) => roles.includes(r));
  if (!role) return undefined;
  const claims = gatewayClaims(payload);
  const cadreClaim = payload['custom:cadreId'];
  const name = typeof payload.name === 'string' && payload.name ? payload.name : undefined;
  return {
    sub,
    role,
    roles,
    cadreId: typeof cadreClaim === 'string' && cadreClaim ? cadreClaim : sub,
    townshipId,
    name,
    claims,
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : 0,
  };
}

/** Claims as API Gateway's JWT authorizer forwards them: strings only, arrays as "[a b]". */
export function gatewayClaims(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (Array.isArray(value)) out[name] = `[${value.join(' ')}]`;
    else if (value !== null && typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}

export function parseCookies(cookies: readonly string[] | undefined, header?: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = [...(cookies ?? []), ...(header ? header.split(/;\s*/) : [])];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      if (!out.has(name)) out.set(name, decodeURIComponent(value));
    } catch {
      // a malformed cookie is ignored, not fatal
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  path?: string;
  /** Secure is set unless the page is served over plain http (local use on a LAN). */
  secure: boolean;
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, 'SameSite=Lax'];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  return parts.join('; ');
}

export function clearCookie(name: string, secure: boolean, path = '/'): string {
  return serializeCookie(name, '', { maxAgeSeconds: 0, secure, path });
}

/** Where a role lands after signing in: a township's staff and county leaders use HQ's console, cut to their townships. */
export function homeOf(role: Role): string {
  return role === 'township' || role === 'leader' ? '/app/admin/board' : `/app/${role}`;
}

/** HQ's console is for HQ, and — read by township, with fewer pages — for a township's staff and county leaders. */
export const CONSOLE_ROLES = ['admin', 'township', 'leader'] as const;

/** Only our own pages may be a post-login destination (no open redirect). */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next?.startsWith('/app/') || /[\\\r\n]/.test(next)) return undefined;
  if (next.startsWith('/app/login') || next.startsWith('/app/auth/')) return undefined;
  return next;
}

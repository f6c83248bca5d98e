import { parseGroupsClaim, type Role, rolesFromGroups } from '../core/roles.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

/** Who is calling, from the JWT claims the HTTP API authorizer (or the local gateway) verified. */
export interface Actor {
  sub: string;
  roles: Role[];
  /** The cadre this user acts as (claim `custom:cadreId`, else the subject). */
  cadreId: string;
  /** The township a `township` user works for (claim `custom:townshipId`). */
  townshipId?: string;
  name?: string;
}

export function actorFromClaims(claims: Record<string, unknown> | undefined): Actor {
  const sub = typeof claims?.sub === 'string' ? claims.sub : '';
  if (!sub) throw new UnauthorizedError('未登录或登录已过期，请重新登录');
  const townshipClaim = claims?.['custom:townshipId'];
  const townshipId = typeof townshipClaim === 'string' && townshipClaim ? townshipClaim : undefined;
  // A township's staff without a township would see nothing that is theirs: the role does not count.
  const roles = rolesFromGroups(parseGroupsClaim(claims?.['cognito:groups'])).filter(
    (r) => r !== 'township' || townshipId !== undefined,
  );
  const cadreClaim = claims?.['custom:cadreId'];
  const name = claims?.name;
  return {
    sub,
    roles,
    cadreId: typeof cadreClaim === 'string' && cadreClaim ? cadreClaim : sub,
    ...(townshipId ? { townshipId } : {}),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.some((r) => actor.roles.includes(r))) {
    throw new ForbiddenError('您的角色无权执行此操作');
  }
}

/** Admins and inspectors see every cadre's records; a cadre sees only their own. */
export function isStaff(actor: Actor): boolean {
  return hasRole(actor, 'admin', 'inspector');
}

export function requireSelfOrStaff(actor: Actor, cadreId: string): void {
  if (!isStaff(actor) && actor.cadreId !== cadreId) {
    throw new ForbiddenError('只能查看或操作本人的记录');
  }
}

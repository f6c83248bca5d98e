import { type Actor, actorFromClaims, requireRole } from '../auth.ts';
import { type ApiMiddleware, type ApiRequest, need, stateOf } from './types.ts';

/**
 * Who is calling, from the JWT claims API Gateway's authorizer (or the local gateway) verified, and
 * whether the route lets their role in (401 without a subject, 403 for a role the route does not
 * name). Public routes run as an anonymous actor. Per-record checks belong to the use cases.
 */
const ANONYMOUS: Actor = { sub: 'anonymous', roles: [], cadreId: '' };

export function auth(): ApiMiddleware {
  const authBefore = (request: ApiRequest): void => {
    const state = stateOf(request);
    const route = need(state.route, 'route');
    if (route.roles === 'public') {
      state.actor = { ...ANONYMOUS, roles: [] };
      return;
    }
    const claims = request.event.requestContext?.authorizer?.jwt?.claims as
      | Record<string, unknown>
      | undefined;
    const actor = actorFromClaims(claims);
    requireRole(actor, route.roles);
    state.actor = actor;
  };

  return { before: authBefore };
}

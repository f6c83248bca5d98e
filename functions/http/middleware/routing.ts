import { NotFoundError } from '../../errors.ts';
import { type AnyRoute, routeKey } from '../route.ts';
import { type ApiMiddleware, type ApiRequest, stateOf } from './types.ts';

/** Finds the route definition for the event's route key; a key this function does not serve is 404. */
export function routing(routes: readonly AnyRoute[]): ApiMiddleware {
  const byKey = new Map(routes.map((r) => [routeKey(r), r]));

  const routingBefore = (request: ApiRequest): void => {
    const route = byKey.get(request.event.routeKey);
    if (!route) throw new NotFoundError('没有这个接口');
    stateOf(request).route = route;
  };

  return { before: routingBefore };
}

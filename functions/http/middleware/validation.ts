import { parseOrThrow } from '../validation.ts';
import { type ApiMiddleware, type ApiRequest, need, stateOf } from './types.ts';

/**
 * Parses path parameters, query and body with the route's zod schemas (400 with one field issue per
 * problem). A body the route may leave out is parsed as `{}`.
 */
export function validation(): ApiMiddleware {
  const validationBefore = (request: ApiRequest): void => {
    const state = stateOf(request);
    const route = need(state.route, 'route');
    const { event } = request;
    const params = route.params
      ? parseOrThrow(route.params, event.pathParameters ?? {}, 'params')
      : undefined;
    const query = route.query
      ? parseOrThrow(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined;
    const body = route.body
      ? parseOrThrow(route.body, state.rawBody === undefined ? {} : state.rawBody, 'body')
      : undefined;
    state.input = { body, query, params };
  };

  return { before: validationBefore };
}

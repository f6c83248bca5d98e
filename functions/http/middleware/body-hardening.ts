import { config } from '../../config.ts';
import { BadRequestError } from '../../errors.ts';
import { parseJsonBody } from '../body.ts';
import { type ApiMiddleware, type ApiRequest, header, need, stateOf } from './types.ts';

/**
 * Turns the raw body of a route that takes one into plain JSON (body.ts: size, UTF-8, surrogates,
 * depth, prototype-polluting keys) before any schema sees it; a missing body is 400 unless the route
 * says it may be left out. Routes without a body schema never read theirs.
 */
export interface BodyHardeningOptions {
  /** Limit for routes that set none; read per request, the local runtime resets the configuration. */
  defaultMaxBytes: () => number;
}

const defaults: BodyHardeningOptions = {
  defaultMaxBytes: () => config().maxBodyBytes,
};

export function bodyHardening(opts: Partial<BodyHardeningOptions> = {}): ApiMiddleware {
  const options = { ...defaults, ...opts };

  const bodyHardeningBefore = (request: ApiRequest): void => {
    const state = stateOf(request);
    const route = need(state.route, 'route');
    if (!route.body) return;
    const { event } = request;
    const rawBody = parseJsonBody(
      event.body,
      event.isBase64Encoded,
      header(event, 'content-type'),
      route.maxBodyBytes ?? options.defaultMaxBytes(),
    );
    if (rawBody === undefined && !route.optionalBody) {
      throw new BadRequestError('EMPTY_BODY', '请求内容不能为空');
    }
    state.rawBody = rawBody;
  };

  return { before: bodyHardeningBefore };
}

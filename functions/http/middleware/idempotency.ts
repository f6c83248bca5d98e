import type { IdempotencyStore, StoredResponse } from '../../core/idempotency.ts';
import { acquire, requestFingerprint, settle, validateIdempotencyKey } from '../idempotent.ts';
import { errorDetails } from '../logger.ts';
import { type ApiMiddleware, type ApiRequest, type ApiResult, header, need, stateOf } from './types.ts';

/**
 * Idempotency-Key on writes: before the use case, claim the key or answer with the first attempt's
 * response (header `idempotent-replayed: true`); after it, keep the answer for replays (or release
 * the claim on a 5xx, so a retry runs again). GET routes and routes flagged `secret` (their answer
 * must never be stored) ignore the header. The store is a port: the entries pass it in.
 *
 * Its onError must run after the error mapping's (error-response.ts): a refusal the use case throws
 * (a 4xx) is kept and replayed like any other answer, so the mapped response is what gets stored.
 */
export interface IdempotencyOptions {
  store: IdempotencyStore;
  clock: () => Date;
}

const defaults: Pick<IdempotencyOptions, 'clock'> = {
  clock: () => new Date(),
};

/** The answer as kept: status, headers and body only. */
function stored(response: ApiResult): StoredResponse {
  return {
    statusCode: response.statusCode ?? 200,
    headers: toStrings(response.headers),
    body: response.body ?? '',
  };
}

function toStrings(headers: ApiResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

export function idempotency(
  opts: Pick<IdempotencyOptions, 'store'> & Partial<IdempotencyOptions>,
): ApiMiddleware {
  const options: IdempotencyOptions = { ...defaults, ...opts };

  const idempotencyBefore = async (request: ApiRequest): Promise<ApiResult | undefined> => {
    const state = stateOf(request);
    const route = need(state.route, 'route');
    const { event } = request;
    const key = route.method === 'GET' || route.secret ? undefined : header(event, 'idempotency-key');
    if (key === undefined) return undefined;
    validateIdempotencyKey(key);
    const sub = need(state.actor, 'actor').sub;
    const acquired = await acquire(options.store, {
      sub,
      key,
      fingerprint: requestFingerprint(event.routeKey, event.pathParameters, state.rawBody),
      routeKey: event.routeKey,
      clock: options.clock,
    });
    if (acquired.kind === 'replay') {
      const { response } = acquired;
      // Returned from a before: middy answers with it and runs neither the use case nor the after phase.
      return {
        statusCode: response.statusCode,
        headers: { ...response.headers, 'x-request-id': state.requestId, 'idempotent-replayed': 'true' },
        body: response.body,
      };
    }
    state.idempotency = { sub, key, token: acquired.token, fresh: acquired.fresh, settled: false };
    return undefined;
  };

  const idempotencyAfter = async (request: ApiRequest): Promise<void> => {
    const claim = stateOf(request).idempotency;
    if (!claim || claim.settled) return;
    // Settled before the write: if keeping the answer fails, onError must not release a claim whose
    // use case did write (a retry would write again); the lease runs out instead.
    claim.settled = true;
    const response = stored(need(request.response ?? undefined, 'response'));
    await settle(options.store, claim, response);
    // The first answer goes out exactly as kept, so its replays match it.
    request.response = response;
  };

  const idempotencyOnError = async (request: ApiRequest): Promise<void> => {
    const state = request.context?.api;
    const claim = state?.idempotency;
    if (!state || !claim || claim.settled || !request.response) return;
    claim.settled = true;
    const response = stored(request.response);
    try {
      await settle(options.store, claim, response);
    } catch (error) {
      // The caller still gets the mapped answer; the claim's lease runs out and a retry takes it over.
      state.log.error('idempotency record not settled', {
        status: response.statusCode,
        error: errorDetails(error),
      });
    }
  };

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}

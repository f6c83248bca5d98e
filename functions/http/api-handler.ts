import middy from '@middy/core';
import type { AuditRecord } from '../core/audit.ts';
import type { IdempotencyStore } from '../core/idempotency.ts';
import { countSubmission, publishMetrics } from './metrics.ts';
import { auth } from './middleware/auth.ts';
import { bodyHardening } from './middleware/body-hardening.ts';
import { errorResponse } from './middleware/error-response.ts';
import { idempotency } from './middleware/idempotency.ts';
import { logRequestDone, requestContext } from './middleware/request-context.ts';
import { routeResult } from './middleware/respond.ts';
import { routing } from './middleware/routing.ts';
import type { ApiContext, ApiEvent, ApiResult } from './middleware/types.ts';
import { header, need, stateOf } from './middleware/types.ts';
import { validation } from './middleware/validation.ts';
import type { AnyRoute, RequestContext } from './route.ts';

export type { ApiEvent, ApiResult };

/** What the handler needs from outside, passed in by the composition roots (functions/api/*.ts). */
export interface ApiPorts {
  /** Keeps Idempotency-Key claims and answers. */
  idempotency: IdempotencyStore;
  /** Stores one audit record; every write calls it through `ctx.audit`. */
  audit: (record: AuditRecord) => Promise<void>;
}

export interface ApiHandlerOptions extends ApiPorts {
  clock?: () => Date;
}

/** The handler as callers see it: AWS, the local gateway and the in-process client pass a context. */
export type ApiHandler = (event: ApiEvent, context?: Partial<ApiContext>) => Promise<ApiResult>;

/**
 * Builds the Lambda handler for a group of routes: middleware first (request id and logger, routing,
 * auth, body hardening, validation, idempotency, the one error mapping), the use case last. Each
 * middleware keeps what it learns on the request's state (middleware/types.ts ApiState).
 */
export function createApiHandler(routes: AnyRoute[], options: ApiHandlerOptions): ApiHandler {
  const clock = options.clock ?? (() => new Date());

  const runUseCase = async (event: ApiEvent, context: ApiContext): Promise<ApiResult> => {
    const state = stateOf({ context });
    const { requestId, log } = state;
    const route = need(state.route, 'route');
    const actor = need(state.actor, 'actor');
    const input = need(state.input, 'input');
    const routeKey = event.routeKey;
    const ctx: RequestContext = {
      actor,
      requestId,
      routeKey,
      now: clock(),
      log,
      idempotencyKey: state.idempotency?.key,
      firstAttempt: state.idempotency?.fresh ?? true,
      ifMatch: header(event, 'if-match'),
      auditRecord: (entry) => ({
        ...entry,
        at: ctx.now.toISOString(),
        actor: actor.sub,
        ...(actor.name ? { actorName: actor.name } : {}),
        roles: actor.roles,
        routeKey,
        requestId,
      }),
      audit: (entry) => options.audit(ctx.auditRecord(entry)),
    };
    const result = routeResult(await route.handle(input, ctx), requestId);
    // Counted only where the use case ran: an idempotent replay answers before the handler.
    if (result.statusCode !== undefined && result.statusCode < 300) countSubmission(routeKey);
    return result;
  };

  const handler = middy<ApiEvent, ApiResult, Error, ApiContext>({
    requestEnd: (request) => {
      logRequestDone(request);
      // Also after an in-process call (pages, worker): nothing waits for the entry to write them.
      publishMetrics();
    },
  })
    .use(requestContext())
    .use(routing(routes))
    .use(auth())
    .use(bodyHardening())
    .use(validation())
    .use(idempotency({ store: options.idempotency, clock }))
    // Registered last so that its onError runs first (middy runs onError in reverse): idempotency's
    // onError then keeps the very answer the caller gets.
    .use(errorResponse())
    .handler(runUseCase);
  // Local callers pass only part of a Lambda context; middy and the middlewares read nothing else.
  return (event, context = {}) => handler(event, context as ApiContext);
}

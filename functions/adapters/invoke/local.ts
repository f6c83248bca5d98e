import pLimit, { type LimitFunction } from 'p-limit';
import type { AsyncInvoker, InvokePayloads, InvokeTarget } from './port.ts';

/**
 * The local side of the invoke port: the target's handler runs in this process, after the current
 * request has been answered (setImmediate), the way Lambda runs an Event invoke after answering 202.
 * The payload goes through JSON like a real event. A failing handler is logged, never thrown: the
 * server keeps serving. `drain()` waits for everything started (the runtime calls it before it
 * closes the database, so no background task outlives the stack).
 *
 * Each invocation has Lambda's time limit (15 minutes, `timeoutMs`): the handler gets a context
 * whose getRemainingTimeInMillis() counts down to it, as on Lambda (the jobs function records its run
 * failed before it), and at the limit the invocation is cut: logged, and no longer waited for.
 *
 * A target may run only so many invocations at once (`concurrency`), like a Lambda function's reserved
 * concurrency: one machine cannot print a hundred PDFs with Chromium at the same time, so the rest
 * wait their turn (their time limit starts when they start).
 */
export interface LocalInvokeContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

export type LocalHandler = (payload: unknown, context: LocalInvokeContext) => Promise<unknown>;

/** Lambda's largest timeout, which the worker and the scheduled-jobs function have. */
export const LAMBDA_MAX_TIMEOUT_MS = 15 * 60_000;

export interface LocalInvoker extends AsyncInvoker {
  /** Resolves when every started invocation (also those started meanwhile) has settled. */
  drain(): Promise<void>;
  /** How many invocations are running or waiting to start. */
  pending(): number;
}

export function createLocalInvoker(
  handlers: Partial<Record<InvokeTarget, LocalHandler>>,
  log: (line: Record<string, unknown>) => void = (line) => console.error(JSON.stringify(line)),
  options: {
    timeoutMs?: number | undefined;
    concurrency?: Partial<Record<InvokeTarget, number>> | undefined;
  } = {},
): LocalInvoker {
  const running = new Set<Promise<void>>();
  const timeoutMs = options.timeoutMs ?? LAMBDA_MAX_TIMEOUT_MS;
  const limits = new Map<InvokeTarget, LimitFunction>();
  const limitFor = (target: InvokeTarget): LimitFunction | undefined => {
    const n = options.concurrency?.[target];
    if (n === undefined) return undefined;
    let limit = limits.get(target);
    if (!limit) {
      limit = pLimit(n);
      limits.set(target, limit);
    }
    return limit;
  };
  let sequence = 0;
  return {
    async invokeAsync<T extends InvokeTarget>(target: T, payload: InvokePayloads[T]): Promise<void> {
      const handler = handlers[target];
      if (!handler) throw new Error(`no local handler for ${target}`);
      const event: unknown = JSON.parse(JSON.stringify(payload));
      const awsRequestId = `local-${target}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;
      const limit = limitFor(target);
      const run = new Promise<void>((resolve) => {
        const start = () =>
          new Promise<void>((settled) => {
            const deadline = Date.now() + timeoutMs;
            const context: LocalInvokeContext = {
              awsRequestId,
              functionName: `baocun-${target}`,
              getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
            };
            let timer: NodeJS.Timeout | undefined;
            const cut = new Promise<'timeout'>((done) => {
              timer = setTimeout(() => done('timeout'), timeoutMs);
            });
            Promise.race([Promise.resolve().then(() => handler(event, context)), cut])
              .then(
                (outcome) => {
                  if (outcome === 'timeout') {
                    log({
                      level: 'error',
                      msg: 'background invocation timed out',
                      target,
                      awsRequestId,
                      timeoutMs,
                    });
                  }
                },
                (error: unknown) => {
                  log({
                    level: 'error',
                    msg: 'background invocation failed',
                    target,
                    awsRequestId,
                    error:
                      error instanceof Error ? { name: error.name, message: error.message } : String(error),
                  });
                },
              )
              .finally(() => {
                clearTimeout(timer);
                settled();
              });
          });
        setImmediate(() => {
          void (limit ? limit(start) : start()).then(resolve);
        });
      });
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async drain() {
      while (running.size) await Promise.all([...running]);
    },
    pending: () => running.size,
  };
}

import type { AsyncInvoker, InvokePayloads, InvokeTarget } from './index.ts';

/**
 * The local side of the invoke port: the target's handler runs in this process, after the current
 * request has been answered (setImmediate), the way Lambda runs an Event invoke after answering 202.
 * The payload goes through JSON like a real event. A failing handler is logged, never thrown: the
 * server keeps serving. `drain()` waits for everything started (the runtime calls it before it
 * closes the database, so no background task outlives the stack).
 */
export type LocalHandler = (payload: unknown) => Promise<unknown>;

export interface LocalInvoker extends AsyncInvoker {
  /** Resolves when every started invocation (also those started meanwhile) has settled. */
  drain(): Promise<void>;
  /** How many invocations are running or waiting to start. */
  pending(): number;
}

export function createLocalInvoker(
  handlers: Partial<Record<InvokeTarget, LocalHandler>>,
  log: (line: Record<string, unknown>) => void = (line) => console.error(JSON.stringify(line)),
): LocalInvoker {
  const running = new Set<Promise<void>>();
  return {
    async invokeAsync<T extends InvokeTarget>(target: T, payload: InvokePayloads[T]): Promise<void> {
      const handler = handlers[target];
      if (!handler) throw new Error(`no local handler for ${target}`);
      const event: unknown = JSON.parse(JSON.stringify(payload));
      const run = new Promise<void>((resolve) => {
        setImmediate(() => {
          Promise.resolve()
            .then(() => handler(event))
            .then(
              () => resolve(),
              (error: unknown) => {
                log({
                  level: 'error',
                  msg: 'background invocation failed',
                  target,
                  error:
                    error instanceof Error ? { name: error.name, message: error.message } : String(error),
                });
                resolve();
              },
            );
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

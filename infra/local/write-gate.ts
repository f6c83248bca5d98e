import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The local runtime's write gate: a backup pauses writes so its table dump and file copies are one
 * consistent moment. A request that writes (every method but GET and HEAD) passes through the gate as
 * a whole, so a record written by several DynamoDB calls (an inspection and its problems) is either
 * entirely before the snapshot or entirely after it. Writes that happen outside such a request
 * (background tasks, scheduled jobs, a GET that records something) pass through it one DynamoDB
 * call at a time; those writers are built to resume, so a snapshot between two of their calls is a
 * state they already survive after a crash.
 *
 * While paused, new writers wait (they are not refused) until `resume()`.
 */
export interface WriteGate {
  /** Runs `work` as one writer: waits while the gate is paused, and holds a pause off until it ends. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Runs one DynamoDB write: through the gate, unless the caller is already a writer inside `run`. */
  runWrite<T>(write: () => Promise<T>): Promise<T>;
  /**
   * Holds new writers, waits for the running ones to finish, then runs `work` and lets writers go
   * again. Pauses do not overlap: a second one waits for the first.
   */
  paused<T>(work: () => Promise<T>): Promise<T>;
  /** Writers running now (tests and logs). */
  inFlight(): number;
}

export function createWriteGate(): WriteGate {
  // The store is a writer's ticket; `active` goes false when its request ends, so background work it
  // started (which inherits the async context) does not pass as part of the finished request.
  const tickets = new AsyncLocalStorage<{ active: boolean }>();
  let running = 0;
  /** Pauses requested and not finished; writers wait on `held` while there is any. */
  let holds = 0;
  let held: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let drained: (() => void) | undefined;
  let pauses: Promise<unknown> = Promise.resolve();

  const enter = async () => {
    while (held) await held;
    running++;
  };
  const leave = () => {
    running--;
    if (running === 0) drained?.();
  };

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    // Already a writer (a handler calling another in-process): entering again would wait for a pause
    // that itself waits for this writer.
    if (tickets.getStore()?.active) return work();
    await enter();
    const ticket = { active: true };
    try {
      return await tickets.run(ticket, work);
    } finally {
      ticket.active = false;
      leave();
    }
  };

  return {
    run,
    runWrite: run,
    paused<T>(work: () => Promise<T>): Promise<T> {
      // A writer pausing the gate would wait for itself.
      if (tickets.getStore()?.active)
        return Promise.reject(new Error('a writer cannot pause the write gate'));
      // Held from the moment of the request: a writer arriving now waits instead of delaying the snapshot.
      if (holds++ === 0) {
        held = new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      const turn = pauses
        .then(async () => {
          if (running > 0) {
            await new Promise<void>((resolve) => {
              drained = resolve;
            });
            drained = undefined;
          }
          return await work();
        })
        .finally(() => {
          if (--holds === 0) {
            held = undefined;
            release?.();
          }
        });
      pauses = turn.catch(() => {});
      return turn;
    },
    inFlight: () => running,
  };
}

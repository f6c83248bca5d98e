import { quantile } from './stats.ts';

/**
 * A closed-loop load generator: `concurrency` workers each send the next request as soon as their
 * previous one answered, until `count` requests were sent. Only successes are timed; anything else
 * is counted as an error with its reason, so a fast 400 or 500 can never pass for a fast submission.
 */
export interface Outcome {
  ok: boolean;
  /** Why it failed, e.g. `409 ALREADY_EXISTS` or an exception name. */
  reason?: string;
}

export interface LoadResult {
  label: string;
  concurrency: number;
  sent: number;
  ok: number;
  errors: number;
  errorReasons: Map<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** Successful requests per second over the whole run. */
  throughput: number;
  elapsedMs: number;
}

export async function runLoad(
  label: string,
  options: {
    count: number;
    concurrency: number /** Stop issuing requests after this long (keeps the bench bounded on a slow machine). */;
    budgetMs?: number;
  },
  send: (i: number) => Promise<Outcome>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorReasons = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const deadline = started + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  const worker = async () => {
    for (;;) {
      if (next >= options.count || performance.now() > deadline) return;
      const i = next++;
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await send(i);
      } catch (error) {
        outcome = { ok: false, reason: (error as Error).name || 'Error' };
      }
      const took = performance.now() - t0;
      if (outcome.ok) latencies.push(took);
      else {
        const reason = outcome.reason ?? 'unknown';
        errorReasons.set(reason, (errorReasons.get(reason) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const sent = next;
  const errors = sent - latencies.length;
  return {
    label,
    concurrency: options.concurrency,
    sent,
    ok: latencies.length,
    errors,
    errorReasons,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    throughput: (latencies.length / elapsedMs) * 1000,
    elapsedMs,
  };
}

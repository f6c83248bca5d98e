import { expect, vi } from 'vitest';

/**
 * POST /jobs/{name} answers 202 with a queued run; these wait for the run over GET /jobs/runs/{runId}
 * (polling a condition, never a fixed sleep).
 */
export type Get = (path: string) => Promise<{ status: number; body: any }>;
export type Post = (path: string, body?: unknown) => Promise<{ status: number; body: any }>;

const FINISHED = new Set(['succeeded', 'failed']);

/** Polls the run until `done(state)` holds (vi.waitFor: fails the test at the time limit, with the last state). */
export function waitForRun(
  get: Get,
  runId: string,
  done: (state: Record<string, any>) => boolean = (s) => FINISHED.has(s.status),
  timeoutMs = 120_000,
): Promise<Record<string, any>> {
  return vi.waitFor(
    async () => {
      const res = await get(`/jobs/runs/${encodeURIComponent(runId)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const state = res.body as Record<string, any>;
      if (!done(state)) throw new Error(`run ${runId}: ${JSON.stringify(state)}`);
      return state;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

/** Starts a job and waits for it to finish, as an administrator running it by hand would. */
export async function runJobNow(
  caller: { get: Get; post: Post },
  name: string,
  body: unknown = {},
  timeoutMs?: number,
): Promise<Record<string, any>> {
  const res = await caller.post(`/jobs/${name}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return waitForRun((path) => caller.get(path), res.body.runId, undefined, timeoutMs);
}

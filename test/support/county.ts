import { expect } from 'vitest';
import type { Caller } from './local-stack.ts';

/**
 * Setting up a small county through the JSON API, the way HQ would: each request must be accepted,
 * so a suite never runs on half its fixture.
 */
export async function createAll(
  admin: Caller,
  requests: Array<[path: string, body: unknown]>,
): Promise<void> {
  for (const [path, body] of requests) expect((await admin.post(path, body)).status, path).toBe(201);
}

/** A dispatch form (抗旱保苗) to `assignees`, due `daysAhead` days from now. */
export async function issueDispatch(
  admin: Caller,
  assignees: Array<{ cadreId: string; villageId: string }>,
  options: { daysAhead?: number; description?: string } = {},
): Promise<{ id: string; number: string }> {
  const res = await admin.post('/dispatches', {
    title: '抗旱保苗专项任务',
    category: '防汛抗旱',
    description: options.description ?? '逐户核实人畜饮水情况。',
    deadline: new Date(Date.now() + (options.daysAhead ?? 5) * 86_400_000).toISOString(),
    assignees,
  });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, number: res.body.number as string };
}

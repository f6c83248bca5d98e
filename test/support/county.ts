import { expect } from 'vitest';
import { type Caller, uid } from './local-stack.ts';

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

export interface RosterFixture {
  townshipId: string;
  /** The first of `villageIds`. */
  villageId: string;
  villageIds: string[];
  cadreIds: string[];
}

/**
 * A fresh township with `villages` villages and `cadres` cadres, ids unique to the call and sorted
 * in creation order (`<township>-V0`, `-V1`, …). Villages alternate deep and general unless
 * `category` is given.
 */
export async function createRoster(
  admin: Caller,
  options: { villages?: number; cadres?: number; category?: 'deep' | 'general' | 'non' } = {},
): Promise<RosterFixture> {
  const { villages = 1, cadres = 1, category } = options;
  const townshipId = uid('T');
  const villageIds = Array.from({ length: villages }, (_, i) => `${townshipId}-V${i}`);
  const cadreIds = Array.from({ length: cadres }, (_, i) => `${townshipId}-C${i}`);
  await createAll(admin, [
    ['/townships', { id: townshipId, name: '包联乡' }],
    ...villageIds.map((id, i): [string, unknown] => [
      '/villages',
      { id, name: `第${i}村`, townshipId, category: category ?? (i % 2 ? 'general' : 'deep') },
    ]),
    ...cadreIds.map((id, i): [string, unknown] => [
      '/cadres',
      { id, name: `干部${i}`, unit: '县农业农村局', rank: 'section' },
    ]),
  ]);
  return { townshipId, villageId: villageIds[0] as string, villageIds, cadreIds };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Moving a cadre (调动): POST /assignments/{id}/move ends the running assignment and starts one in
 * another village on the same day, in one request: refused as a whole (nothing ended) when the new
 * village cannot take them, idempotent with an Idempotency-Key, audited, admins only.
 */
let t: TestStack;
let admin: Caller;
const today = beijingDate(new Date());

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

async function setup() {
  const tid = uid('T');
  const [from, to, other] = [uid('V'), uid('V'), uid('V')];
  const cadre = uid('C');
  const rival = uid('C');
  const writes: Array<[string, unknown]> = [
    ['/townships', { id: tid, name: '东山乡' }],
    ['/villages', { id: from, name: '青石村', townshipId: tid, category: 'deep' }],
    ['/villages', { id: to, name: '白水村', townshipId: tid, category: 'general' }],
    ['/villages', { id: other, name: '红岩村', townshipId: tid, category: 'non' }],
    ['/cadres', { id: cadre, name: '赵红', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: rival, name: '钱绿', unit: '县农业农村局', rank: 'staff' }],
  ];
  for (const [path, body] of writes) expect((await admin.post(path, body)).status, path).toBe(201);
  const running = await admin.post('/assignments', {
    cadreId: cadre,
    villageId: from,
    role: 'chief',
    from: addDays(today, -30),
  });
  expect(running.status).toBe(201);
  return { tid, from, to, other, cadre, rival, assignmentId: running.body.id as string };
}

const move = (who: Caller, id: string, body: unknown, key?: string) =>
  who.post(`/assignments/${id}/move`, body, key ? { 'idempotency-key': key } : {});

describe('POST /assignments/{id}/move', () => {
  it('ends the old assignment and starts the new one on the same day, keeping the role', async () => {
    const s = await setup();
    const res = await move(admin, s.assignmentId, { villageId: s.to, from: today, reason: '工作需要' });
    expect(res.status).toBe(201);
    expect(res.body.ended).toMatchObject({
      id: s.assignmentId,
      active: false,
      to: today,
      endReason: '工作需要',
    });
    expect(res.body.started).toMatchObject({
      cadreId: s.cadre,
      villageId: s.to,
      townshipId: s.tid,
      role: 'chief',
      from: today,
      active: true,
    });
    const history = await admin.get(`/assignments?cadreId=${s.cadre}`);
    expect(
      history.body.items.map((a: { villageId: string; active: boolean }) => [a.villageId, a.active]),
    ).toEqual([
      [s.from, false],
      [s.to, true],
    ]);
    // The old village is left without a chief, as after any end: the coverage report says so.
    const coverage = await admin.get(`/coverage?townshipId=${s.tid}`);
    const without = coverage.body.villagesWithoutChief.map((v: { id: string }) => v.id);
    expect(without).toContain(s.from);
    expect(without).not.toContain(s.to);
  });

  it('defaults the day to today and the reason to the new village', async () => {
    const s = await setup();
    const res = await move(admin, s.assignmentId, { villageId: s.to, role: 'member' });
    expect(res.status).toBe(201);
    expect(res.body.started).toMatchObject({ from: today, role: 'member' });
    expect(res.body.ended).toMatchObject({ to: today, endReason: '调动至白水村' });
  });

  it('refuses a village that already has a chief (409) and leaves the old assignment running', async () => {
    const s = await setup();
    expect(
      (await admin.post('/assignments', { cadreId: s.rival, villageId: s.to, role: 'chief' })).status,
    ).toBe(201);
    const res = await move(admin, s.assignmentId, { villageId: s.to });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CHIEF_EXISTS');
    expect((await admin.get(`/assignments/${s.assignmentId}`)).body.active).toBe(true);
  });

  it('refuses a village where the cadre is already assigned (409 ALREADY_ASSIGNED), nothing ended', async () => {
    const s = await setup();
    expect(
      (await admin.post('/assignments', { cadreId: s.cadre, villageId: s.other, role: 'member' })).status,
    ).toBe(201);
    const res = await move(admin, s.assignmentId, { villageId: s.other, role: 'member' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ALREADY_ASSIGNED');
    expect((await admin.get(`/assignments/${s.assignmentId}`)).body.active).toBe(true);
  });

  it.each([
    [
      'the same village',
      (s: Awaited<ReturnType<typeof setup>>) => ({ villageId: s.from }),
      'body.villageId',
      'SAME_VILLAGE',
    ],
    ['an unknown village', () => ({ villageId: 'NO-SUCH-VILLAGE' }), 'body.villageId', 'UNKNOWN_REFERENCE'],
    [
      'a day before the assignment began',
      (s: Awaited<ReturnType<typeof setup>>) => ({ villageId: s.to, from: addDays(today, -60) }),
      'body.from',
      'BEFORE_FROM',
    ],
  ])('refuses %s with 400 and a field message, nothing written', async (_, body, path, code) => {
    const s = await setup();
    const res = await move(admin, s.assignmentId, body(s));
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path, code });
    expect(res.body.error.fields[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect((await admin.get(`/assignments/${s.assignmentId}`)).body.active).toBe(true);
    expect((await admin.get(`/assignments?cadreId=${s.cadre}`)).body.items).toHaveLength(1);
  });

  it('refuses moving an assignment that has ended (409) and an unknown one (404)', async () => {
    const s = await setup();
    expect((await admin.post(`/assignments/${s.assignmentId}/end`, {})).status).toBe(200);
    expect((await move(admin, s.assignmentId, { villageId: s.to })).status).toBe(409);
    expect((await move(admin, 'NO-SUCH-ASSIGNMENT', { villageId: s.to })).status).toBe(404);
  });

  it('is applied once when retried with the same Idempotency-Key, even concurrently', async () => {
    const s = await setup();
    const key = `move-${s.assignmentId}`;
    const answers = await Promise.all(
      [0, 1, 2].map(() => move(admin, s.assignmentId, { villageId: s.to }, key)),
    );
    const ok = answers.filter((a) => a.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    for (const a of ok) expect(a.body.started.id).toBe(ok[0]?.body.started.id);
    const again = await move(admin, s.assignmentId, { villageId: s.to }, key);
    expect(again.status).toBe(201);
    expect(again.body.started.id).toBe(ok[0]?.body.started.id);
    const history = await admin.get(`/assignments?cadreId=${s.cadre}`);
    expect(history.body.items).toHaveLength(2);
  });

  it('audits the end, the start and the move on the cadre (before and after)', async () => {
    const s = await setup();
    const res = await move(admin, s.assignmentId, { villageId: s.to });
    const audit = await admin.get(`/audit?entityType=cadre&entityId=${s.cadre}`);
    const moved = audit.body.items.find((e: { action: string }) => e.action === 'move');
    expect(moved).toMatchObject({
      actor: admin.sub,
      changes: {
        before: { assignmentId: s.assignmentId, villageId: s.from, role: 'chief' },
        after: { assignmentId: res.body.started.id, villageId: s.to, role: 'chief' },
        on: today,
      },
    });
    const ended = await admin.get(`/audit?entityType=assignment&entityId=${s.assignmentId}`);
    expect(ended.body.items.map((e: { action: string }) => e.action)).toContain('end');
    const started = await admin.get(`/audit?entityType=assignment&entityId=${res.body.started.id}`);
    expect(started.body.items.map((e: { action: string }) => e.action)).toEqual(['create']);
  });

  it.each(['inspector', 'cadre'] as const)('refuses a %s (403) and moves nobody', async (role) => {
    const s = await setup();
    const who = await t.as(role, role === 'cadre' ? s.cadre : undefined);
    expect((await move(who, s.assignmentId, { villageId: s.to })).status).toBe(403);
    expect((await admin.get(`/assignments/${s.assignmentId}`)).body.active).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimIdempotencyKey, KEY_LIFETIME_SECONDS } from '../../functions/adapters/dynamo/idempotency.ts';
import {
  type ApiResponse,
  type Caller,
  startTestStack,
  type TestStack,
  uid,
} from '../support/local-stack.ts';

/**
 * Idempotency-Key: a repeated POST (sequential or concurrent) gets the first response and writes
 * nothing new. Writes are counted through the audit trail, which every write feeds.
 */
let t: TestStack;
let reader: Caller;

beforeAll(async () => {
  t = await startTestStack();
  reader = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

const key = () => uid('idem-key-');
const replayed = (res: ApiResponse) => res.headers.get('idempotent-replayed') === 'true';

async function auditCount(entityType: string, entityId: string): Promise<number> {
  const res = await reader.get(`/audit?entityType=${entityType}&entityId=${entityId}`);
  expect(res.status).toBe(200);
  return res.body.items.length;
}
async function actorAuditCount(caller: Caller): Promise<number> {
  const res = await reader.get(`/audit?actor=${encodeURIComponent(caller.sub)}`);
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('Idempotency-Key', () => {
  it('answers a sequential repeat with the first status and body, marked as replayed, and writes once', async () => {
    const admin = await t.as('admin');
    const k = key();
    const id = uid('T');
    const first = await admin.post('/townships', { id, name: '幂等乡' }, { 'idempotency-key': k });
    const second = await admin.post('/townships', { id, name: '幂等乡' }, { 'idempotency-key': k });
    expect(first.status).toBe(201);
    expect(replayed(first)).toBe(false);
    expect(second.status).toBe(201); // without a key, an identical repeat would answer 200
    expect(second.body).toEqual(first.body);
    expect(replayed(second)).toBe(true);
    expect(await auditCount('township', id)).toBe(1);
    expect(await actorAuditCount(admin)).toBe(1);
  });

  it('answers 10 concurrent requests with the same key identically, and writes once', async () => {
    const admin = await t.as('admin');
    const k = key();
    const id = uid('T');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin.post('/townships', { id, name: '并发乡' }, { 'idempotency-key': k }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const r of results) expect(r.body).toEqual(results[0]!.body);
    expect(results.filter((r) => !replayed(r))).toHaveLength(1);
    expect(await auditCount('township', id)).toBe(1);
  });

  it('runs one direct report for 10 concurrent requests with the same key', async () => {
    const tid = uid('T');
    const vid = uid('V');
    const cid = uid('C');
    await reader.post('/townships', { id: tid, name: '并发乡' });
    await reader.post('/villages', { id: vid, name: '并发村', townshipId: tid, category: 'general' });
    await reader.post('/cadres', { id: cid, name: '李并发', unit: '县农业局', rank: 'general' });
    expect((await reader.post('/assignments', { cadreId: cid, villageId: vid, role: 'chief' })).status).toBe(
      201,
    );
    const cadre = await t.as('cadre', cid);
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        cadre.post(
          '/direct-reports',
          { villageId: vid, kind: 'emergency', summary: '山洪' },
          { 'idempotency-key': k },
        ),
      ),
    );
    expect(new Set(results.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).size).toBe(1);
    expect(results[0]!.status).toBe(201);
    const list = await cadre.get('/direct-reports');
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses the same key with a different body (422 IDEMPOTENCY_KEY_REUSED) and writes nothing for it', async () => {
    const admin = await t.as('admin');
    const k = key();
    const id = uid('T');
    const other = uid('T');
    expect((await admin.post('/townships', { id, name: '甲乡' }, { 'idempotency-key': k })).status).toBe(201);
    const reused = await admin.post('/townships', { id: other, name: '乙乡' }, { 'idempotency-key': k });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await reader.get(`/townships/${other}`)).status).toBe(404);
    expect(await actorAuditCount(admin)).toBe(1);
  });

  it('refuses the same key on a different route (422)', async () => {
    const admin = await t.as('admin');
    const k = key();
    const tid = uid('T');
    expect((await admin.post('/townships', { id: tid, name: '甲乡' }, { 'idempotency-key': k })).status).toBe(
      201,
    );
    const res = await admin.post(
      '/villages',
      { id: uid('V'), name: '村', townshipId: tid, category: 'non' },
      { 'idempotency-key': k },
    );
    expect(res.status).toBe(422);
  });

  it('treats the same key from another user as a different key', async () => {
    const alice = await t.as('admin');
    const bob = await t.as('admin');
    const k = key();
    const a = uid('T');
    const b = uid('T');
    expect((await alice.post('/townships', { id: a, name: '甲乡' }, { 'idempotency-key': k })).status).toBe(
      201,
    );
    const bobs = await bob.post('/townships', { id: b, name: '乙乡' }, { 'idempotency-key': k });
    expect(bobs.status).toBe(201);
    expect(replayed(bobs)).toBe(false);
    expect(bobs.body.id).toBe(b);
    const alicesAgain = await alice.post('/townships', { id: a, name: '甲乡' }, { 'idempotency-key': k });
    expect(replayed(alicesAgain)).toBe(true);
    expect(alicesAgain.body.id).toBe(a);
  });

  it.each([
    ['too short', 'abc1234'],
    ['too long', 'k'.repeat(129)],
    ['containing a space', 'key with spaces'],
    ['non-ASCII', 'schl\u00fcssel-2026'],
  ])('refuses a key that is %s (400 INVALID_IDEMPOTENCY_KEY) and writes nothing', async (_case, k) => {
    const admin = await t.as('admin');
    const id = uid('T');
    const res = await admin.post('/townships', { id, name: '乡' }, { 'idempotency-key': k });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    expect((await reader.get(`/townships/${id}`)).status).toBe(404);
    expect(await actorAuditCount(admin)).toBe(0);
  });

  /**
   * Contract decision: a refusal the use case made (4xx from the handler: unknown reference,
   * conflict, forbidden resource) is the answer to that request and is replayed like a success, so a
   * key always means one outcome; after fixing the cause, the client sends a new key. A request the
   * schema refuses never reaches the use case and never claims the key, so fixing the body and
   * retrying with the same key works.
   */
  it('replays a refusal made by the use case (400 UNKNOWN_REFERENCE), even after its cause is fixed', async () => {
    const admin = await t.as('admin');
    const k = key();
    const tid = uid('T');
    const body = { id: uid('V'), name: '村', townshipId: tid, category: 'deep' };
    const first = await admin.post('/villages', body, { 'idempotency-key': k });
    expect(first.status).toBe(400);
    expect(first.body.error.fields[0].code).toBe('UNKNOWN_REFERENCE');

    expect((await reader.post('/townships', { id: tid, name: '后建乡' })).status).toBe(201);
    const again = await admin.post('/villages', body, { 'idempotency-key': k });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(first.body);
    expect(replayed(again)).toBe(true);
    expect((await reader.get(`/villages/${body.id}`)).status).toBe(404);

    const fresh = await admin.post('/villages', body, { 'idempotency-key': key() });
    expect(fresh.status).toBe(201);
  });

  it('replays a conflict (409) as well', async () => {
    const admin = await t.as('admin');
    const id = uid('T');
    await reader.post('/townships', { id, name: '原乡' });
    const k = key();
    const first = await admin.post('/townships', { id, name: '别的乡' }, { 'idempotency-key': k });
    const again = await admin.post('/townships', { id, name: '别的乡' }, { 'idempotency-key': k });
    expect(first.status).toBe(409);
    expect(again.status).toBe(409);
    expect(replayed(again)).toBe(true);
  });

  it('does not let a request the schema refuses use up the key', async () => {
    const admin = await t.as('admin');
    const k = key();
    const id = uid('T');
    const bad = await admin.post('/townships', { id, name: '乡', extra: true }, { 'idempotency-key': k });
    expect(bad.status).toBe(400);
    expect(replayed(bad)).toBe(false);
    const fixed = await admin.post('/townships', { id, name: '乡' }, { 'idempotency-key': k });
    expect(fixed.status).toBe(201);
    expect(replayed(fixed)).toBe(false);
  });

  it('ignores the header on reads', async () => {
    const admin = await t.as('admin');
    const res = await admin.send('GET', '/townships?limit=1', undefined, { 'idempotency-key': 'x' });
    expect(res.status).toBe(200);
    expect(replayed(res)).toBe(false);
  });

  it('lets a key be used again once it has expired (24 h)', async () => {
    const now = new Date('2026-11-24T10:00:00Z');
    const sub = uid('sub-');
    const k = key();
    const first = await claimIdempotencyKey(sub, k, 'fp-1', 'POST /townships', now);
    expect(first.kind).toBe('claimed');
    const withinDay = new Date(now.getTime() + (KEY_LIFETIME_SECONDS - 60) * 1000);
    expect((await claimIdempotencyKey(sub, k, 'fp-2', 'POST /townships', withinDay)).kind).toBe('existing');
    const afterDay = new Date(now.getTime() + (KEY_LIFETIME_SECONDS + 1) * 1000);
    expect((await claimIdempotencyKey(sub, k, 'fp-2', 'POST /townships', afterDay)).kind).toBe('claimed');
  });
});

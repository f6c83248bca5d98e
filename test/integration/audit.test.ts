import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let reader: Caller;

beforeAll(async () => {
  t = await startTestStack();
  reader = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

describe('GET /audit', () => {
  it('gives one entity’s history, newest first, with who, when, which route and what changed', async () => {
    const admin = await t.as('admin');
    const tid = uid('T');
    const vid = uid('V');
    const cid = uid('C');
    await admin.post('/townships', { id: tid, name: '审计乡' });
    await admin.post('/villages', { id: vid, name: '审计村', townshipId: tid, category: 'general' });
    await admin.post('/cadres', { id: cid, name: '赵审计', unit: '县审计局', rank: 'section' });
    const assignment = await admin.post('/assignments', { cadreId: cid, villageId: vid, role: 'chief' });
    expect(assignment.status).toBe(201);
    expect((await admin.post(`/assignments/${assignment.body.id}/end`, { reason: '调整' })).status).toBe(200);

    const res = await reader.get(`/audit?entityType=assignment&entityId=${assignment.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['end', 'create']);
    const [end, create] = res.body.items;
    expect(create).toEqual({
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: admin.sub,
      roles: ['admin'],
      routeKey: 'POST /assignments',
      requestId: expect.any(String),
      entityType: 'assignment',
      entityId: assignment.body.id,
      action: 'create',
      changes: expect.objectContaining({ cadreId: cid, villageId: vid, role: 'chief' }),
    });
    expect(end).toMatchObject({ routeKey: 'POST /assignments/{id}/end', changes: { reason: '调整' } });
    expect(end.at >= create.at).toBe(true);
    expect(res.body.next).toBeUndefined();
  });

  it('gives one actor’s actions, newest first, page by page', async () => {
    const admin = await t.as('admin');
    const ids = [uid('T'), uid('T'), uid('T')];
    for (const id of ids) expect((await admin.post('/townships', { id, name: '分页乡' })).status).toBe(201);

    const first = await reader.get(`/audit?actor=${admin.sub}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { entityId: string }) => i.entityId)).toEqual([ids[2], ids[1]]);
    expect(typeof first.body.next).toBe('string');
    const second = await reader.get(
      `/audit?actor=${admin.sub}&limit=2&next=${encodeURIComponent(first.body.next)}`,
    );
    expect(second.body.items.map((i: { entityId: string }) => i.entityId)).toEqual([ids[0]]);
    expect(second.body.next).toBeUndefined();
  });

  it('keeps phone numbers and e-mail addresses out of the trail', async () => {
    const id = uid('C');
    await reader.post('/cadres', {
      id,
      name: '钱隐私',
      unit: '县委办',
      rank: 'staff',
      phone: '13912345678',
      email: 'qian@example.cn',
    });
    const res = await reader.get(`/audit?entityType=cadre&entityId=${id}`);
    expect(res.body.items).toHaveLength(1);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('13912345678');
    expect(text).not.toContain('qian@example.cn');
  });

  it('answers an empty page for an entity with no history', async () => {
    const res = await reader.get('/audit?entityType=township&entityId=NEVER-WRITTEN');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it('does not let a cursor for one entity page through another', async () => {
    const admin = await t.as('admin');
    for (let i = 0; i < 3; i++) await admin.post('/townships', { id: uid('T'), name: '乡' });
    const page = await reader.get(`/audit?actor=${admin.sub}&limit=1`);
    const other = await reader.get(
      `/audit?actor=${reader.sub}&limit=1&next=${encodeURIComponent(page.body.next)}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('INVALID_CURSOR');
  });

  it.each([
    ['neither form', '', 'query.entityType'],
    ['both forms', 'entityType=township&entityId=T1&actor=someone', 'query.actor'],
    ['entityType alone', 'entityType=township', 'query.entityId'],
    ['entityId alone', 'entityId=T1', 'query.entityType'],
    ['an empty actor', 'actor=', 'query.actor'],
    ['an unknown parameter', 'actor=someone&since=2026-11-01', 'query.since'],
    ['limit=0', 'actor=someone&limit=0', 'query.limit'],
    ['limit=1000', 'actor=someone&limit=1000', 'query.limit'],
  ])('refuses %s (400)', async (_case, query, field) => {
    const res = await reader.get(`/audit?${query}`);
    expect(res.status).toBe(400);
    const issue = res.body.error.fields.find((f: { path: string }) => f.path === field);
    expect(issue).toBeDefined();
    expect(issue.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each(['inspector', 'cadre'] as const)('refuses a %s (403)', async (role) => {
    const caller = await t.as(role);
    expect((await caller.get(`/audit?actor=${caller.sub}`)).status).toBe(403);
  });
});

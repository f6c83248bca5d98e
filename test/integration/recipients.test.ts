import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
const tid = uid('T');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  expect((await admin.post('/townships', { id: tid, name: '桶井乡' })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

describe('bulletin recipients', () => {
  it('creates, reads, replaces and deletes a recipient, county-wide or per township', async () => {
    const county = await admin.post('/recipients', {
      name: ' 李县长 ',
      title: '副县长',
      email: 'li@example.cn',
      scope: 'county',
    });
    expect(county.status).toBe(201);
    expect(county.body).toMatchObject({ name: '李县长', scope: 'county', active: true });
    const township = await admin.post('/recipients', {
      name: '乡党委书记',
      email: 'shuji@example.cn',
      scope: 'township',
      townshipId: tid,
    });
    expect(township.status).toBe(201);

    expect((await admin.get(`/recipients/${county.body.id}`)).body.email).toBe('li@example.cn');
    const byTownship = await admin.get(`/recipients?townshipId=${tid}`);
    expect(byTownship.body.items.map((r: { id: string }) => r.id)).toEqual([township.body.id]);
    const countyWide = await admin.get('/recipients?scope=county');
    expect(countyWide.body.items.map((r: { id: string }) => r.id)).toContain(county.body.id);
    expect(countyWide.body.items.map((r: { id: string }) => r.id)).not.toContain(township.body.id);

    const replaced = await admin.send(
      'PUT',
      `/recipients/${county.body.id}`,
      JSON.stringify({ name: '李县长', email: 'li2@example.cn', scope: 'county', active: false }),
      { 'content-type': 'application/json' },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      email: 'li2@example.cn',
      active: false,
      createdAt: county.body.createdAt,
    });

    expect((await admin.send('DELETE', `/recipients/${county.body.id}`)).status).toBe(204);
    expect((await admin.get(`/recipients/${county.body.id}`)).status).toBe(404);
    expect((await admin.send('DELETE', `/recipients/${county.body.id}`)).status).toBe(404);
  });

  it('keeps addresses out of the audit trail', async () => {
    const res = await admin.post('/recipients', {
      name: '王主任',
      email: 'wang.audit@example.cn',
      scope: 'county',
    });
    const audit = await admin.get(`/audit?entityType=recipient&entityId=${res.body.id}`);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain('wang.audit@example.cn');
    expect(JSON.stringify(audit.body)).toContain('[set]');
  });

  it('refuses the same address twice in one scope (409) but allows it in another', async () => {
    expect(
      (await admin.post('/recipients', { name: '甲', email: 'Dup@example.cn', scope: 'county' })).status,
    ).toBe(201);
    const clash = await admin.post('/recipients', { name: '乙', email: 'dup@example.cn', scope: 'county' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('DUPLICATE_EMAIL');
    const other = await admin.post('/recipients', {
      name: '乙',
      email: 'dup@example.cn',
      scope: 'township',
      townshipId: tid,
    });
    expect(other.status).toBe(201);
  });

  it.each([
    [
      'a malformed address',
      { name: '甲', email: 'not-an-address', scope: 'county' },
      'body.email',
      'INVALID_FORMAT',
    ],
    [
      'a township scope without a township',
      { name: '甲', email: 'a@example.cn', scope: 'township' },
      'body.townshipId',
      'REQUIRED',
    ],
    [
      'a county scope with a township',
      { name: '甲', email: 'a@example.cn', scope: 'county', townshipId: tid },
      'body.townshipId',
      'NOT_ALLOWED',
    ],
    [
      'an unknown scope',
      { name: '甲', email: 'a@example.cn', scope: 'province' },
      'body.scope',
      'INVALID_VALUE',
    ],
    [
      'an unknown township',
      { name: '甲', email: 'a@example.cn', scope: 'township', townshipId: 'NOPE' },
      'body.townshipId',
      'UNKNOWN_REFERENCE',
    ],
    [
      'an unknown field',
      { name: '甲', email: 'a@example.cn', scope: 'county', phone: '1' },
      'body.phone',
      'UNKNOWN_FIELD',
    ],
    ['an empty name', { name: '  ', email: 'a@example.cn', scope: 'county' }, 'body.name', 'TOO_SMALL'],
  ])('refuses %s with a field-level 400', async (_what, body, path, code) => {
    const res = await admin.post('/recipients', body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toContainEqual(expect.objectContaining({ path, code }));
  });

  it.each(['inspector', 'cadre'] as const)('is for admins only (%s: 403)', async (role) => {
    const caller = await t.as(role);
    expect((await caller.get('/recipients')).status).toBe(403);
    expect(
      (await caller.post('/recipients', { name: '甲', email: 'x@example.cn', scope: 'county' })).status,
    ).toBe(403);
  });

  it('answers 404 for a recipient that does not exist', async () => {
    expect((await admin.get('/recipients/NOPE')).status).toBe(404);
    const put = await admin.send(
      'PUT',
      '/recipients/NOPE',
      JSON.stringify({ name: '甲', email: 'a@example.cn', scope: 'county' }),
      {
        'content-type': 'application/json',
      },
    );
    expect(put.status).toBe(404);
  });
});

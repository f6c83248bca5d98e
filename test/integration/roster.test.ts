import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

describe('roster', () => {
  it('creates a township, village and cadre, normalising names, and reads them back', async () => {
    const tid = uid('T');
    const created = await admin.post('/townships', { id: tid, name: '  桶井乡  ' });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('桶井乡');

    const vid = uid('V');
    const village = await admin.post('/villages', {
      id: vid,
      name: '郑家村',
      townshipId: tid,
      category: 'deep',
      profile: { households: 320 },
    });
    expect(village.status).toBe(201);
    expect(village.body).toMatchObject({
      id: vid,
      category: 'deep',
      categoryLabel: '深度贫困村',
      profile: { households: 320 },
    });

    const cid = uid('C');
    const cadre = await admin.post('/cadres', {
      id: cid,
      name: '杨强',
      unit: '县教育局',
      rank: '科级',
      phone: '13800000000',
    });
    expect(cadre.status).toBe(201);
    expect(cadre.body.rank).toBe('section');

    expect((await admin.get(`/villages/${vid}`)).body.name).toBe('郑家村');
    expect((await admin.get(`/cadres/${cid}`)).body.unit).toBe('县教育局');
    const list = await admin.get(`/villages?townshipId=${tid}`);
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual([vid]);
  });

  it('answers a repeated identical create with the stored item and a different one with 409', async () => {
    const tid = uid('T');
    expect((await admin.post('/townships', { id: tid, name: '甲乡' })).status).toBe(201);
    expect((await admin.post('/townships', { id: tid, name: '甲乡' })).status).toBe(200);
    const clash = await admin.post('/townships', { id: tid, name: '乙乡' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('ALREADY_EXISTS');
  });

  it('pages through villages with an opaque cursor', async () => {
    const tid = uid('T');
    await admin.post('/townships', { id: tid, name: '分页乡' });
    for (let i = 0; i < 5; i++)
      await admin.post('/villages', { id: `${tid}-V${i}`, name: `村${i}`, townshipId: tid, category: 'non' });
    const first = await admin.get(`/villages?townshipId=${tid}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.next).toBe('string');
    const second = await admin.get(`/villages?townshipId=${tid}&limit=2&next=${first.body.next}`);
    expect(second.body.items.map((v: { id: string }) => v.id)).toEqual([`${tid}-V2`, `${tid}-V3`]);
    const foreign = await admin.get(`/cadres?limit=2&next=${first.body.next}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('INVALID_CURSOR');
  });

  it.each([
    ['unknown field', { id: 'X1', name: '乡', extra: 1 }, 'body.extra', 'UNKNOWN_FIELD'],
    ['blank name', { id: 'X2', name: '   ' }, 'body.name', 'TOO_SMALL'],
    ['bad id', { id: 'a#b', name: '乡' }, 'body.id', 'INVALID_FORMAT'],
    ['missing id', { name: '乡' }, 'body.id', 'INVALID_TYPE'],
  ])('refuses a township with %s (400, field message in Chinese)', async (_case, body, path, code) => {
    const res = await admin.post('/townships', body);
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field).toMatchObject({ code });
    expect(field.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('refuses a village in a township that does not exist', async () => {
    const res = await admin.post('/villages', {
      id: uid('V'),
      name: '无主村',
      townshipId: 'NOPE',
      category: 'general',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.townshipId', code: 'UNKNOWN_REFERENCE' });
  });
});

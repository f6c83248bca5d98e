import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The `leader` role (a county leader, 县级领导包镇): reads what the townships they cover hold — the
 * townships come from the leader assignments of their own cadre record (`POST /townships/{id}/leaders`),
 * on the day of the request — and writes nothing here (talk decisions are the talks routes').
 */
let t: TestStack;
let admin: Caller;

const today = beijingDate(new Date());
const sides = ['A', 'B', 'C'].map((k) => ({
  key: k,
  township: uid(`T${k}`),
  village: uid(`V${k}`),
  cadre: uid(`C${k}`),
  report: '',
}));
const [A, B, C] = sides as [(typeof sides)[0], (typeof sides)[0], (typeof sides)[0]];
const leaderOne = uid('L1');
const leaderTwo = uid('L2');
const leaderNone = uid('L0');
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);

async function leads(cadreId: string, townshipId: string, from: string) {
  const res = await admin.post(`/townships/${townshipId}/leaders`, { cadreId, from });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  for (const s of sides) {
    await admin.post('/townships', { id: s.township, name: `${s.key}镇` });
    await admin.post('/villages', {
      id: s.village,
      name: `${s.key}村`,
      townshipId: s.township,
      category: 'general',
    });
    await admin.post('/cadres', {
      id: s.cadre,
      name: `${s.key}干部`,
      unit: '县农业局',
      rank: 'staff',
      townshipId: s.township,
    });
    const a = await admin.post('/assignments', {
      cadreId: s.cadre,
      villageId: s.village,
      role: 'chief',
      from: addDays(today, -20),
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const cadre = await t.as('cadre', s.cadre);
    const r = await cadre.post('/direct-reports', {
      villageId: s.village,
      kind: 'resource_request',
      summary: `${s.key}缺水泵`,
    });
    expect(r.status).toBe(201);
    s.report = r.body.id;
  }
  for (const [id, name] of [
    [leaderOne, '甲领导'],
    [leaderTwo, '乙领导'],
    [leaderNone, '丙领导'],
  ] as const) {
    expect((await admin.post('/cadres', { id, name, unit: '县人大', rank: 'county' })).status).toBe(201);
  }
  await leads(leaderOne, A.township, addDays(today, -10));
  // Starts in five days: not theirs yet.
  await leads(leaderOne, C.township, addDays(today, 5));
  await leads(leaderTwo, A.township, addDays(today, -10));
  await leads(leaderTwo, B.township, addDays(today, -10));
});
afterAll(async () => {
  await t.stop();
});

describe('a county leader reads the townships they cover today', () => {
  it('lists only their township and what it holds', async () => {
    const leader = await t.as('leader', leaderOne);
    expect(ids(await leader.get('/townships'))).toEqual([A.township]);
    expect(ids(await leader.get('/villages'))).toEqual([A.village]);
    expect(ids(await leader.get('/cadres'))).toEqual([A.cadre]);
    expect(ids(await leader.get('/direct-reports'))).toEqual([A.report]);
    expect((await leader.get(`/cadres/${A.cadre}/standing`)).status).toBe(200);
    expect((await leader.get(`/direct-reports/${A.report}`)).status).toBe(200);
  });

  it.each([
    ['another township', () => `/townships/${B.township}`],
    ['another village', () => `/villages/${B.village}`],
    ['another cadre', () => `/cadres/${B.cadre}`],
    ['another report', () => `/direct-reports/${B.report}`],
    ['a township whose leadership starts later', () => `/villages?townshipId=${C.township}`],
    ['the bulletin of another township', () => `/bulletins?townshipId=${B.township}`],
  ])('refuses %s (403)', async (_name, path) => {
    const leader = await t.as('leader', leaderOne);
    const res = await leader.get(path());
    expect(res.status, JSON.stringify(res.body)).toBe(403);
  });

  it('asks a leader of several townships to name one (400 with the field), and reads either', async () => {
    const leader = await t.as('leader', leaderTwo);
    expect(ids(await leader.get('/townships')).sort()).toEqual([A.township, B.township].sort());
    const res = await leader.get('/villages');
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      expect.objectContaining({
        path: 'query.townshipId',
        code: 'TOWNSHIP_REQUIRED',
        message: '您分管多个乡镇，请选择乡镇',
      }),
    ]);
    expect(ids(await leader.get(`/villages?townshipId=${B.township}`))).toEqual([B.village]);
    expect(ids(await leader.get(`/direct-reports?townshipId=${A.township}`))).toEqual([A.report]);
    expect((await leader.get(`/villages?townshipId=${C.township}`)).status).toBe(403);
  });

  it('gives a leader without a township nothing (403, saying so)', async () => {
    const leader = await t.as('leader', leaderNone);
    const res = await leader.get('/villages');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('您目前没有分管的乡镇，暂无可查看的记录');
    expect((await leader.get('/townships')).body.items).toEqual([]);
  });

  it('loses the township the day the leadership ends', async () => {
    const list = await admin.get(`/townships/${B.township}/leaders`);
    const period = list.body.items.find((l: { cadreId: string }) => l.cadreId === leaderTwo);
    const ended = await admin.post(`/townships/${B.township}/leaders/${period.id}/end`, { to: today });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    const leader = await t.as('leader', leaderTwo);
    expect(ids(await leader.get('/townships'))).toEqual([A.township]);
    expect((await leader.get(`/villages/${B.village}`)).status).toBe(403);
  });
});

describe('a county leader writes nothing here', () => {
  it.each([
    ['POST', '/dispatches'],
    ['POST', '/townships'],
    ['POST', '/direct-reports/x1/acknowledge'],
    ['POST', '/assignments'],
    ['GET', '/audit'],
  ] as const)('%s %s is refused (403)', async (method, path) => {
    const leader = await t.as('leader', leaderOne);
    const res = await leader.send(method, path, method === 'POST' ? '{}' : undefined, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('您的角色无权执行此操作');
  });
});

describe('signing in as a county leader', () => {
  it('signs in with {sub, role: "leader"}: the sub is their cadre id', async () => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: leaderOne, role: 'leader' }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ 'cognito:groups': ['leader'], 'custom:cadreId': leaderOne });
    const villages = await fetch(`${t.url}/villages`, { headers: { authorization: `Bearer ${token}` } });
    expect(
      ((await villages.json()) as { items: { id: string }[] }).items.map((v: { id: string }) => v.id),
    ).toEqual([A.village]);
  });

  it('refuses a township on a leader sign-in (400)', async () => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: leaderOne, role: 'leader', townshipId: A.township }),
    });
    expect(res.status).toBe(400);
  });
});

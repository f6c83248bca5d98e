import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../infra/local/local-auth.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The `township` role (a township's staff, claim `custom:townshipId`): every read is cut to their own
 * township, every record of another township is 403, they dispatch within the township and sign for
 * its direct reports. Two townships, A (the caller's) and B, each with a village, a cadre working in
 * it, a problem, a dispatch and a direct report.
 */
let t: TestStack;
let admin: Caller;
let staffA: Caller;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const A = { township: uid('TA'), village: uid('VA'), cadre: uid('CA') } as Record<string, string>;
const B = { township: uid('TB'), village: uid('VB'), cadre: uid('CB') } as Record<string, string>;
const deadline = () => new Date(Date.now() + 5 * 86_400_000).toISOString();
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);

async function seedTownship(side: Record<string, string>, name: string, inspector: Caller) {
  expect((await admin.post('/townships', { id: side.township, name: `${name}乡` })).status).toBe(201);
  expect(
    (
      await admin.post('/villages', {
        id: side.village,
        name: `${name}村`,
        townshipId: side.township,
        category: 'deep',
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await admin.post('/cadres', {
        id: side.cadre,
        name: `${name}干部`,
        unit: '县水务局',
        rank: 'staff',
        townshipId: side.township,
      })
    ).status,
  ).toBe(201);
  const assignment = await admin.post('/assignments', {
    cadreId: side.cadre,
    villageId: side.village,
    role: 'chief',
    from: addDays(today, -30),
  });
  expect(assignment.status, JSON.stringify(assignment.body)).toBe(201);
  side.assignment = assignment.body.id;
  const inspection = await inspector.post('/inspections', {
    villageId: side.village,
    date: weekBounds(lastWeek).monday,
    mode: 'open',
    findings: [
      {
        cadreId: side.cadre,
        present: true,
        problems: [{ description: `${name}台账缺失`, severity: 'minor' }],
      },
    ],
  });
  expect(inspection.status, JSON.stringify(inspection.body)).toBe(201);
  const problems = await admin.get(`/problems?cadreId=${side.cadre}`);
  side.problem = problems.body.items[0].id;
  const dispatch = await admin.post('/dispatches', {
    title: `${name}巡查`,
    category: '防汛抗旱',
    description: '巡查水源',
    deadline: deadline(),
    assignees: [{ cadreId: side.cadre, villageId: side.village }],
  });
  expect(dispatch.status).toBe(201);
  side.dispatch = dispatch.body.id;
  const cadre = await t.as('cadre', side.cadre);
  const report = await cadre.post('/direct-reports', {
    villageId: side.village,
    kind: 'situation',
    summary: `${name}水情`,
  });
  expect(report.status, JSON.stringify(report.body)).toBe(201);
  side.report = report.body.id;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  await seedTownship(A, '甲', inspector);
  await seedTownship(B, '乙', inspector);
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  staffA = await t.as('township', 'staff-a', { townshipId: A.township });
});
afterAll(async () => {
  await t.stop();
});

describe('a township staff member reads only their own township', () => {
  it('lists only their township, villages, cadres, assignments, problems, dispatches and reports', async () => {
    expect(ids(await staffA.get('/townships'))).toEqual([A.township]);
    expect(ids(await staffA.get('/villages'))).toEqual([A.village]);
    expect(ids(await staffA.get('/cadres'))).toEqual([A.cadre]);
    expect(ids(await staffA.get('/assignments'))).toEqual([A.assignment]);
    expect(ids(await staffA.get('/problems'))).toEqual([A.problem]);
    expect(ids(await staffA.get('/dispatches'))).toEqual([A.dispatch]);
    expect(ids(await staffA.get('/direct-reports'))).toEqual([A.report]);
    const coverage = await staffA.get('/coverage');
    expect(coverage.status).toBe(200);
    expect(JSON.stringify(coverage.body)).not.toContain(B.village);
  });

  it.each([
    ['GET /townships/{B}', () => `/townships/${B.township}`],
    ['GET /villages/{B}', () => `/villages/${B.village}`],
    ['GET /cadres/{B}', () => `/cadres/${B.cadre}`],
    ['GET /cadres/{B}/standing', () => `/cadres/${B.cadre}/standing`],
    ['GET /cadres/{B}/profile', () => `/cadres/${B.cadre}/profile`],
    ['GET /assignments/{B}', () => `/assignments/${B.assignment}`],
    ['GET /problems/{B}', () => `/problems/${B.problem}`],
    ['GET /dispatches/{B}', () => `/dispatches/${B.dispatch}`],
    ['GET /direct-reports/{B}', () => `/direct-reports/${B.report}`],
    ['GET /villages?townshipId=B', () => `/villages?townshipId=${B.township}`],
    ['GET /cadres?townshipId=B', () => `/cadres?townshipId=${B.township}`],
    ['GET /assignments?villageId=B', () => `/assignments?villageId=${B.village}`],
    ['GET /assignments?townshipId=B', () => `/assignments?townshipId=${B.township}`],
    ['GET /problems?townshipId=B', () => `/problems?townshipId=${B.township}`],
    ['GET /dispatches?townshipId=B', () => `/dispatches?townshipId=${B.township}`],
    ['GET /dispatches?villageId=B', () => `/dispatches?villageId=${B.village}`],
    ['GET /direct-reports?villageId=B', () => `/direct-reports?villageId=${B.village}`],
    ['GET /direct-reports?townshipId=B', () => `/direct-reports?townshipId=${B.township}`],
    ['GET /coverage?townshipId=B', () => `/coverage?townshipId=${B.township}`],
    ['GET /bulletins/{week}?townshipId=B', () => `/bulletins/${lastWeek}?townshipId=${B.township}`],
  ])('refuses %s with 403 in plain Chinese', async (_name, path) => {
    const res = await staffA.get(path());
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each([
    ['township', () => `/townships/${A.township}`],
    ['village', () => `/villages/${A.village}`],
    ['cadre', () => `/cadres/${A.cadre}`],
    ['standing', () => `/cadres/${A.cadre}/standing`],
    ['profile', () => `/cadres/${A.cadre}/profile`],
    ['assignment', () => `/assignments/${A.assignment}`],
    ['problem', () => `/problems/${A.problem}`],
    ['dispatch', () => `/dispatches/${A.dispatch}`],
    ['direct report', () => `/direct-reports/${A.report}`],
  ])('reads their own %s', async (_name, path) => {
    expect((await staffA.get(path())).status).toBe(200);
  });

  it('still refuses what only HQ does (roster writes, other townships’ notices, audit, jobs)', async () => {
    for (const [method, path] of [
      ['POST', '/townships'],
      ['POST', '/villages'],
      ['POST', '/assignments'],
      ['GET', `/notices?cadreId=${B.cadre}`],
      ['GET', '/audit'],
      ['POST', '/jobs/weekly-bulletin'],
    ] as const) {
      const res = await staffA.send(method, path, method === 'POST' ? '{}' : undefined, {
        'content-type': 'application/json',
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe('the bulletin and the board cut to the township', () => {
  it('gives a township staff member their township only, as HQ sees it with ?townshipId', async () => {
    const mine = await staffA.get(`/bulletins/${lastWeek}`);
    expect(mine.status).toBe(200);
    expect(mine.body.cadres.map((c: { cadreId: string }) => c.cadreId)).toEqual([A.cadre]);
    expect(mine.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([A.problem]);
    expect(mine.body.counts.cadres).toBe(1);
    expect(JSON.stringify(mine.body)).not.toContain(B.cadre);
    const hq = await admin.get(`/bulletins/${lastWeek}?townshipId=${A.township}`);
    expect(hq.body.cadres).toEqual(mine.body.cadres);
    expect(hq.body.counts).toEqual(mine.body.counts);
    const whole = await admin.get(`/bulletins/${lastWeek}`);
    expect(whole.body.counts.cadres).toBeGreaterThanOrEqual(2);
  });

  it('cuts the list of weeks to the township too', async () => {
    const list = await staffA.get('/bulletins');
    expect(list.status).toBe(200);
    const week = list.body.items.find((i: { week: string }) => i.week === lastWeek);
    expect(week.counts.cadres).toBe(1);
  });

  it('refuses an unknown township or district with a field error', async () => {
    const township = await admin.get(`/bulletins/${lastWeek}?townshipId=NOPE1`);
    expect(township.status).toBe(400);
    expect(township.body.error.fields[0]).toMatchObject({ path: 'query.townshipId', message: '乡镇不存在' });
    const district = await admin.get(`/bulletins/${lastWeek}?districtId=NOPE1`);
    expect(district.status).toBe(400);
    expect(district.body.error.fields[0]).toMatchObject({ path: 'query.districtId', message: '片区不存在' });
  });
});

describe('a township staff member dispatches within their township', () => {
  it('issues a numbered dispatch to a cadre in their own village (201)', async () => {
    const res = await staffA.post(
      '/dispatches',
      {
        title: '乡镇派单',
        category: '防汛抗旱',
        description: '检查水窖',
        deadline: deadline(),
        assignees: [{ cadreId: A.cadre, villageId: A.village }],
      },
      { 'idempotency-key': uid('township-dispatch-') },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.number).toMatch(/^派〔\d{4}〕\d+号$/);
  });

  it('refuses a dispatch that reaches another township (403) and writes nothing', async () => {
    const before = (await admin.get('/dispatches?limit=100')).body.items.length;
    const res = await staffA.post('/dispatches', {
      title: '越界派单',
      category: '防汛抗旱',
      description: '检查水窖',
      deadline: deadline(),
      assignees: [
        { cadreId: A.cadre, villageId: A.village },
        { cadreId: B.cadre, villageId: B.village },
      ],
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('只能向本乡镇的村派发任务');
    expect((await admin.get('/dispatches?limit=100')).body.items.length).toBe(before);
  });
});

describe('a township staff member acknowledges their township direct reports', () => {
  it('refuses another township report (403) and leaves it new', async () => {
    const res = await staffA.post(`/direct-reports/${B.report}/acknowledge`, {});
    expect(res.status).toBe(403);
    expect((await admin.get(`/direct-reports/${B.report}`)).body.status).toBe('new');
  });

  it('signs for their own, audited under their name', async () => {
    const res = await staffA.post(`/direct-reports/${A.report}/acknowledge`, { note: '已转乡水利站' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'staff-a' });
    const audit = await admin.get(`/audit?entityType=directReport&entityId=${A.report}`);
    expect(
      audit.body.items.some(
        (e: { action: string; actor: string }) => e.action === 'acknowledge' && e.actor === 'staff-a',
      ),
    ).toBe(true);
  });
});

describe('signing in as a township staff member', () => {
  it('needs a township on POST /local/token (400 with the field)', async () => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'staff-x', role: 'township' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: unknown[] } };
    expect(body.error.fields).toEqual([
      expect.objectContaining({ path: 'townshipId', message: '乡镇工作人员须指定所在乡镇' }),
    ]);
  });

  it('signs in with {sub, role: "township", townshipId} and reads that township', async () => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'staff-b', role: 'township', townshipId: B.township }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const villages = await fetch(`${t.url}/villages`, { headers: { authorization: `Bearer ${token}` } });
    expect(
      ((await villages.json()) as { items: { id: string }[] }).items.map((v: { id: string }) => v.id),
    ).toEqual([B.village]);
  });

  it('does not count the township role without a township claim (403 on every read)', async () => {
    const key = t.stack.token; // a token signed by the stack, but without custom:townshipId
    const bare = await key('staff-none', 'township');
    const res = await fetch(`${t.url}/villages`, { headers: { authorization: `Bearer ${bare}` } });
    expect(res.status).toBe(403);
  });

  it('refuses a forged township claim (401)', async () => {
    const forged = await new SignJWT({ 'cognito:groups': ['township'], 'custom:townshipId': B.township })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('intruder')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-local-signing-key-at-all!'));
    const res = await fetch(`${t.url}/villages`, { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });
});

describe('county-mode accounts for a township staff member and a leader', () => {
  const audit = { actor: 'test', roles: ['admin'], routeKey: 'test', requestId: 'r1' };

  it('opens a township account bound to its township, and a leader account bound to a cadre', async () => {
    const { createAccount } = await import('../../functions/accounts/service.ts');
    const { issueAccountToken } = await import('../../functions/accounts/tokens.ts');
    const made = await createAccount(
      { username: uid('xz-').toLowerCase(), role: 'township', townshipId: A.township },
      audit,
    );
    expect(made.account).toMatchObject({ role: 'township', townshipId: A.township, name: '甲乡工作人员' });
    const record = { ...made.account, sessionVersion: 1 };
    const { token } = await issueAccountToken(record, 60, new Date(), new Uint8Array(32));
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ 'cognito:groups': ['township'], 'custom:townshipId': A.township });
    const leader = await createAccount(
      { username: uid('ld-').toLowerCase(), role: 'leader', cadreId: A.cadre },
      audit,
    );
    expect(leader.account).toMatchObject({ role: 'leader', cadreId: A.cadre });
  });

  it.each([
    [{ role: 'township' }, 'body.townshipId', '乡镇账号须指定所在乡镇'],
    [{ role: 'township', townshipId: 'NOPE9' }, 'body.townshipId', '名册中没有这个乡镇'],
    [{ role: 'inspector', townshipId: 'NOPE9' }, 'body.townshipId', '只有乡镇账号才指定乡镇'],
    [{ role: 'leader' }, 'body.cadreId', '县级领导账号须指定花名册中的干部'],
  ])('refuses %j with a field message', async (fields, path, message) => {
    const { createAccount } = await import('../../functions/accounts/service.ts');
    await expect(
      createAccount({ username: uid('bad-').toLowerCase(), ...fields }, audit),
    ).rejects.toMatchObject({
      fields: [expect.objectContaining({ path, message })],
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/core/roles.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import {
  type ApiResponse,
  type Caller,
  startTestStack,
  type TestStack,
  uid,
} from '../support/local-stack.ts';

/**
 * Hostile and careless input: every case answers 4xx (never 500) and writes nothing. "Nothing
 * written" is proven twice: the entity cannot be read back, and the caller (a fresh user per case)
 * has no audit entry, since every write is audited.
 */
let t: TestStack;
let reader: Caller;
let townshipId: string;

beforeAll(async () => {
  t = await startTestStack();
  reader = await t.as('admin');
  townshipId = uid('T');
  expect((await reader.post('/townships', { id: townshipId, name: '加固乡' })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

async function expectNothingWrittenBy(caller: Caller): Promise<void> {
  const audit = await reader.get(`/audit?actor=${encodeURIComponent(caller.sub)}`);
  expect(audit.status).toBe(200);
  expect(audit.body.items).toEqual([]);
}

function expectRefused(res: ApiResponse, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  if (code) expect(res.body.error.code).toBe(code);
}

const nested = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const JSON_TYPE = { 'content-type': 'application/json' };
/** A deadline a month ahead: inside the window dates may take (2000-01-01 to a year from today). */
const DEADLINE = addDays(beijingDate(new Date()), 30);

describe('POST /townships refuses malformed bodies and writes nothing', () => {
  const id = 'HARD1';
  const cases: [string, (id: string) => string | Buffer, number, string][] = [
    ['bad JSON', (id) => `{"id":"${id}","name":`, 400, 'INVALID_JSON'],
    ['trailing garbage after JSON', (id) => `{"id":"${id}","name":"乡"} x`, 400, 'INVALID_JSON'],
    ['single-quoted JSON', (id) => `{'id':'${id}','name':'乡'}`, 400, 'INVALID_JSON'],
    ['an empty body', () => '', 400, 'EMPTY_BODY'],
    ['white space only', () => '   ', 400, 'INVALID_JSON'],
    ['an empty object', () => '{}', 400, 'VALIDATION_FAILED'],
    ['JSON null', () => 'null', 400, 'VALIDATION_FAILED'],
    ['a JSON array', (id) => `[{"id":"${id}","name":"乡"}]`, 400, 'VALIDATION_FAILED'],
    ['a JSON string', () => '"乡"', 400, 'VALIDATION_FAILED'],
    ['an unknown field', (id) => `{"id":"${id}","name":"乡","isAdmin":true}`, 400, 'VALIDATION_FAILED'],
    [
      'a body over 256 KB',
      (id) => `{"id":"${id}","name":"${'乡'.repeat(90_000)}"}`,
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['50 nested arrays', (id) => `{"id":"${id}","name":${nested(50, '[', ']')}}`, 400, 'TOO_DEEP'],
    ['50 nested objects', (id) => `{"id":"${id}","name":${nested(50, '{"a":', '}')}}`, 400, 'TOO_DEEP'],
    ['10,000 nested arrays', (id) => `{"id":"${id}","name":${nested(10_000, '[', ']')}}`, 400, 'TOO_DEEP'],
    [
      'a __proto__ key',
      (id) => `{"id":"${id}","name":"乡","__proto__":{"isAdmin":true}}`,
      400,
      'FORBIDDEN_KEY',
    ],
    [
      'a constructor key',
      (id) => `{"id":"${id}","name":"乡","constructor":{"prototype":{"isAdmin":true}}}`,
      400,
      'FORBIDDEN_KEY',
    ],
    ['a prototype key', (id) => `{"id":"${id}","name":"乡","prototype":{}}`, 400, 'FORBIDDEN_KEY'],
    ['a lone high surrogate', (id) => `{"id":"${id}","name":"乡\\ud800"}`, 400, 'INVALID_TEXT'],
    ['a lone low surrogate', (id) => `{"id":"${id}","name":"\\udc00乡"}`, 400, 'INVALID_TEXT'],
    ['a lone surrogate in a key', (id) => `{"id":"${id}","name":"乡","\\ud800":1}`, 400, 'INVALID_TEXT'],
    [
      'invalid UTF-8 bytes',
      (id) =>
        Buffer.concat([
          Buffer.from(`{"id":"${id}","name":"`),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}'),
        ]),
      400,
      'INVALID_ENCODING',
    ],
    [
      'an overlong UTF-8 encoding',
      (id) =>
        Buffer.concat([Buffer.from(`{"id":"${id}","name":"`), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      400,
      'INVALID_ENCODING',
    ],
    [
      'a name past 60 characters',
      (id) => `{"id":"${id}","name":"${'乡'.repeat(61)}"}`,
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a name of 100,000 characters',
      (id) => `{"id":"${id}","name":"${'a'.repeat(100_000)}"}`,
      400,
      'VALIDATION_FAILED',
    ],
    ['an id past 64 characters', () => `{"id":"${'A'.repeat(65)}","name":"乡"}`, 400, 'VALIDATION_FAILED'],
    ['a name that is a number', (id) => `{"id":"${id}","name":42}`, 400, 'VALIDATION_FAILED'],
  ];

  it.each(cases)('refuses %s', async (_case, body, status, code) => {
    const admin = await t.as('admin');
    const caseId = uid(id);
    const res = await admin.send('POST', '/townships', body(caseId), JSON_TYPE);
    expectRefused(res, status, code);
    expect((await reader.get(`/townships/${caseId}`)).status).toBe(404);
    await expectNothingWrittenBy(admin);
  });

  it('also refuses invalid UTF-8 sent without a content type', async () => {
    const admin = await t.as('admin');
    const caseId = uid(id);
    const body = Buffer.concat([
      Buffer.from(`{"id":"${caseId}","name":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await admin.send('POST', '/townships', body);
    expectRefused(res, 400, 'INVALID_ENCODING');
    await expectNothingWrittenBy(admin);
  });

  it('names the offending fields, in Chinese, for a name too long and an unknown field', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/townships', { id: uid(id), name: '乡'.repeat(61), colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'body.name', code: 'TOO_BIG' }),
        expect.objectContaining({ path: 'body.colour', code: 'UNKNOWN_FIELD' }),
      ]),
    );
    for (const field of res.body.error.fields) expect(field.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('keeps a __proto__ key from reaching any object: a later request is unaffected', async () => {
    const admin = await t.as('admin');
    await admin.send(
      'POST',
      '/townships',
      `{"id":"${uid(id)}","name":"乡","__proto__":{"polluted":"yes"}}`,
      JSON_TYPE,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ok = await admin.post('/townships', { id: uid(id), name: '正常乡' });
    expect(ok.status).toBe(201);
    expect(ok.body.polluted).toBeUndefined();
  });
});

describe('nested input is checked too', () => {
  it.each([
    [
      'a __proto__ key in the village profile',
      (id: string) =>
        `{"id":"${id}","name":"村","townshipId":"T","category":"deep","profile":{"__proto__":{"households":1}}}`,
      'FORBIDDEN_KEY',
    ],
    [
      'an unknown profile field',
      (id: string) => `{"id":"${id}","name":"村","townshipId":"T","category":"deep","profile":{"cows":3}}`,
      'VALIDATION_FAILED',
    ],
    [
      'a negative household count',
      (id: string) =>
        `{"id":"${id}","name":"村","townshipId":"T","category":"deep","profile":{"households":-1}}`,
      'VALIDATION_FAILED',
    ],
    [
      'a fractional household count',
      (id: string) =>
        `{"id":"${id}","name":"村","townshipId":"T","category":"deep","profile":{"households":1.5}}`,
      'VALIDATION_FAILED',
    ],
    [
      'a household count as text',
      (id: string) =>
        `{"id":"${id}","name":"村","townshipId":"T","category":"deep","profile":{"households":"12"}}`,
      'VALIDATION_FAILED',
    ],
  ])('POST /villages refuses %s', async (_case, body, code) => {
    const admin = await t.as('admin');
    const id = uid('V');
    const res = await admin.send('POST', '/villages', body(id).replace('"T"', `"${townshipId}"`), JSON_TYPE);
    expectRefused(res, 400, code);
    expect((await reader.get(`/villages/${id}`)).status).toBe(404);
    await expectNothingWrittenBy(admin);
  });
});

describe('arrays past their maximum', () => {
  it('POST /dispatches refuses 501 assignees (400) and writes nothing', async () => {
    const admin = await t.as('admin');
    const assignees = Array.from({ length: 501 }, (_, i) => ({ cadreId: `C${i}`, villageId: `V${i}` }));
    const res = await admin.post('/dispatches', {
      title: '防汛检查',
      category: '防汛抗旱',
      description: '检查水窖',
      deadline: DEADLINE,
      assignees,
    });
    expectRefused(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'body.assignees', code: 'TOO_BIG' })]),
    );
    await expectNothingWrittenBy(admin);
  });

  it('POST /inspections refuses 201 findings (400) and writes nothing', async () => {
    const inspector = await t.as('inspector');
    const findings = Array.from({ length: 201 }, (_, i) => ({
      cadreId: `C${i}`,
      present: true,
      problems: [],
    }));
    const res = await inspector.post('/inspections', {
      villageId: 'V1',
      date: '2026-11-24',
      mode: 'open',
      findings,
    });
    expectRefused(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'body.findings', code: 'TOO_BIG' })]),
    );
    await expectNothingWrittenBy(inspector);
  });
});

describe('dates and times', () => {
  const dispatch = (deadline: string) => ({
    title: '防汛检查',
    category: '防汛抗旱',
    description: '检查水窖',
    deadline,
    assignees: [{ cadreId: 'C1', villageId: 'V1' }],
  });

  it.each([
    ['a day that does not exist', '2026-02-30'],
    ['February 29 in a common year', '2027-02-29'],
    ['a month 13', '2026-13-01'],
    ['a datetime without an offset', '2026-11-24T10:00:00'],
    ['an offset past ±14:00', '2026-11-24T10:00:00+25:00'],
    ['a day that does not exist, with an offset', '2026-02-30T10:00:00+08:00'],
    ['an hour 24', '2026-11-24T24:00:00+08:00'],
    ['a slash-separated date', '2026/11/24'],
    ['words', 'next Friday'],
    ['an empty string', ''],
  ])('POST /dispatches refuses a deadline that is %s (400 on body.deadline)', async (_case, deadline) => {
    const admin = await t.as('admin');
    const res = await admin.post('/dispatches', dispatch(deadline));
    expectRefused(res, 400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.deadline');
    await expectNothingWrittenBy(admin);
  });

  it.each([
    ['a day that does not exist', '2026-02-30'],
    ['a datetime', '2026-11-24T10:00:00+08:00'],
    ['a datetime without an offset', '2026-11-24T10:00:00'],
  ])('POST /inspections refuses a date that is %s (400 on body.date)', async (_case, date) => {
    const inspector = await t.as('inspector');
    const res = await inspector.post('/inspections', {
      villageId: 'V1',
      date,
      mode: 'open',
      findings: [{ cadreId: 'C1', present: true, problems: [] }],
    });
    expectRefused(res, 400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.date');
    await expectNothingWrittenBy(inspector);
  });

  it.each([
    ['/direct-reports?from=2026-02-30', 'query.from'],
    ['/direct-reports?to=2026-11-24T10:00:00', 'query.to'],
    ['/inspections?from=2026-02-30', 'query.from'],
    ['/problems?to=2026-13-01', 'query.to'],
  ])('GET %s is refused (400 on %s)', async (path, field) => {
    const res = await reader.get(path);
    expectRefused(res, 400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  });
});

describe('ids that do not exist', () => {
  const PATH_CASES: [Role, string, string, unknown][] = [
    ['admin', 'GET', '/townships/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/villages/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/cadres/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/assignments/NO-SUCH-ID', undefined],
    ['admin', 'POST', '/assignments/NO-SUCH-ID/end', {}],
    ['admin', 'GET', '/dispatches/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/inspections/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/problems/NO-SUCH-ID', undefined],
    ['admin', 'GET', '/direct-reports/NO-SUCH-ID', undefined],
    ['admin', 'POST', '/direct-reports/NO-SUCH-ID/acknowledge', {}],
    ['inspector', 'POST', '/problems/NO-SUCH-ID/verifications', { outcome: 'accepted', note: '已整改' }],
  ];

  it.each(PATH_CASES)('as %s, %s %s answers 404', async (role, method, path, body) => {
    const caller = await t.as(role);
    const res = method === 'GET' ? await caller.get(path) : await caller.post(path, body);
    expectRefused(res, 404);
    await expectNothingWrittenBy(caller);
  });

  it.each([
    ['cadre', '/problems/NO-SUCH-ID/rectifications', { note: '已整改' }],
    ['cadre', '/dispatches/NO-SUCH-ID/reports', { status: 'done', note: '已完成' }],
  ] as const)('as %s, POST %s answers 404', async (role, path, body) => {
    const caller = await t.as(role, uid('C'));
    const res = await caller.post(path, body);
    expectRefused(res, 404);
    await expectNothingWrittenBy(caller);
  });

  it.each([
    [
      'admin',
      '/villages',
      () => ({ id: uid('V'), name: '村', townshipId: 'NO-SUCH-ID', category: 'deep' }),
      'body.townshipId',
    ],
    [
      'admin',
      '/cadres',
      () => ({ id: uid('C'), name: '张三', unit: '县委办', rank: 'staff', townshipId: 'NO-SUCH-ID' }),
      'body.townshipId',
    ],
    [
      'admin',
      '/assignments',
      () => ({ cadreId: 'NO-SUCH-ID', villageId: 'NO-SUCH-ID', role: 'chief' }),
      'body.cadreId',
    ],
    [
      'admin',
      '/dispatches',
      () => ({
        title: '任务',
        category: '防汛',
        description: '内容',
        deadline: DEADLINE,
        assignees: [{ cadreId: 'NO-SUCH-ID', villageId: 'NO-SUCH-ID' }],
      }),
      'body.assignees.0.cadreId',
    ],
    [
      'inspector',
      '/inspections',
      () => ({
        villageId: 'NO-SUCH-ID',
        date: '2026-01-05',
        mode: 'open',
        findings: [{ cadreId: 'NO-SUCH-ID', present: true, problems: [] }],
      }),
      'body.villageId',
    ],
    [
      'cadre',
      '/direct-reports',
      () => ({ villageId: 'NO-SUCH-ID', kind: 'situation', summary: '情况' }),
      'body.villageId',
    ],
  ] as const)(
    'as %s, POST %s with an unknown id in the body answers 400 UNKNOWN_REFERENCE',
    async (role, path, body, field) => {
      const caller = await t.as(role);
      const res = await caller.post(path, body());
      expectRefused(res, 400);
      expect(res.body.error.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: field, code: 'UNKNOWN_REFERENCE' })]),
      );
      await expectNothingWrittenBy(caller);
    },
  );
});

describe('list paging parameters', () => {
  /** Every paginated list, found from the route table so new lists are covered automatically. */
  const lists = allRoutes().filter((r) => {
    // Query schemas are declared lazily (built on first use): read the object a lazy one wraps.
    const query = r.query as { _zod: { def: { type: string }; innerType?: unknown } } | undefined;
    const object = query?._zod.def.type === 'lazy' ? query._zod.innerType : query;
    const shape = (object as { shape?: Record<string, unknown> } | undefined)?.shape;
    return (
      r.method === 'GET' &&
      !r.path.includes('{') &&
      r.roles !== 'public' &&
      shape !== undefined &&
      'limit' in shape
    );
  });
  /** Query parameters a list needs before paging applies. */
  const REQUIRED: Record<string, string> = { '/audit': 'actor=someone&' };

  it('finds the paginated lists', () => {
    expect(lists.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/townships', '/villages', '/cadres', '/direct-reports', '/audit']),
    );
  });

  it.each(
    lists.flatMap((r) => [
      [r.path, 'limit=0', 'query.limit'],
      [r.path, 'limit=1000', 'query.limit'],
      [r.path, 'limit=-1', 'query.limit'],
      [r.path, 'limit=2.5', 'query.limit'],
      [r.path, 'limit=ten', 'query.limit'],
    ]),
  )('GET %s?%s answers 400 on %s', async (path, query, field) => {
    const route = lists.find((r) => r.path === path)!;
    const caller = await t.as((route.roles as Role[])[0]!);
    const res = await caller.get(`${path}?${REQUIRED[path] ?? ''}${query}`);
    expectRefused(res, 400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  });

  it.each(
    lists.flatMap((r) => [
      [r.path, 'garbage'],
      [r.path, 'eyJzIjoieCIsImsiOnsiUEsiOiJ4In19'], // well-formed JSON, wrong scope
      [r.path, Buffer.from(JSON.stringify({ s: 'x', k: { PK: 'TSHP#1', SK: 'A' } })).toString('base64url')],
    ]),
  )('GET %s answers 400 INVALID_CURSOR for the cursor %s', async (path, cursor) => {
    const route = lists.find((r) => r.path === path)!;
    const caller = await t.as((route.roles as Role[])[0]!);
    const res = await caller.get(`${path}?${REQUIRED[path] ?? ''}next=${encodeURIComponent(cursor)}`);
    expectRefused(res, 400, 'INVALID_CURSOR');
  });

  it('accepts the largest page, limit=100', async () => {
    expect((await reader.get('/townships?limit=100')).status).toBe(200);
  });
});

describe('names', () => {
  it('are trimmed, inner white space collapsed, and stored NFC-composed', async () => {
    const id = uid('T');
    const decomposed = '  Cafe\u0301   乡  ';
    const res = await reader.post('/townships', { id, name: decomposed });
    expect(res.status).toBe(201);
    const stored = (await reader.get(`/townships/${id}`)).body.name as string;
    expect(stored).toBe('Caf\u00e9 乡');
    expect(stored.normalize('NFC')).toBe(stored);
    expect(stored).not.toContain('\u0301');
  });

  it('count their length after normalising, so 60 composed characters fit even when sent decomposed', async () => {
    const res = await reader.post('/townships', { id: uid('T'), name: 'e\u0301'.repeat(60) });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('\u00e9'.repeat(60));
  });

  it('normalise the same way for cadres', async () => {
    const id = uid('C');
    const res = await reader.post('/cadres', {
      id,
      name: ' Jose\u0301 ',
      unit: ' 县\u3000水务局 ',
      rank: 'staff',
    });
    expect(res.status).toBe(201);
    expect((await reader.get(`/cadres/${id}`)).body).toMatchObject({ name: 'Jos\u00e9', unit: '县 水务局' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import type { Role } from '../../functions/core/roles.ts';
import { DEFAULT_RULE_SET } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { DATE_RANGE_MESSAGE, latestDate } from '../../functions/schemas/common.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import {
  type ApiResponse,
  type Caller,
  startTestStack,
  type TestStack,
  uid,
} from '../support/local-stack.ts';

/**
 * Bad input found from outside (issue 8), each a 4xx and never a 500, and nothing written: dates
 * outside 2000-01-01 … a year from today, control characters in text, a path that is not valid
 * percent-encoding, static file names that are Object.prototype's, forged page cursors, and what a
 * cadre may read of the other assignees on a dispatch.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
const tid = uid('T');
const v1 = uid('V');
const v2 = uid('V');
const cadreA = uid('CA');
const cadreB = uid('CB');
const today = beijingDate(new Date());
const TOO_EARLY = '1999-12-31';
/** The first day past the window (the window itself is read at each request, like the server does). */
const tooLate = (): string => addDays(latestDate(), 1);
let assignmentId: string;
let problemId: string;
let directReportId: string;
let dispatch: { id: string };

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: tid, name: '界岭乡' }],
    ['/villages', { id: v1, name: '上坪村', townshipId: tid, category: 'general' }],
    ['/villages', { id: v2, name: '下坪村', townshipId: tid, category: 'deep' }],
    ['/cadres', { id: cadreA, name: '赵一', unit: '县水务局', rank: 'section', townshipId: tid }],
    ['/cadres', { id: cadreB, name: '钱二', unit: '县农业农村局', rank: 'staff', townshipId: tid }],
  ]);
  const assignment = await admin.post('/assignments', { cadreId: cadreA, villageId: v1, role: 'chief' });
  expect(assignment.status).toBe(201);
  assignmentId = assignment.body.id;
  expect((await admin.post('/assignments', { cadreId: cadreB, villageId: v2, role: 'chief' })).status).toBe(
    201,
  );
  const inspection = await inspector.post('/inspections', {
    villageId: v1,
    date: today,
    mode: 'open',
    findings: [
      { cadreId: cadreA, present: true, problems: [{ description: '台账不全', severity: 'minor' }] },
    ],
  });
  expect(inspection.status).toBe(201);
  problemId = inspection.body.findings[0].problemIds[0];
  const report = await (await t.as('cadre', cadreA)).post('/direct-reports', {
    villageId: v1,
    kind: 'situation',
    summary: '村道塌方',
  });
  expect(report.status).toBe(201);
  directReportId = report.body.id;
  dispatch = await issueDispatch(admin, [
    { cadreId: cadreA, villageId: v1 },
    { cadreId: cadreB, villageId: v2 },
  ]);
});
afterAll(async () => {
  await t?.stop();
});

/** Every write is audited: a caller with no audit entry wrote nothing. */
async function auditCount(sub: string): Promise<number> {
  const res = await admin.get(`/audit?actor=${encodeURIComponent(sub)}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.length;
}

function expect400(res: ApiResponse, code = 'VALIDATION_FAILED'): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
}

function expectField(res: ApiResponse, path: string, code: string): void {
  expect400(res);
  expect(res.body.error.fields).toContainEqual(expect.objectContaining({ path, code }));
}

/** Plain Chinese for people: no enum codes, no English words. */
function expectPlainChinese(res: ApiResponse): void {
  for (const field of res.body.error.fields) {
    expect(field.message).toMatch(/[\u4e00-\u9fff]/);
    expect(field.message).not.toMatch(/[A-Za-z]/);
  }
}

describe('dates: from 2000-01-01 to a year from today, never a 500', () => {
  it('POST /major-failures with the date 0000-01-01 answers 400 on body.date, in plain Chinese, and writes nothing', async () => {
    const caller = await t.as('admin');
    const res = await caller.post('/major-failures', {
      type: 'drinking_water_loss',
      villageId: v1,
      cadreIds: [cadreA],
      date: '0000-01-01',
      description: '停水',
    });
    expectField(res, 'body.date', 'DATE_OUT_OF_RANGE');
    expect(res.body.error.fields).toEqual([
      { path: 'body.date', code: 'DATE_OUT_OF_RANGE', message: DATE_RANGE_MESSAGE },
    ]);
    expectPlainChinese(res);
    expect(await auditCount(caller.sub)).toBe(0);
    expect((await admin.get(`/major-failures?villageId=${v1}`)).body.items).toEqual([]);
  });

  it('GET /major-failures?from=0000-01-01&to=9999-12-31 answers 400 on both bounds, in plain Chinese', async () => {
    const res = await admin.get('/major-failures?from=0000-01-01&to=9999-12-31');
    expect400(res);
    expect(res.body.error.fields).toEqual([
      { path: 'query.from', code: 'DATE_OUT_OF_RANGE', message: DATE_RANGE_MESSAGE },
      { path: 'query.to', code: 'DATE_OUT_OF_RANGE', message: DATE_RANGE_MESSAGE },
    ]);
    expectPlainChinese(res);
  });

  const { version: _version, ...ruleSetInput } = DEFAULT_RULE_SET;
  const WRITES: [string, Role, string, (date: string) => unknown, string][] = [
    [
      'an inspection date',
      'inspector',
      '/inspections',
      (date) => ({ villageId: v1, date, mode: 'open', findings: [{ cadreId: cadreA, present: true }] }),
      'body.date',
    ],
    [
      'a problem’s rectification deadline',
      'inspector',
      '/inspections',
      (date) => ({
        villageId: v1,
        date: today,
        mode: 'spot',
        findings: [
          {
            cadreId: cadreA,
            present: true,
            problems: [{ description: '未整改', severity: 'minor', rectifyBy: date }],
          },
        ],
      }),
      'body.findings.0.problems.0.rectifyBy',
    ],
    [
      'a dispatch deadline given as a date',
      'admin',
      '/dispatches',
      (date) => ({
        title: '秋收',
        category: '农业',
        description: '组织秋收',
        deadline: date,
        assignees: [{ cadreId: cadreA, villageId: v1 }],
      }),
      'body.deadline',
    ],
    [
      'a dispatch deadline given as a time',
      'admin',
      '/dispatches',
      (date) => ({
        title: '秋收',
        category: '农业',
        description: '组织秋收',
        deadline: `${date}T12:00:00+08:00`,
        assignees: [{ cadreId: cadreA, villageId: v1 }],
      }),
      'body.deadline',
    ],
    [
      'a major failure date',
      'inspector',
      '/major-failures',
      (date) => ({ type: 'water_dispute', villageId: v1, cadreIds: [cadreA], date, description: '争水' }),
      'body.date',
    ],
    [
      'an assignment start',
      'admin',
      '/assignments',
      (date) => ({ cadreId: cadreB, villageId: v1, role: 'member', from: date }),
      'body.from',
    ],
    ['an assignment end', 'admin', '/assignments/{assignment}/end', (date) => ({ to: date }), 'body.to'],
    [
      'a rule set’s first Monday',
      'admin',
      '/rules',
      (date) => ({ ...ruleSetInput, effectiveFrom: date }),
      'body.effectiveFrom',
    ],
  ];

  it.each(
    WRITES.flatMap(([what, role, path, body, field]) => [
      [what, 'before 2000', role, path, body, field, (): string => TOO_EARLY] as const,
      [what, 'past a year from today', role, path, body, field, tooLate] as const,
    ]),
  )(
    'refuses %s %s (400 DATE_OUT_OF_RANGE) and writes nothing',
    async (_what, _when, role, path, body, field, date) => {
      const caller = await t.as(role);
      const res = await caller.post(path.replace('{assignment}', assignmentId), body(date()));
      expectField(res, field, 'DATE_OUT_OF_RANGE');
      expect(await auditCount(caller.sub)).toBe(0);
    },
  );

  const LISTS: [Role, string][] = [
    ['admin', '/inspections'],
    ['admin', '/problems'],
    ['admin', '/dispatches'],
    ['admin', '/direct-reports'],
    ['admin', '/major-failures'],
  ];

  it.each(
    LISTS.flatMap(([role, path]) => [
      [role, path, (): string => `from=${TOO_EARLY}`, 'query.from'],
      [role, path, (): string => `to=${tooLate()}`, 'query.to'],
      [role, path, (): string => 'from=0000-01-01&to=9999-12-31', 'query.to'],
    ]),
  )(
    'as %s, GET %s refuses a bound outside the window (400 on the bound)',
    async (role, path, query, field) => {
      const res = await (await t.as(role)).get(`${path}?${query()}`);
      expectField(res, field, 'DATE_OUT_OF_RANGE');
      expectPlainChinese(res);
    },
  );

  it.each(LISTS)(
    'as %s, GET %s takes the widest range: 2000-01-01 to a year from today',
    async (role, path) => {
      const res = await (await t.as(role)).get(`${path}?from=2000-01-01&to=${latestDate()}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    },
  );

  it('GET /assignments?on= refuses a day outside the window', async () => {
    expectField(
      await admin.get(`/assignments?villageId=${v1}&on=${tooLate()}`),
      'query.on',
      'DATE_OUT_OF_RANGE',
    );
    expectField(
      await admin.get(`/assignments?villageId=${v1}&on=0000-01-01`),
      'query.on',
      'DATE_OUT_OF_RANGE',
    );
  });

  it('weeks too: GET /bulletins/9999-W01 and GET /bulletins?to=9999-W01 answer 400', async () => {
    expectField(await admin.get('/bulletins/9999-W01'), 'params.week', 'DATE_OUT_OF_RANGE');
    expectField(await admin.get('/bulletins?to=9999-W01'), 'query.to', 'DATE_OUT_OF_RANGE');
    expect((await admin.get('/bulletins/0000-W01')).status).toBe(400);
  });

  it('a deadline on the last day of the window is accepted', async () => {
    const res = await admin.post('/dispatches', {
      title: '明年春耕准备',
      category: '农业',
      description: '提前备种',
      deadline: latestDate(),
      assignees: [{ cadreId: cadreA, villageId: v1 }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('control characters in text: refused, except line breaks and tabs', () => {
  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['backspace', '\u0008'],
    ['a vertical tab', '\u000b'],
    ['a form feed', '\u000c'],
    ['ESC (a terminal colour code)', '\u001b[31m'],
    ['unit separator', '\u001f'],
    ['DEL', '\u007f'],
    ['a C1 next-line', '\u0085'],
    ['a C1 CSI', '\u009b'],
  ])(
    'POST /townships refuses a name with %s (400 CONTROL_CHARACTER) and writes nothing',
    async (_what, ch) => {
      const caller = await t.as('admin');
      const id = uid('T');
      const res = await caller.post('/townships', { id, name: `青${ch}石乡` });
      expectField(res, 'body.name', 'CONTROL_CHARACTER');
      expect(res.body.error.fields).toContainEqual({
        path: 'body.name',
        code: 'CONTROL_CHARACTER',
        message: '不能包含控制字符',
      });
      expect((await admin.get(`/townships/${id}`)).status).toBe(404);
      expect(await auditCount(caller.sub)).toBe(0);
    },
  );

  const BAD = '情况\u0000说明';
  const inspection = (over: Record<string, unknown>, finding: Record<string, unknown> = {}) => ({
    villageId: v1,
    date: today,
    mode: 'open',
    findings: [{ cadreId: cadreA, present: true, ...finding }],
    ...over,
  });
  const FIELDS: [Role, string | undefined, string, () => unknown, string][] = [
    [
      'admin',
      undefined,
      '/cadres',
      () => ({ id: uid('C'), name: '孙三', unit: `县${BAD}`, rank: 'staff' }),
      'body.unit',
    ],
    [
      'admin',
      undefined,
      '/dispatches',
      () => ({
        title: BAD,
        category: '农业',
        description: '内容',
        deadline: addDays(today, 3),
        assignees: [{ cadreId: cadreA, villageId: v1 }],
      }),
      'body.title',
    ],
    [
      'admin',
      undefined,
      '/dispatches',
      () => ({
        title: '标题',
        category: '农业',
        description: BAD,
        deadline: addDays(today, 3),
        assignees: [{ cadreId: cadreA, villageId: v1 }],
      }),
      'body.description',
    ],
    [
      'cadre',
      cadreA,
      '/dispatches/{dispatch}/reports',
      () => ({ status: 'in_progress', note: BAD, villageId: v1 }),
      'body.note',
    ],
    [
      'cadre',
      cadreA,
      '/direct-reports',
      () => ({ villageId: v1, kind: 'situation', summary: BAD }),
      'body.summary',
    ],
    [
      'cadre',
      cadreA,
      '/direct-reports',
      () => ({ villageId: v1, kind: 'situation', summary: '摘要', details: BAD }),
      'body.details',
    ],
    ['admin', undefined, '/direct-reports/{directReport}/acknowledge', () => ({ note: BAD }), 'body.note'],
    ['inspector', undefined, '/inspections', () => inspection({ note: BAD }), 'body.note'],
    ['inspector', undefined, '/inspections', () => inspection({}, { note: BAD }), 'body.findings.0.note'],
    [
      'inspector',
      undefined,
      '/inspections',
      () => inspection({}, { problems: [{ description: BAD, severity: 'minor' }] }),
      'body.findings.0.problems.0.description',
    ],
    ['cadre', cadreA, '/problems/{problem}/rectifications', () => ({ note: BAD }), 'body.note'],
    [
      'inspector',
      undefined,
      '/problems/{problem}/verifications',
      () => ({ outcome: 'rejected', note: BAD }),
      'body.note',
    ],
    [
      'admin',
      undefined,
      '/major-failures',
      () => ({ type: 'water_dispute', villageId: v1, cadreIds: [cadreA], date: today, description: BAD }),
      'body.description',
    ],
    [
      'admin',
      undefined,
      '/assignments',
      () => ({ cadreId: cadreB, villageId: v1, role: 'member', note: BAD }),
      'body.note',
    ],
    ['admin', undefined, '/assignments/{assignment}/end', () => ({ reason: BAD }), 'body.reason'],
    [
      'admin',
      undefined,
      '/recipients',
      () => ({ name: '李四', email: `${uid('r')}@example.cn`, title: BAD, scope: 'county' }),
      'body.title',
    ],
  ];

  it.each(FIELDS)('as %s (%s), POST %s refuses it in %s', async (role, sub, path, body, field) => {
    const caller = await t.as(role, sub);
    const before = await auditCount(caller.sub);
    const res = await caller.post(
      path
        .replace('{dispatch}', dispatch.id)
        .replace('{directReport}', directReportId)
        .replace('{problem}', problemId)
        .replace('{assignment}', assignmentId),
      body(),
    );
    expectField(res, field, 'CONTROL_CHARACTER');
    expect(await auditCount(caller.sub)).toBe(before);
  });

  it('keeps line breaks and tabs, and stores a CRLF or CR line break as LF', async () => {
    const d = await issueDispatch(admin, [{ cadreId: cadreA, villageId: v1 }], {
      description: '第一条\r\n第二条\t（附表）\r第三条',
    });
    expect((await admin.get(`/dispatches/${d.id}`)).body.description).toBe(
      '第一条\n第二条\t（附表）\n第三条',
    );
  });
});

describe('a path that is not valid percent-encoding', () => {
  it.each([
    ['admin', 'GET', '/problems/%E0%A4%A'],
    ['admin', 'GET', '/townships/%E0%A4%A'],
    ['admin', 'GET', '/dispatches/%'],
    ['cadre', 'POST', '/problems/%E0%A4%A/rectifications'],
    ['admin', 'POST', '/assignments/%C0%AF%ZZ/end'],
  ] as const)('as %s, %s %s answers 400 (not 500) and writes nothing', async (role, method, path) => {
    const caller = await t.as(role);
    const res =
      method === 'GET' ? await caller.get(path) : await caller.post(path, { note: '已整改', reason: '调动' });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(await auditCount(caller.sub)).toBe(0);
  });

  it.each(['/app/%E0%A4%A', '/app/static/%E0%A4%A', '/app/cadre/dispatches/%E0%A4%A'])(
    'GET %s answers 400 or 404, never 500',
    async (path) => {
      const res = await t.anonymous().get(path);
      expect([400, 404]).toContain(res.status);
    },
  );
});

describe('static files are looked up by their own names only', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'GET /app/static/%s answers 404',
    async (name) => {
      const res = await t.anonymous().get(`/app/static/${name}`);
      expect(res.status).toBe(404);
    },
  );

  it('still serves a real asset', async () => {
    const page = await t.anonymous().get('/app/login');
    const css = /href="(\/app\/static\/app\.[^"]+\.css)"/.exec(String(page.body))?.[1];
    expect(css).toBeDefined();
    expect((await t.anonymous().get(css!)).status).toBe(200);
  });
});

describe('forged page cursors: 400 INVALID_CURSOR, never a 500, never another partition', () => {
  type Cursor = { s: string; k: Record<string, unknown> };
  const decode = (next: string) => JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as Cursor;
  const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
  const forge = (next: string, change: (k: Record<string, unknown>) => void) => {
    const cursor = decode(next);
    change(cursor.k);
    return encode(cursor);
  };
  const expectBadCursor = (res: ApiResponse) => {
    expect400(res, 'INVALID_CURSOR');
    expect(res.body.error.fields).toEqual([
      { path: 'query.next', code: 'INVALID_CURSOR', message: '分页参数无效' },
    ]);
  };

  let firstVillageFailure: string;
  beforeAll(async () => {
    for (const date of [today, addDays(today, -1), addDays(today, -2)]) {
      const res = await admin.post('/major-failures', {
        type: 'water_dispute',
        villageId: v2,
        cadreIds: [cadreB],
        date,
        description: '争水纠纷',
      });
      expect(res.status).toBe(201);
      if (date === today) firstVillageFailure = res.body.id;
    }
    // Cadre A has two dispatches at least, cadre B one of their own besides.
    await issueDispatch(admin, [{ cadreId: cadreA, villageId: v1 }], { daysAhead: 8 });
    await issueDispatch(admin, [{ cadreId: cadreA, villageId: v1 }], { daysAhead: 9 });
    await issueDispatch(admin, [{ cadreId: cadreB, villageId: v2 }], { daysAhead: 9 });
  });

  it('a genuine cursor pages on', async () => {
    const first = await admin.get(`/major-failures?villageId=${v2}&limit=1`);
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual([firstVillageFailure]);
    const second = await admin.get(`/major-failures?villageId=${v2}&limit=1&next=${first.body.next}`);
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(firstVillageFailure);
  });

  it.each([
    [
      'another village’s partition',
      (k: Record<string, unknown>) => (k.GSI3PK = keys.villageMajorFailures(v1)),
    ],
    ['the table’s list partition', (k: Record<string, unknown>) => (k.GSI3PK = keys.majorFailureList())],
    [
      'a key attribute of another index',
      (k: Record<string, unknown>) => (k.GSI1PK = keys.majorFailureList()),
    ],
    ['the table key missing', (k: Record<string, unknown>) => delete k.SK],
    ['an index key missing', (k: Record<string, unknown>) => delete k.GSI3SK],
    ['an empty key', (k: Record<string, unknown>) => (k.GSI3SK = '')],
    ['a number for a key', (k: Record<string, unknown>) => (k.PK = 7)],
  ])('GET /major-failures?villageId= refuses a cursor with %s', async (_what, change) => {
    const first = await admin.get(`/major-failures?villageId=${v2}&limit=1`);
    const res = await admin.get(
      `/major-failures?villageId=${v2}&limit=1&next=${forge(first.body.next, change)}`,
    );
    expectBadCursor(res);
  });

  it('refuses a cursor whose sort key lies outside the date range asked for', async () => {
    const query = `villageId=${v2}&from=${addDays(today, -1)}&to=${today}&limit=1`;
    const first = await admin.get(`/major-failures?${query}`);
    expect(first.body.next).toBeDefined();
    const outside = forge(first.body.next, (k) => {
      k.GSI3SK = `${addDays(today, -30)}#x`;
    });
    expectBadCursor(await admin.get(`/major-failures?${query}&next=${outside}`));
  });

  it('a cadre cannot page into another cadre’s dispatches with a cursor of their own', async () => {
    const cadre = await t.as('cadre', cadreA);
    const first = await cadre.get('/dispatches?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.next).toBeDefined();
    const genuine = await cadre.get(`/dispatches?limit=1&next=${first.body.next}`);
    expect(genuine.status).toBe(200);
    for (const item of genuine.body.items) expect(item.cadreId).toBe(cadreA);
    const forged = forge(first.body.next, (k) => {
      k.GSI1PK = keys.cadreDispatches(cadreB);
    });
    expectBadCursor(await cadre.get(`/dispatches?limit=1&next=${forged}`));
  });

  it('refuses a forged inner cursor in the lists that chain several queries (/problems, /assignments)', async () => {
    const inner = encode({ s: 'x', k: { PK: 'TSHPS', SK: 'A' } });
    expectBadCursor(await admin.get(`/problems?next=0.${inner}`));
    expectBadCursor(await admin.get(`/problems?next=9.${inner}`));
    const across = Buffer.from(JSON.stringify({ s: 'x', p: 0, c: inner })).toString('base64url');
    expectBadCursor(await admin.get(`/assignments?next=${across}`));
  });

  it.each([
    ['a huge string', 'A'.repeat(5000)],
    ['a long base64 string', Buffer.from('{"s":"'.padEnd(2000, 'x')).toString('base64url')],
    ['characters outside base64url', 'ab+/cd=='],
    ['JSON that is not an object', Buffer.from('[1,2]').toString('base64url')],
    [
      'a key with a thousand attributes',
      encode({ s: 'x', k: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`a${i}`, 'x'])) }),
    ],
  ])('GET /townships refuses %s (400, never 500)', async (_what, cursor) => {
    const res = await admin.get(`/townships?next=${encodeURIComponent(cursor)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.fields).toContainEqual(
      expect.objectContaining({ path: 'query.next', code: 'INVALID_CURSOR' }),
    );
  });
});

describe('a dispatch read by a cadre shows the others’ progress, not their notes', () => {
  let d: { id: string };
  beforeAll(async () => {
    d = await issueDispatch(admin, [
      { cadreId: cadreA, villageId: v1 },
      { cadreId: cadreB, villageId: v2 },
    ]);
    const a = await t.as('cadre', cadreA);
    const b = await t.as('cadre', cadreB);
    expect(
      (await a.post(`/dispatches/${d.id}/reports`, { status: 'in_progress', note: '甲：已走访十户' })).status,
    ).toBe(201);
    expect(
      (await b.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '乙：水窖已修好' })).status,
    ).toBe(201);
  });

  it('cadre A sees B’s status and times, but only A’s own notes and reports', async () => {
    const res = await (await t.as('cadre', cadreA)).get(`/dispatches/${d.id}`);
    expect(res.status).toBe(200);
    const [mine, other] = res.body.assignees;
    expect(mine).toMatchObject({ cadreId: cadreA, status: 'in_progress', lastNote: '甲：已走访十户' });
    expect(other).toMatchObject({ cadreId: cadreB, status: 'done', lastNote: null });
    expect(other.lastReportAt).toEqual(expect.any(String));
    expect(other.doneAt).toEqual(expect.any(String));
    expect(res.body.reports.map((r: { cadreId: string }) => r.cadreId)).toEqual([cadreA]);
    expect(JSON.stringify(res.body)).not.toContain('水窖已修好');
  });

  it('cadre B likewise sees only B’s notes', async () => {
    const res = await (await t.as('cadre', cadreB)).get(`/dispatches/${d.id}`);
    expect(res.body.assignees[0]).toMatchObject({ cadreId: cadreA, status: 'in_progress', lastNote: null });
    expect(res.body.assignees[1]).toMatchObject({ cadreId: cadreB, lastNote: '乙：水窖已修好' });
    expect(JSON.stringify(res.body)).not.toContain('已走访十户');
  });

  it.each(['admin', 'inspector'] as const)('%s sees every note and report', async (role) => {
    const res = await (await t.as(role)).get(`/dispatches/${d.id}`);
    expect(res.body.assignees.map((a: { lastNote: string }) => a.lastNote)).toEqual([
      '甲：已走访十户',
      '乙：水窖已修好',
    ]);
    expect(res.body.reports).toHaveLength(2);
  });
});

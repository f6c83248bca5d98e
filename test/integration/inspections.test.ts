import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { deleteItem, getItem } from '../../functions/adapters/dynamo/table.ts';
import { derivedId } from '../../functions/core/ids.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
});
afterAll(async () => {
  await t.stop();
});

const today = () => beijingDate(new Date());

/** A township, a village and `n` cadres created through the admin API. */
const roster = (n = 2) => createRoster(admin, { cadres: n, category: 'deep' });

/** A dispatch form issued through the dispatches API to the given cadre for the village. */
async function dispatchOnRecord(cadreId: string, villageId: string): Promise<string> {
  const res = await admin.post('/dispatches', {
    title: '抗旱保苗',
    category: '防汛抗旱',
    description: '清理水窖，保障人畜饮水',
    deadline: addDays(today(), 7),
    assignees: [{ cadreId, villageId }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function problemsIn(villageId: string): Promise<number> {
  const res = await admin.get(`/problems?villageId=${villageId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('POST /inspections', () => {
  it('records findings per cadre and one open problem per problem, with default deadlines by severity', async () => {
    const { townshipId, villageId, cadreIds } = await roster(2);
    const [c1, c2] = cadreIds as [string, string];
    const date = addDays(today(), -1);
    const res = await inspector.post('/inspections', {
      villageId,
      date,
      mode: 'covert',
      note: '暗访',
      findings: [
        {
          cadreId: c1,
          present: false,
          problems: [
            { description: '  干部不在岗  ', severity: 'severe' },
            { description: '走访台账缺失', severity: 'minor', rectifyBy: addDays(date, 2) },
          ],
        },
        { cadreId: c2, present: true, commend: true, problems: [] },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      villageId,
      townshipId,
      date,
      mode: 'covert',
      findingCount: 2,
      presentCount: 1,
      absentCount: 1,
      commendCount: 1,
      problemCount: 2,
    });
    expect(res.body.problemIds).toHaveLength(2);
    expect(res.body.findings[0]).toMatchObject({
      cadreId: c1,
      present: false,
      commend: false,
      problemIds: res.body.problemIds,
    });
    expect(res.body.findings[0].problems.map((p: { rectifyBy: string }) => p.rectifyBy)).toEqual([
      addDays(date, 3),
      addDays(date, 2),
    ]);

    const [severe] = res.body.problemIds;
    const problem = await admin.get(`/problems/${severe}`);
    expect(problem.status).toBe(200);
    expect(problem.body).toMatchObject({
      id: severe,
      inspectionId: res.body.id,
      villageId,
      townshipId,
      cadreId: c1,
      description: '干部不在岗',
      severity: 'severe',
      foundOn: date,
      rectifyBy: addDays(date, 3),
      status: 'open',
      falseRectifications: 0,
      events: [],
    });

    const read = await inspector.get(`/inspections/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.findings.map((f: { cadreId: string }) => f.cadreId)).toEqual([c1, c2]);
    expect(read.body.findings[0].problems[0]).toMatchObject({ id: severe, status: 'open' });
  });

  it('accepts a dispatch form on record as the task checked', async () => {
    const { villageId, cadreIds } = await roster(1);
    const dispatchId = await dispatchOnRecord(cadreIds[0]!, villageId);
    const res = await inspector.post('/inspections', {
      villageId,
      date: today(),
      mode: 'spot',
      findings: [
        {
          cadreId: cadreIds[0],
          present: true,
          dispatchId,
          problems: [{ description: '进度滞后', severity: 'major' }],
        },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.findings[0].dispatchId).toBe(dispatchId);
    expect((await admin.get(`/problems/${res.body.problemIds[0]}`)).body.dispatchId).toBe(dispatchId);
  });

  it('audits the inspection and each problem it created', async () => {
    const { villageId, cadreIds } = await roster(1);
    const res = await inspector.post('/inspections', {
      villageId,
      date: today(),
      mode: 'open',
      findings: [
        {
          cadreId: cadreIds[0],
          present: true,
          problems: [{ description: '公示栏未更新', severity: 'minor' }],
        },
      ],
    });
    expect(res.status).toBe(201);
    for (const [entityType, entityId] of [
      ['inspection', res.body.id],
      ['problem', res.body.problemIds[0]],
    ]) {
      const trail = await admin.get(`/audit?entityType=${entityType}&entityId=${entityId}`);
      expect(trail.status).toBe(200);
      expect(trail.body.items).toEqual([expect.objectContaining({ action: 'create', actor: inspector.sub })]);
    }
  });

  it('returns the same ids for a retried request with the same Idempotency-Key and writes nothing new', async () => {
    const { villageId, cadreIds } = await roster(1);
    const body = {
      villageId,
      date: today(),
      mode: 'open',
      findings: [
        {
          cadreId: cadreIds[0],
          present: true,
          problems: [{ description: '会议记录不全', severity: 'minor' }],
        },
      ],
    };
    const headers = { 'idempotency-key': `insp-${uid('k')}` };
    const first = await inspector.post('/inspections', body, headers);
    expect(first.status).toBe(201);
    const again = await inspector.post('/inspections', body, headers);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.problemIds).toEqual(first.body.problemIds);
    expect(await problemsIn(villageId)).toBe(1);
    expect((await admin.get(`/inspections?villageId=${villageId}`)).body.items).toHaveLength(1);
  });

  it('answers concurrent repeats with one set of ids', async () => {
    const { villageId, cadreIds } = await roster(1);
    const body = {
      villageId,
      date: today(),
      mode: 'open',
      findings: [
        { cadreId: cadreIds[0], present: true, problems: [{ description: '值班表缺失', severity: 'major' }] },
      ],
    };
    const headers = { 'idempotency-key': `insp-${uid('k')}` };
    const answers = await Promise.all([1, 2, 3].map(() => inspector.post('/inspections', body, headers)));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(await problemsIn(villageId)).toBe(1);
  });

  it('finishes a submission that crashed after writing its problems, on the same items, when retried with the same key', async () => {
    const { villageId, cadreIds } = await roster(1);
    const body = {
      villageId,
      date: today(),
      mode: 'covert',
      findings: [
        { cadreId: cadreIds[0], present: false, problems: [{ description: '脱岗', severity: 'severe' }] },
      ],
    };
    const key = `insp-${uid('k')}`;
    const first = await inspector.post('/inspections', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body.id).toBe(derivedId(inspector.sub, key, 'inspection'));
    // Simulate a crash before the header and the idempotency record were written.
    await deleteItem(keys.inspection(first.body.id));
    await deleteItem(keys.idempotency(inspector.sub, key));

    const retry = await inspector.post('/inspections', body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body.problemIds).toEqual(first.body.problemIds);
    expect(await getItem(keys.inspection(first.body.id))).toBeDefined();
    expect(await problemsIn(villageId)).toBe(1);
  });

  const good = (villageId: string, cadreId: string) => ({
    villageId,
    date: today(),
    mode: 'open',
    findings: [{ cadreId, present: true, problems: [{ description: '问题', severity: 'minor' }] }],
  });
  type Body = ReturnType<typeof good>;
  const withFinding = (b: Body, patch: Record<string, unknown>) => ({
    ...b,
    findings: [{ ...b.findings[0], ...patch }],
  });
  const withProblem = (b: Body, patch: Record<string, unknown>) =>
    withFinding(b, { problems: [{ ...b.findings[0]!.problems[0], ...patch }] });

  it.each<[string, (b: Body) => unknown, string, string]>([
    ['an unknown field', (b) => ({ ...b, weather: 'sunny' }), 'body.weather', 'UNKNOWN_FIELD'],
    [
      'an unknown field in a finding',
      (b) => withFinding(b, { score: 1 }),
      'body.findings.0.score',
      'UNKNOWN_FIELD',
    ],
    ['a date in the future', (b) => ({ ...b, date: addDays(today(), 2) }), 'body.date', 'DATE_IN_FUTURE'],
    ['a date that does not exist', (b) => ({ ...b, date: '2026-02-30' }), 'body.date', 'INVALID_DATE'],
    ['a bad mode', (b) => ({ ...b, mode: 'secret' }), 'body.mode', 'INVALID_VALUE'],
    [
      'a bad severity',
      (b) => withProblem(b, { severity: 'fatal' }),
      'body.findings.0.problems.0.severity',
      'INVALID_VALUE',
    ],
    [
      'a deadline before the inspection date',
      (b) => withProblem(b, { rectifyBy: addDays(today(), -1) }),
      'body.findings.0.problems.0.rectifyBy',
      'BEFORE_INSPECTION_DATE',
    ],
    [
      'a blank description',
      (b) => withProblem(b, { description: '   ' }),
      'body.findings.0.problems.0.description',
      'TOO_SMALL',
    ],
    [
      'a description over 500 characters',
      (b) => withProblem(b, { description: '长'.repeat(501) }),
      'body.findings.0.problems.0.description',
      'TOO_BIG',
    ],
    [
      'the same cadre twice',
      (b) => ({ ...b, findings: [b.findings[0], b.findings[0]] }),
      'body.findings.1.cadreId',
      'DUPLICATE',
    ],
    ['no findings', (b) => ({ ...b, findings: [] }), 'body.findings', 'TOO_SMALL'],
    [
      '201 findings',
      (b) => ({
        ...b,
        findings: Array.from({ length: 201 }, (_, i) => ({ cadreId: `X${i}`, present: true })),
      }),
      'body.findings',
      'TOO_BIG',
    ],
    [
      '51 problems for one cadre',
      (b) =>
        withFinding(b, {
          problems: Array.from({ length: 51 }, () => ({ description: '问题', severity: 'minor' })),
        }),
      'body.findings.0.problems',
      'TOO_BIG',
    ],
    // A finding with neither `present` nor `presence` is 未点名 now (three states, nothing absent by
    // default): see verification-kinds.test.ts. A presence that is no state is refused.
    [
      'a presence that is no state',
      (b) => withFinding(b, { present: undefined, presence: 'maybe' }),
      'body.findings.0.presence',
      'INVALID_VALUE',
    ],
    [
      'an unknown village',
      (b) => ({ ...b, villageId: 'NO-SUCH-VILLAGE' }),
      'body.villageId',
      'UNKNOWN_REFERENCE',
    ],
    [
      'an unknown cadre',
      (b) => withFinding(b, { cadreId: 'NO-SUCH-CADRE' }),
      'body.findings.0.cadreId',
      'UNKNOWN_REFERENCE',
    ],
    [
      'an unknown dispatch',
      (b) => withFinding(b, { dispatchId: 'NO-SUCH-DISPATCH' }),
      'body.findings.0.dispatchId',
      'UNKNOWN_REFERENCE',
    ],
  ])('refuses %s with 400 at the field, in Chinese, writing nothing', async (_case, mutate, path, code) => {
    const { villageId, cadreIds } = await roster(1);
    const res = await inspector.post('/inspections', mutate(good(villageId, cadreIds[0]!)));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field, JSON.stringify(res.body.error.fields)).toMatchObject({ code });
    expect(field.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await problemsIn(villageId)).toBe(0);
    expect((await admin.get(`/inspections?villageId=${villageId}`)).body.items).toHaveLength(0);
  });

  it.each([
    ['admin', 403],
    ['cadre', 403],
  ] as const)('refuses a %s (%i): only inspectors record inspections', async (role, status) => {
    const { villageId, cadreIds } = await roster(1);
    const caller = await t.as(role, role === 'cadre' ? cadreIds[0] : undefined);
    const res = await caller.post('/inspections', good(villageId, cadreIds[0]!));
    expect(res.status).toBe(status);
    expect(await problemsIn(villageId)).toBe(0);
  });

  it('refuses a caller without a token (401)', async () => {
    expect((await t.anonymous().post('/inspections', {})).status).toBe(401);
  });
});

describe('GET /inspections', () => {
  it('lists a village, township or mode, newest first, within a date range, page by page', async () => {
    const { townshipId, villageId, cadreIds } = await roster(1);
    const dates = [-3, -2, -1].map((d) => addDays(today(), d));
    for (const [i, date] of dates.entries()) {
      const res = await inspector.post('/inspections', {
        villageId,
        date,
        mode: i === 1 ? 'covert' : 'open',
        findings: [{ cadreId: cadreIds[0], present: true }],
      });
      expect(res.status).toBe(201);
    }
    const byVillage = await admin.get(`/inspections?villageId=${villageId}`);
    expect(byVillage.body.items.map((i: { date: string }) => i.date)).toEqual([...dates].reverse());
    const byTownship = await admin.get(`/inspections?townshipId=${townshipId}&mode=covert`);
    expect(byTownship.body.items.map((i: { date: string }) => i.date)).toEqual([dates[1]]);
    const ranged = await inspector.get(`/inspections?villageId=${villageId}&from=${dates[0]}&to=${dates[1]}`);
    expect(ranged.body.items.map((i: { date: string }) => i.date)).toEqual([dates[1], dates[0]]);

    const first = await admin.get(`/inspections?townshipId=${townshipId}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(`/inspections?townshipId=${townshipId}&limit=2&next=${first.body.next}`);
    expect(second.body.items.map((i: { date: string }) => i.date)).toEqual([dates[0]]);
    expect(second.body.next).toBeUndefined();
  });

  it.each([
    ['from after to', 'from=2026-11-10&to=2026-11-01', 'query.to'],
    ['a bad mode', 'mode=secret', 'query.mode'],
    ['an unknown parameter', 'colour=red', 'query.colour'],
    ['limit over 100', 'limit=101', 'query.limit'],
  ])('refuses a list query with %s (400)', async (_case, qs, path) => {
    const res = await admin.get(`/inspections?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });

  it('answers 404 for an inspection that does not exist', async () => {
    expect((await admin.get('/inspections/NOPE')).status).toBe(404);
  });

  it('is not for cadres (403)', async () => {
    const cadre = await t.as('cadre');
    expect((await cadre.get('/inspections')).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overdueOpenProblems } from '../../functions/adapters/dynamo/sweep.ts';
import { newReadMeter, readWeekItems } from '../../functions/adapters/dynamo/week-facts.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/** POST /problems/{id}/extensions: HQ moves a deadline later, audited, kept in the history. */
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

/** An open problem found `daysAgo` days ago with a deadline `deadlineIn` days from today. */
async function openProblem(daysAgo = 0, deadlineIn = 5) {
  const { villageId, cadreIds } = await createRoster(admin, { cadres: 1, category: 'general' });
  const cadreId = cadreIds[0] as string;
  const res = await inspector.post('/inspections', {
    villageId,
    date: addDays(today(), -daysAgo),
    mode: 'open',
    findings: [
      {
        cadreId,
        presence: 'present',
        problems: [{ description: '渠道渗漏', severity: 'major', rectifyBy: addDays(today(), deadlineIn) }],
      },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { problemId: res.body.problemIds[0] as string, inspectionId: res.body.id as string, cadreId };
}

const extend = (id: string, body: unknown, headers?: Record<string, string>, who = admin) =>
  who.post(`/problems/${id}/extensions`, body, headers);

describe('who may extend', () => {
  it('only HQ: an inspector and the cadre get 403, nothing moves', async () => {
    const { problemId, cadreId } = await openProblem();
    const cadre = await t.as('cadre', cadreId);
    const body = { rectifyBy: addDays(today(), 20), reason: '雨季' };
    expect((await extend(problemId, body, undefined, inspector)).status).toBe(403);
    expect((await extend(problemId, body, undefined, cadre)).status).toBe(403);
    expect((await admin.get(`/problems/${problemId}`)).body.rectifyBy).toBe(addDays(today(), 5));
  });

  it('404 for an unknown problem', async () => {
    const res = await extend('NOPE', { rectifyBy: addDays(today(), 20), reason: '雨季' });
    expect(res.status).toBe(404);
  });
});

describe('what may be extended, and to when', () => {
  it.each([
    ['a date not later than the deadline', () => addDays(today(), 5), 'NOT_LATER'],
    ['an earlier date', () => addDays(today(), 2), 'NOT_LATER'],
  ])('refuses %s (400, Chinese, nothing written)', async (_, date, code) => {
    const { problemId } = await openProblem();
    const res = await extend(problemId, { rectifyBy: date(), reason: '雨季' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.rectifyBy', code });
    expect(res.body.error.fields[0].message).toMatch(/整改期限/);
    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after.rectifyBy).toBe(addDays(today(), 5));
    expect(after.extensions).toEqual([]);
  });

  it('refuses a date before today even when later than an overdue deadline', async () => {
    const { problemId } = await openProblem(10, -5);
    const res = await extend(problemId, { rectifyBy: addDays(today(), -1), reason: '补办手续' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.rectifyBy', code: 'DATE_IN_PAST' });
  });

  it('refuses a missing reason and a missing date with Chinese field messages', async () => {
    const { problemId } = await openProblem();
    const res = await extend(problemId, {});
    expect(res.status).toBe(400);
    const paths = res.body.error.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(['body.reason', 'body.rectifyBy']);
    for (const f of res.body.error.fields) expect(f.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('409 for a closed problem', async () => {
    const { problemId, cadreId } = await openProblem();
    const cadre = await t.as('cadre', cadreId);
    await cadre.post(`/problems/${problemId}/rectifications`, { note: '已修好' });
    await inspector.post(`/problems/${problemId}/verifications`, { outcome: 'accepted' });
    const res = await extend(problemId, { rectifyBy: addDays(today(), 30), reason: '雨季' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_OPEN');
  });
});

describe('an extension', () => {
  it('moves the deadline, is kept in the history and audited before and after', async () => {
    const { problemId } = await openProblem();
    const rectifyBy = addDays(today(), 25);
    const res = await extend(problemId, { rectifyBy, reason: '需待春灌结束后施工' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      problemId,
      from: addDays(today(), 5),
      rectifyBy,
      reason: '需待春灌结束后施工',
      by: admin.sub,
    });

    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after.rectifyBy).toBe(rectifyBy);
    expect(after.initialRectifyBy).toBe(addDays(today(), 5));
    expect(after.extensions).toHaveLength(1);
    expect(after.extensions[0]).toMatchObject({ id: res.body.id, from: addDays(today(), 5), rectifyBy });
    // The history keeps rectifications and verifications apart from extensions.
    expect(after.events).toEqual([]);

    const audit = await admin.get(`/audit?entityType=problem&entityId=${problemId}`);
    const entry = audit.body.items.find((a: { action: string }) => a.action === 'extend');
    expect(entry.changes).toMatchObject({
      before: { rectifyBy: addDays(today(), 5) },
      after: { rectifyBy },
      reason: '需待春灌结束后施工',
    });

    // The weekly evaluation sees it as a dated deadline change in this week.
    const week = await readWeekItems(isoWeekOf(today()), newReadMeter());
    expect(week.events).toContainEqual(expect.objectContaining({ problemId, kind: 'deadline', rectifyBy }));
  });

  it('the overdue sweep follows the new deadline at once', async () => {
    const { problemId } = await openProblem(10, -2);
    expect((await overdueOpenProblems(today())).map((p) => p.id)).toContain(problemId);
    expect((await extend(problemId, { rectifyBy: addDays(today(), 7), reason: '材料待批' })).status).toBe(
      201,
    );
    expect((await overdueOpenProblems(today())).map((p) => p.id)).not.toContain(problemId);
  });

  it('a retry with the same Idempotency-Key extends once; a second extension stacks on the first', async () => {
    const { problemId } = await openProblem();
    const key = uid('extend-');
    const body = { rectifyBy: addDays(today(), 12), reason: '雨季' };
    const first = await extend(problemId, body, { 'Idempotency-Key': key });
    const again = await extend(problemId, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await admin.get(`/problems/${problemId}`)).body.extensions).toHaveLength(1);

    const second = await extend(problemId, { rectifyBy: addDays(today(), 20), reason: '再延' });
    expect(second.status).toBe(201);
    expect(second.body.from).toBe(addDays(today(), 12));
    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after.extensions.map((e: { rectifyBy: string }) => e.rectifyBy)).toEqual([
      addDays(today(), 12),
      addDays(today(), 20),
    ]);
    expect(after.initialRectifyBy).toBe(addDays(today(), 5));
  });
});

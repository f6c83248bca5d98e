import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * A rejection says why and what kind: 整改不到位 (incomplete: a new deadline, not counted as 虚假整改)
 * or 虚假整改 (false: counted as before; also when no kind is sent). Presence in three states.
 */
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

/** A problem handed in for verification: returns its id and the cadre's caller. */
async function awaitingProblem(severity: 'minor' | 'major' | 'severe' = 'major') {
  const { villageId, cadreIds } = await createRoster(admin, { cadres: 1, category: 'general' });
  const cadreId = cadreIds[0] as string;
  const cadre = await t.as('cadre', cadreId);
  const res = await inspector.post('/inspections', {
    villageId,
    date: today(),
    mode: 'open',
    findings: [{ cadreId, presence: 'present', problems: [{ description: '排水沟未清理', severity }] }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const problemId = res.body.problemIds[0] as string;
  expect((await cadre.post(`/problems/${problemId}/rectifications`, { note: '已清理' })).status).toBe(201);
  return { problemId, cadre, cadreId };
}

const verify = (id: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  inspector.post(`/problems/${id}/verifications`, body, headers);

describe('a rejection needs a note', () => {
  it.each([
    ['no note', { outcome: 'rejected', kind: 'false' }],
    ['an empty note', { outcome: 'rejected', kind: 'incomplete', note: '' }],
    ['a blank note', { outcome: 'rejected', note: '   ' }],
  ])('refuses %s with 400 NOTE_REQUIRED on note, in Chinese, and writes nothing', async (_, body) => {
    const { problemId } = await awaitingProblem();
    const res = await verify(problemId, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('NOTE_REQUIRED');
    const field = res.body.error.fields.find((f: { path: string }) => f.path === 'body.note');
    expect(field).toMatchObject({ code: 'NOTE_REQUIRED' });
    expect(field.message).toMatch(/[\u4e00-\u9fff]/);
    expect(field.message).not.toMatch(/incomplete|false|rejected/);
    const after = await admin.get(`/problems/${problemId}`);
    expect(after.body).toMatchObject({ status: 'awaiting_verification', falseRectifications: 0 });
    expect(after.body.events.filter((e: { kind: string }) => e.kind === 'verification')).toHaveLength(0);
    const audit = await admin.get(`/audit?entityType=problem&entityId=${problemId}`);
    expect(audit.body.items.some((a: { action: string }) => a.action === 'verify')).toBe(false);
  });

  it('accepts an acceptance without a note, as before', async () => {
    const { problemId } = await awaitingProblem();
    const res = await verify(problemId, { outcome: 'accepted' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ outcome: 'accepted', problemStatus: 'closed' });
    expect(res.body.kind).toBeUndefined();
  });

  it('refuses an unknown kind, a kind on an acceptance and a deadline on 虚假整改, in plain Chinese', async () => {
    const { problemId } = await awaitingProblem();
    for (const body of [
      { outcome: 'rejected', kind: 'bogus', note: '不实' },
      { outcome: 'accepted', kind: 'incomplete' },
      { outcome: 'rejected', kind: 'false', note: '不实', rectifyBy: addDays(today(), 5) },
    ]) {
      const res = await verify(problemId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      for (const f of res.body.error.fields) {
        expect(f.message).toMatch(/[\u4e00-\u9fff]/);
        expect(f.message).not.toMatch(/bogus|incomplete|false|accepted|rejected/);
      }
    }
    expect((await admin.get(`/problems/${problemId}`)).body.status).toBe('awaiting_verification');
  });
});

describe('整改不到位 and 虚假整改', () => {
  it('incomplete: back to open with the given deadline, not a false rectification, kind and note kept', async () => {
    const { problemId, cadreId } = await awaitingProblem('major');
    const before = (await admin.get(`/problems/${problemId}`)).body;
    const rectifyBy = addDays(today(), 9);
    const res = await verify(problemId, {
      outcome: 'rejected',
      kind: 'incomplete',
      note: '还差一百米未硬化',
      rectifyBy,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      outcome: 'rejected',
      kind: 'incomplete',
      note: '还差一百米未硬化',
      problemStatus: 'open',
      falseRectifications: 0,
      rectifyBy,
    });

    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after).toMatchObject({
      status: 'open',
      falseRectifications: 0,
      incompleteRectifications: 1,
      rectifyBy,
      initialRectifyBy: before.rectifyBy,
    });
    const event = after.events.find((e: { kind: string }) => e.kind === 'verification');
    expect(event).toMatchObject({
      outcome: 'rejected',
      rejectionKind: 'incomplete',
      rectifyBy,
      note: '还差一百米未硬化',
    });

    const standing = (await admin.get(`/cadres/${cadreId}/standing`)).body;
    expect(standing.falseRectifications.total).toBe(0);
    expect(standing.counts.falseRectifications).toBe(0);

    const audit = await admin.get(`/audit?entityType=problem&entityId=${problemId}`);
    const entry = audit.body.items.find((a: { action: string }) => a.action === 'verify');
    expect(entry.changes).toMatchObject({
      kind: 'incomplete',
      rectifyBy: { before: before.rectifyBy, after: rectifyBy },
    });
  });

  it('incomplete without a date: the rule set’s days for the severity, from today', async () => {
    const { problemId } = await awaitingProblem('severe');
    const res = await verify(problemId, { outcome: 'rejected', kind: 'incomplete', note: '未完成' });
    expect(res.status).toBe(201);
    // Rule set version 1: 3 days for a severe problem.
    expect(res.body.rectifyBy).toBe(addDays(today(), 3));
  });

  it('refuses a new deadline before today', async () => {
    const { problemId } = await awaitingProblem();
    const res = await verify(problemId, {
      outcome: 'rejected',
      kind: 'incomplete',
      note: '未完成',
      rectifyBy: addDays(today(), -1),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.rectifyBy', code: 'DATE_IN_PAST' });
    expect((await admin.get(`/problems/${problemId}`)).body.status).toBe('awaiting_verification');
  });

  it.each([
    ['kind false', { kind: 'false' }],
    ['no kind (the contract before kinds)', {}],
  ])('%s: a false rectification, counted as today, deadline unchanged', async (_, extra) => {
    const { problemId, cadreId } = await awaitingProblem();
    const before = (await admin.get(`/problems/${problemId}`)).body;
    const res = await verify(problemId, { outcome: 'rejected', note: '台账系补写', ...extra });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'false', falseRectifications: 1, rectifyBy: before.rectifyBy });
    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after).toMatchObject({ status: 'open', falseRectifications: 1, rectifyBy: before.rectifyBy });
    expect(after.incompleteRectifications ?? 0).toBe(0);
    const event = after.events.find((e: { kind: string }) => e.kind === 'verification');
    expect(event.rejectionKind).toBe('false');
    expect((await admin.get(`/cadres/${cadreId}/standing`)).body.falseRectifications.total).toBe(1);
  });

  it('a retried rejection (same Idempotency-Key) is applied once', async () => {
    const { problemId } = await awaitingProblem();
    const key = uid('verify-kind-');
    const body = { outcome: 'rejected', kind: 'incomplete', note: '未完成', rectifyBy: addDays(today(), 4) };
    const first = await verify(problemId, body, { 'Idempotency-Key': key });
    const again = await verify(problemId, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const after = (await admin.get(`/problems/${problemId}`)).body;
    expect(after.incompleteRectifications).toBe(1);
    expect(after.events.filter((e: { kind: string }) => e.kind === 'verification')).toHaveLength(1);
  });

  it('a cadre cannot verify, whatever the kind', async () => {
    const { problemId, cadre } = await awaitingProblem();
    const res = await cadre.post(`/problems/${problemId}/verifications`, {
      outcome: 'rejected',
      kind: 'incomplete',
      note: '自己说不到位',
    });
    expect(res.status).toBe(403);
  });
});

describe('presence in three states', () => {
  it('counts only 不在岗 as absent; untouched is 未点名; the old boolean still works', async () => {
    const { villageId, cadreIds } = await createRoster(admin, { cadres: 5, category: 'general' });
    const [a, b, c, d, e] = cadreIds as [string, string, string, string, string];
    const res = await inspector.post('/inspections', {
      villageId,
      date: today(),
      mode: 'covert',
      findings: [
        { cadreId: a, presence: 'present' },
        { cadreId: b, presence: 'absent' },
        { cadreId: c, presence: 'unchecked' },
        { cadreId: d },
        { cadreId: e, present: false },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ presentCount: 1, absentCount: 2, uncheckedCount: 2 });
    const got = (await admin.get(`/inspections/${res.body.id}`)).body;
    expect(got.findings.map((f: { presence: string; present: boolean }) => [f.presence, f.present])).toEqual([
      ['present', true],
      ['absent', false],
      ['unchecked', false],
      ['unchecked', false],
      ['absent', false],
    ]);
  });

  it('refuses a presence that contradicts the old boolean, in Chinese, writing nothing', async () => {
    const { villageId, cadreIds } = await createRoster(admin, { cadres: 1, category: 'general' });
    const res = await inspector.post('/inspections', {
      villageId,
      date: today(),
      mode: 'open',
      findings: [{ cadreId: cadreIds[0], present: true, presence: 'absent' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({
      path: 'body.findings.0.presence',
      code: 'PRESENCE_CONFLICT',
    });
    expect((await admin.get(`/inspections?villageId=${villageId}`)).body.items).toHaveLength(0);
  });
});

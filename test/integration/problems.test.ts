import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { applyTransition, getProblem } from '../../functions/adapters/dynamo/problems.ts';
import { putItem } from '../../functions/adapters/dynamo/table.ts';
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

interface Setup {
  townshipId: string;
  villageId: string;
  cadreIds: string[];
  cadres: Caller[];
}

/** A township, a village and `n` cadres (created through the admin API), each with a signed-in caller. */
async function roster(n = 1): Promise<Setup> {
  const { townshipId, villageId, cadreIds } = await createRoster(admin, { cadres: n, category: 'general' });
  const cadres = await Promise.all(cadreIds.map((id) => t.as('cadre', id)));
  return { townshipId, villageId, cadreIds, cadres };
}

/** Records an inspection with the given problems per cadre; returns the problem ids in order. */
async function inspect(
  s: Setup,
  perCadre: { severity: 'minor' | 'major' | 'severe'; description?: string }[][],
  date = today(),
): Promise<string[]> {
  const res = await inspector.post('/inspections', {
    villageId: s.villageId,
    date,
    mode: 'open',
    findings: perCadre.map((problems, i) => ({
      cadreId: s.cadreIds[i],
      present: true,
      problems: problems.map((p) => ({ description: p.description ?? '问题', severity: p.severity })),
    })),
  });
  expect(res.status).toBe(201);
  return res.body.problemIds;
}

const rectify = (caller: Caller, id: string, note = '已整改到位', headers?: Record<string, string>) =>
  caller.post(`/problems/${id}/rectifications`, { note }, headers);
const verify = (
  id: string,
  outcome: 'accepted' | 'rejected',
  note = '复核',
  headers?: Record<string, string>,
) => inspector.post(`/problems/${id}/verifications`, { outcome, note }, headers);

describe('problem → rectification → verification', () => {
  it('counts a rejected rectification as false and keeps the problem open until one is accepted', async () => {
    const s = await roster(1);
    const cadre = s.cadres[0]!;
    const [pid] = (await inspect(s, [[{ severity: 'major' }]])) as [string];

    const first = await rectify(cadre, pid, '已补齐台账');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ problemId: pid, note: '已补齐台账', status: 'awaiting_verification' });
    expect(typeof first.body.id).toBe('string');
    expect(Number.isNaN(Date.parse(first.body.at))).toBe(false);

    const rejected = await verify(pid, 'rejected', '台账系补写，虚假整改');
    expect(rejected.status).toBe(201);
    expect(rejected.body).toMatchObject({
      problemId: pid,
      outcome: 'rejected',
      problemStatus: 'open',
      falseRectifications: 1,
    });
    let problem = (await admin.get(`/problems/${pid}`)).body;
    expect(problem).toMatchObject({ status: 'open', falseRectifications: 1 });

    let standing = await cadre.get(`/cadres/${s.cadreIds[0]}/standing`);
    expect(standing.status).toBe(200);
    expect(standing.body).toMatchObject({
      cadreId: s.cadreIds[0],
      openProblemCount: 1,
      falseRectifications: { total: 1, onOpenProblems: 1 },
      overdueDispatches: [],
    });
    expect(standing.body.openProblems.map((p: { id: string }) => p.id)).toEqual([pid]);

    expect((await rectify(cadre, pid, '重新整改，现场核实')).status).toBe(201);
    const accepted = await verify(pid, 'accepted', '整改到位，予以销号');
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({
      outcome: 'accepted',
      problemStatus: 'closed',
      falseRectifications: 1,
    });

    problem = (await admin.get(`/problems/${pid}`)).body;
    expect(problem).toMatchObject({ status: 'closed', falseRectifications: 1 });
    expect(typeof problem.closedAt).toBe('string');
    expect(
      problem.events.map((e: { kind: string; outcome?: string }) => [e.kind, e.outcome ?? null]),
    ).toEqual([
      ['rectification', null],
      ['verification', 'rejected'],
      ['rectification', null],
      ['verification', 'accepted'],
    ]);

    standing = await admin.get(`/cadres/${s.cadreIds[0]}/standing`);
    expect(standing.body).toMatchObject({
      openProblemCount: 0,
      openProblems: [],
      falseRectifications: { total: 1, onOpenProblems: 0 },
      counts: { closedProblems: 1, totalProblems: 1, falseRectifications: 1 },
    });

    const trail = await admin.get(`/audit?entityType=problem&entityId=${pid}`);
    expect(trail.body.items.map((i: { action: string }) => i.action).sort()).toEqual(
      ['create', 'rectify', 'rectify', 'verify', 'verify'].sort(),
    );
  });

  it.each([
    ['a second rectification before verification', 'awaiting', 'rectify', 'NOT_OPEN'],
    ['a rectification of a closed problem', 'closed', 'rectify', 'NOT_OPEN'],
    ['a verification with nothing rectified', 'open', 'verify', 'NOTHING_TO_VERIFY'],
    ['a verification of a closed problem', 'closed', 'verify', 'NOTHING_TO_VERIFY'],
  ])('refuses %s with 409', async (_case, state, action, code) => {
    const s = await roster(1);
    const cadre = s.cadres[0]!;
    const [pid] = (await inspect(s, [[{ severity: 'minor' }]])) as [string];
    if (state !== 'open') expect((await rectify(cadre, pid)).status).toBe(201);
    if (state === 'closed') expect((await verify(pid, 'accepted')).status).toBe(201);
    const before = (await admin.get(`/problems/${pid}`)).body;
    const res = action === 'rectify' ? await rectify(cadre, pid) : await verify(pid, 'accepted');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await admin.get(`/problems/${pid}`)).body.events).toHaveLength(before.events.length);
  });

  it('lets exactly one of two concurrent verifications through (201) and refuses the other (409)', async () => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'severe' }]])) as [string];
    expect((await rectify(s.cadres[0]!, pid)).status).toBe(201);
    const other = await t.as('inspector');
    const answers = await Promise.all([
      verify(pid, 'rejected', '甲组：未整改'),
      other.post(`/problems/${pid}/verifications`, { outcome: 'rejected', note: '乙组：未整改' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)?.body.error.code).toBe('NOTHING_TO_VERIFY');
    const problem = (await admin.get(`/problems/${pid}`)).body;
    expect(problem).toMatchObject({ status: 'open', falseRectifications: 1 });
    expect(problem.events).toHaveLength(2);
  });

  it('lets exactly one of two concurrent rectifications through', async () => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'minor' }]])) as [string];
    const answers = await Promise.all([rectify(s.cadres[0]!, pid, '一'), rectify(s.cadres[0]!, pid, '二')]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect((await admin.get(`/problems/${pid}`)).body.events).toHaveLength(1);
  });

  it('replays a retried verification with the same Idempotency-Key without counting it twice', async () => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'minor' }]])) as [string];
    expect((await rectify(s.cadres[0]!, pid)).status).toBe(201);
    const headers = { 'idempotency-key': `verify-${uid('k')}` };
    const answers = await Promise.all([
      verify(pid, 'rejected', '虚假', headers),
      verify(pid, 'rejected', '虚假', headers),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers[1]!.body.id).toBe(answers[0]!.body.id);
    expect((await admin.get(`/problems/${pid}`)).body).toMatchObject({
      status: 'open',
      falseRectifications: 1,
    });
  });

  it('completes a verification that crashed after moving the problem, without applying it twice', async () => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'major' }]])) as [string];
    expect((await rectify(s.cadres[0]!, pid)).status).toBe(201);
    const key = `verify-${uid('k')}`;
    const eventId = derivedId(inspector.sub, key, 'verification', pid);
    // The first run's update landed, then the process died before the event and the response.
    const stored = await getProblem(pid);
    const crashedAt = new Date().toISOString();
    const applied = await applyTransition({
      problem: stored!,
      eventId,
      at: crashedAt,
      kind: 'verification',
      from: 'awaiting_verification',
      to: 'open',
      falseRectification: true,
    });
    expect(applied.applied).toBe(true);

    const retry = await verify(pid, 'rejected', '虚假整改', { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({
      id: eventId,
      at: crashedAt,
      problemStatus: 'open',
      falseRectifications: 1,
    });
    const problem = (await admin.get(`/problems/${pid}`)).body;
    expect(problem.falseRectifications).toBe(1);
    expect(problem.events.map((e: { id: string }) => e.id)).toContain(eventId);
    expect(problem.events).toHaveLength(2);
  });

  it('answers 404 for a problem that does not exist', async () => {
    const s = await roster(1);
    expect((await rectify(s.cadres[0]!, 'NOPE')).status).toBe(404);
    expect((await verify('NOPE', 'accepted')).status).toBe(404);
    expect((await admin.get('/problems/NOPE')).status).toBe(404);
  });

  it.each([
    ['rectification without a note', 'rectifications', {}, 'body.note', 'INVALID_TYPE'],
    [
      'rectification with an unknown field',
      'rectifications',
      { note: '好', photo: 'x' },
      'body.photo',
      'UNKNOWN_FIELD',
    ],
    ['rectification with a blank note', 'rectifications', { note: '  ' }, 'body.note', 'TOO_SMALL'],
    [
      'verification with a bad outcome',
      'verifications',
      { outcome: 'maybe', note: '' },
      'body.outcome',
      'INVALID_VALUE',
    ],
    [
      'verification with an over-long note',
      'verifications',
      { outcome: 'accepted', note: '长'.repeat(2001) },
      'body.note',
      'TOO_BIG',
    ],
  ])('refuses a %s (400)', async (_case, route, body, path, code) => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'minor' }]])) as [string];
    const caller = route === 'rectifications' ? s.cadres[0]! : inspector;
    const res = await caller.post(`/problems/${pid}/${route}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
    expect((await admin.get(`/problems/${pid}`)).body.status).toBe('open');
  });
});

describe('authorisation', () => {
  it('refuses a cadre rectifying someone else’s problem (403) and leaves it open', async () => {
    const s = await roster(2);
    const [pid] = (await inspect(s, [[{ severity: 'minor' }], []])) as [string];
    const res = await rectify(s.cadres[1]!, pid);
    expect(res.status).toBe(403);
    expect((await admin.get(`/problems/${pid}`)).body.status).toBe('open');
  });

  it.each([
    ['an admin rectifying', 'admin', 'rectifications'],
    ['an inspector rectifying', 'inspector', 'rectifications'],
    ['an admin verifying', 'admin', 'verifications'],
    ['a cadre verifying their own problem', 'cadre', 'verifications'],
  ] as const)('refuses %s (403)', async (_case, role, route) => {
    const s = await roster(1);
    const [pid] = (await inspect(s, [[{ severity: 'minor' }]])) as [string];
    if (route === 'verifications') expect((await rectify(s.cadres[0]!, pid)).status).toBe(201);
    const caller = role === 'cadre' ? s.cadres[0]! : await t.as(role);
    const body = route === 'rectifications' ? { note: '整改' } : { outcome: 'accepted', note: '' };
    expect((await caller.post(`/problems/${pid}/${route}`, body)).status).toBe(403);
  });

  it('shows a cadre their own problems only', async () => {
    const s = await roster(2);
    const [mine, theirs] = (await inspect(s, [[{ severity: 'minor' }], [{ severity: 'major' }]])) as [
      string,
      string,
    ];
    const [me] = s.cadres as [Caller];
    expect((await me.get(`/problems/${mine}`)).status).toBe(200);
    expect((await me.get(`/problems/${theirs}`)).status).toBe(403);
    const list = await me.get(`/problems?villageId=${s.villageId}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([mine]);
    expect((await me.get(`/problems?cadreId=${s.cadreIds[1]}`)).status).toBe(403);
    expect((await me.get(`/cadres/${s.cadreIds[0]}/standing`)).status).toBe(200);
    expect((await me.get(`/cadres/${s.cadreIds[1]}/standing`)).status).toBe(403);
  });

  it('refuses callers without a token (401)', async () => {
    expect((await t.anonymous().get('/problems')).status).toBe(401);
    expect((await t.anonymous().post('/problems/X/verifications', { outcome: 'accepted' })).status).toBe(401);
  });
});

describe('GET /problems', () => {
  it('filters by cadre, village, township, status, severity and date, newest first', async () => {
    const s = await roster(2);
    const [c1, c2] = s.cadreIds as [string, string];
    const old = addDays(today(), -10);
    const [oldMinor] = (await inspect(s, [[{ severity: 'minor' }], []], old)) as [string];
    const [newMajor, newSevere] = (await inspect(s, [[{ severity: 'major' }], [{ severity: 'severe' }]])) as [
      string,
      string,
    ];
    expect((await rectify(s.cadres[0]!, newMajor)).status).toBe(201);
    expect((await rectify(s.cadres[0]!, oldMinor)).status).toBe(201);
    expect((await verify(oldMinor, 'accepted')).status).toBe(201);

    const ids = async (qs: string) => {
      const res = await admin.get(`/problems?${qs}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((p: { id: string }) => p.id);
    };
    const village = await ids(`villageId=${s.villageId}`);
    expect([...village].sort()).toEqual([newMajor, newSevere, oldMinor].sort());
    expect(village.at(-1)).toBe(oldMinor);
    expect(await ids(`cadreId=${c1}`)).toEqual([newMajor, oldMinor]);
    expect(await ids(`cadreId=${c1}&status=closed`)).toEqual([oldMinor]);
    expect(await ids(`cadreId=${c1}&status=awaiting_verification`)).toEqual([newMajor]);
    expect(await ids(`cadreId=${c1}&from=${old}&to=${old}`)).toEqual([oldMinor]);
    expect(await ids(`cadreId=${c2}&severity=severe`)).toEqual([newSevere]);
    expect(await ids(`townshipId=${s.townshipId}&status=open`)).toEqual([newSevere]);
    expect((await ids(`townshipId=${s.townshipId}`)).sort()).toEqual([newMajor, newSevere, oldMinor].sort());
    expect(await ids(`townshipId=${s.townshipId}&from=${today()}&severity=major`)).toEqual([newMajor]);
    expect(await ids(`villageId=${s.villageId}&status=closed`)).toEqual([oldMinor]);
    const queue = await inspector.get(`/problems?status=awaiting_verification&townshipId=${s.townshipId}`);
    expect(queue.body.items.map((p: { id: string }) => p.id)).toEqual([newMajor]);
  });

  it('pages through a township’s problems across statuses with an opaque cursor', async () => {
    const s = await roster(1);
    const pids = await inspect(s, [[{ severity: 'minor' }, { severity: 'minor' }, { severity: 'major' }]]);
    expect((await rectify(s.cadres[0]!, pids[0]!)).status).toBe(201);
    expect((await verify(pids[0]!, 'accepted')).status).toBe(201);
    const seen: string[] = [];
    let next: string | undefined;
    for (let round = 0; round < 5; round++) {
      const res = await admin.get(
        `/problems?townshipId=${s.townshipId}&limit=1${next ? `&next=${next}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      next = res.body.next;
      if (!next) break;
    }
    expect(seen.sort()).toEqual([...pids].sort());
    expect((await admin.get('/problems?next=garbage')).status).toBe(400);
  });

  it.each([
    ['a bad status', 'status=done', 'query.status'],
    ['a bad severity', 'severity=fatal', 'query.severity'],
    ['from after to', 'from=2026-11-10&to=2026-11-01', 'query.to'],
    ['a bad date', 'from=2026-13-01', 'query.from'],
    ['an unknown parameter', 'colour=red', 'query.colour'],
  ])('refuses a list query with %s (400)', async (_case, qs, path) => {
    const res = await admin.get(`/problems?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });
});

describe('GET /cadres/{id}/standing', () => {
  it('lists unresolved problems, false rectifications and dispatches past deadline and not done', async () => {
    const s = await roster(1);
    const cadreId = s.cadreIds[0]!;
    const [a, b] = (await inspect(
      s,
      [[{ severity: 'severe' }, { severity: 'minor' }]],
      addDays(today(), -5),
    )) as [string, string];
    expect((await rectify(s.cadres[0]!, a)).status).toBe(201);
    expect((await verify(a, 'rejected')).status).toBe(201);
    expect((await rectify(s.cadres[0]!, b)).status).toBe(201);

    // Dispatch assignee rows in the dispatches module's fixed shape: one overdue, one done, one not yet due.
    const row = (dispatchId: string, deadline: string, status: string) =>
      putItem({
        PK: `DISP#${dispatchId}`,
        SK: `ASSG#${cadreId}#${s.villageId}`,
        GSI1PK: keys.cadreDispatches(cadreId),
        GSI1SK: `${deadline}#${dispatchId}#${s.villageId}`,
        entity: 'dispatchAssignee',
        dispatchId,
        number: `派〔2026〕${dispatchId}号`,
        title: '抗旱保苗',
        cadreId,
        villageId: s.villageId,
        townshipId: s.townshipId,
        deadline,
        status,
      });
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    await row('D1', past, 'in_progress');
    await row('D2', past, 'done');
    await row('D3', future, 'pending');

    const res = await inspector.get(`/cadres/${cadreId}/standing`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      cadreId,
      openProblemCount: 2,
      falseRectifications: { total: 1, onOpenProblems: 1 },
      overdueDispatches: [
        {
          dispatchId: 'D1',
          number: '派〔2026〕D1号',
          title: '抗旱保苗',
          villageId: s.villageId,
          deadline: past,
          status: 'in_progress',
        },
      ],
      counts: {
        openProblems: 2,
        awaitingVerification: 1,
        overdueProblems: 1,
        closedProblems: 0,
        openBySeverity: { minor: 1, major: 0, severe: 1 },
        overdueDispatches: 1,
      },
    });
    expect(res.body.openProblems.map((p: { id: string }) => p.id).sort()).toEqual([a, b].sort());
  });

  it('answers 404 for a cadre that does not exist', async () => {
    expect((await admin.get('/cadres/NOBODY/standing')).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignment } from '../../functions/adapters/dynamo/assignments.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { getItem, putItem } from '../../functions/adapters/dynamo/table.ts';
import { derivedId } from '../../functions/core/ids.ts';
import { beijingDate } from '../../functions/core/time.ts';
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

/** A fresh township with `villages` villages and `cadres` cadres, ids unique to the test. */
const roster = (villages: number, cadres: number) => createRoster(admin, { villages, cadres });

const assign = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  admin.post('/assignments', body, headers);

describe('assignments', () => {
  it('assigns a chief and a member, and reads them back by id and by village', async () => {
    const { townshipId, villageIds, cadreIds } = await roster(1, 2);
    const [v] = villageIds as [string];
    const [c0, c1] = cadreIds as [string, string];

    const chief = await assign({
      cadreId: c0,
      villageId: v,
      role: 'chief',
      from: '2026-01-05',
      note: '  县局牵头  ',
    });
    expect(chief.status).toBe(201);
    expect(chief.body).toMatchObject({
      cadreId: c0,
      villageId: v,
      townshipId,
      role: 'chief',
      roleLabel: '总队长',
      from: '2026-01-05',
      to: null,
      active: true,
      note: '县局牵头',
      createdBy: admin.sub,
    });
    expect(typeof chief.body.id).toBe('string');
    expect(Number.isNaN(Date.parse(chief.body.createdAt))).toBe(false);

    const member = await assign({ cadreId: c1, villageId: v, role: 'member' });
    expect(member.status).toBe(201);
    expect(member.body.from).toBe(today());

    expect((await admin.get(`/assignments/${chief.body.id}`)).body).toEqual(chief.body);
    const list = await inspector.get(`/assignments?villageId=${v}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([chief.body.id, member.body.id]);
    const chiefs = await admin.get(`/assignments?villageId=${v}&role=chief`);
    expect(chiefs.body.items.map((a: { cadreId: string }) => a.cadreId)).toEqual([c0]);
  });

  it('records every create and end in the audit trail', async () => {
    const { villageIds, cadreIds } = await roster(1, 1);
    const created = await assign({ cadreId: cadreIds[0], villageId: villageIds[0], role: 'chief' });
    await admin.post(`/assignments/${created.body.id}/end`, { reason: '岗位调整' });
    const audit = await admin.get(`/audit?entityType=assignment&entityId=${created.body.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['create', 'end']);
    const end = audit.body.items.find((e: { action: string }) => e.action === 'end');
    expect(end).toMatchObject({
      actor: admin.sub,
      routeKey: 'POST /assignments/{id}/end',
      changes: { to: today(), reason: '岗位调整' },
    });
  });

  it('refuses a second running chief for a village with 409 CHIEF_EXISTS', async () => {
    const { villageIds, cadreIds } = await roster(1, 2);
    expect((await assign({ cadreId: cadreIds[0], villageId: villageIds[0], role: 'chief' })).status).toBe(
      201,
    );
    const second = await assign({ cadreId: cadreIds[1], villageId: villageIds[0], role: 'chief' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('CHIEF_EXISTS');
    expect(second.body.error.message).toContain(cadreIds[0]);
  });

  it('refuses the same cadre twice in one village with 409 ALREADY_ASSIGNED, whatever the role', async () => {
    const { villageIds, cadreIds } = await roster(2, 1);
    const [v0, v1] = villageIds as [string, string];
    expect((await assign({ cadreId: cadreIds[0], villageId: v0, role: 'member' })).status).toBe(201);
    for (const role of ['member', 'chief']) {
      const again = await assign({ cadreId: cadreIds[0], villageId: v0, role });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ALREADY_ASSIGNED');
    }
    // The refused chief attempt left the village's chief slot free.
    expect((await assign({ cadreId: cadreIds[0], villageId: v1, role: 'chief' })).status).toBe(201);
  });

  it('keeps one chief when ten admins assign different chiefs to one village at once', async () => {
    const { villageIds, cadreIds } = await roster(1, 10);
    const v = villageIds[0] as string;
    const results = await Promise.all(
      cadreIds.map((cadreId) => assign({ cadreId, villageId: v, role: 'chief' })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'CHIEF_EXISTS')).toBe(
      true,
    );
    const winner = results.find((r) => r.status === 201)?.body;

    const running = await admin.get(`/assignments?villageId=${v}&role=chief&active=true`);
    expect(running.body.items.map((a: { id: string }) => a.id)).toEqual([winner.id]);
    const all = await admin.get(`/assignments?villageId=${v}`);
    expect(all.body.items).toHaveLength(1);
  });

  it('ends an assignment, keeps it in history, and then accepts a new chief', async () => {
    const { villageIds, cadreIds } = await roster(1, 2);
    const v = villageIds[0] as string;
    const first = await assign({ cadreId: cadreIds[0], villageId: v, role: 'chief', from: '2026-03-01' });

    // No body at all: every field of an end is optional.
    const ended = await admin.send('POST', `/assignments/${first.body.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      id: first.body.id,
      active: false,
      to: today(),
      from: '2026-03-01',
      endedBy: admin.sub,
    });

    const again = await admin.post(`/assignments/${first.body.id}/end`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ENDED');

    const next = await assign({ cadreId: cadreIds[1], villageId: v, role: 'chief' });
    expect(next.status).toBe(201);
    const history = await admin.get(`/assignments?villageId=${v}`);
    expect(
      history.body.items.map((a: { cadreId: string; active: boolean }) => [a.cadreId, a.active]),
    ).toEqual([
      [cadreIds[0], false],
      [cadreIds[1], true],
    ]);
    expect((await admin.get(`/assignments?villageId=${v}&active=false`)).body.items).toHaveLength(1);
  });

  it('answers who was chief on a past date from the history (on=)', async () => {
    const { villageIds, cadreIds } = await roster(1, 3);
    const v = villageIds[0] as string;
    const [old, successor, member] = cadreIds as [string, string, string];
    const a = await assign({ cadreId: old, villageId: v, role: 'chief', from: '2026-01-01' });
    await assign({ cadreId: member, villageId: v, role: 'member', from: '2026-02-01' });
    expect(
      (await admin.post(`/assignments/${a.body.id}/end`, { to: '2026-06-30', reason: '调任' })).status,
    ).toBe(200);
    expect(
      (await assign({ cadreId: successor, villageId: v, role: 'chief', from: '2026-06-30' })).status,
    ).toBe(201);

    const on = async (date: string) =>
      (await admin.get(`/assignments?villageId=${v}&on=${date}`)).body.items
        .map((x: { cadreId: string }) => x.cadreId)
        .sort();
    expect(await on('2025-12-31')).toEqual([]);
    expect(await on('2026-01-15')).toEqual([old]);
    expect(await on('2026-03-01')).toEqual([old, member].sort());
    // `to` is the first day no longer responsible: the handover day belongs to the successor.
    expect(await on('2026-06-29')).toEqual([old, member].sort());
    expect(await on('2026-06-30')).toEqual([member, successor].sort());

    const byCadre = await admin.get(`/assignments?cadreId=${old}&on=2026-04-01`);
    expect(byCadre.body.items.map((x: { villageId: string }) => x.villageId)).toEqual([v]);
    expect((await admin.get(`/assignments?cadreId=${old}&on=2026-07-01`)).body.items).toEqual([]);
  });

  it('refuses a chief back-dated into the previous chief’s period (409 CHIEF_PERIOD_OVERLAP)', async () => {
    const { villageIds, cadreIds } = await roster(1, 2);
    const v = villageIds[0] as string;
    const a = await assign({ cadreId: cadreIds[0], villageId: v, role: 'chief', from: '2026-01-01' });
    await admin.post(`/assignments/${a.body.id}/end`, { to: '2026-06-30' });
    const res = await assign({ cadreId: cadreIds[1], villageId: v, role: 'chief', from: '2026-05-01' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CHIEF_PERIOD_OVERLAP');
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.from' });
    // The refused attempt released its slots: a correct start date goes through.
    expect(
      (await assign({ cadreId: cadreIds[1], villageId: v, role: 'chief', from: '2026-07-01' })).status,
    ).toBe(201);
  });

  it('pages through a township’s assignments, running and ended, with an opaque cursor', async () => {
    const { townshipId, villageIds, cadreIds } = await roster(2, 3);
    const [v0, v1] = villageIds as [string, string];
    const ended = await assign({ cadreId: cadreIds[0], villageId: v0, role: 'chief', from: '2026-01-01' });
    await admin.post(`/assignments/${ended.body.id}/end`, {});
    await assign({ cadreId: cadreIds[1], villageId: v0, role: 'chief' });
    await assign({ cadreId: cadreIds[2], villageId: v1, role: 'member' });

    const seen: string[] = [];
    const cursors: string[] = [];
    let next: string | undefined;
    do {
      const res = await admin.get(
        `/assignments?townshipId=${townshipId}&limit=1${next ? `&next=${next}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      next = res.body.next;
      if (next) cursors.push(next);
    } while (next && cursors.length < 10);
    expect(seen).toHaveLength(3);
    expect(seen).toContain(ended.body.id);

    const running = await admin.get(`/assignments?townshipId=${townshipId}&active=true`);
    expect(running.body.items.map((a: { cadreId: string }) => a.cadreId).sort()).toEqual(
      [cadreIds[1], cadreIds[2]].sort(),
    );
    const endedChiefs = await admin.get(`/assignments?townshipId=${townshipId}&active=false&role=chief`);
    expect(endedChiefs.body.items.map((a: { id: string }) => a.id)).toEqual([ended.body.id]);

    // A cursor only continues the list it came from.
    const foreign = await admin.get(`/assignments?villageId=${v0}&next=${cursors[0]}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('INVALID_CURSOR');
  });

  it('reports villages without a chief and chiefs of several villages (GET /coverage)', async () => {
    const { townshipId, villageIds, cadreIds } = await roster(3, 2);
    const [v0, v1, v2] = villageIds as [string, string, string];
    const [busy, single] = cadreIds as [string, string];
    await assign({ cadreId: busy, villageId: v0, role: 'chief' });
    await assign({ cadreId: busy, villageId: v1, role: 'chief' });
    // A member does not cover a village, and an ended chief no longer does.
    await assign({ cadreId: single, villageId: v2, role: 'member' });
    const gone = await assign({ cadreId: single, villageId: v1, role: 'member' });
    await admin.post(`/assignments/${gone.body.id}/end`, {});

    const res = await inspector.get(`/coverage?townshipId=${townshipId}`);
    expect(res.status).toBe(200);
    expect(res.body.villagesWithoutChief).toEqual([{ id: v2, name: '第2村', townshipId, category: 'deep' }]);
    expect(res.body.chiefsWithSeveralVillages).toEqual([
      {
        cadreId: busy,
        name: '干部0',
        villages: [
          { id: v0, name: '第0村', townshipId },
          { id: v1, name: '第1村', townshipId },
        ],
      },
    ]);
    expect(res.body.counts).toMatchObject({
      villages: 3,
      villagesWithoutChief: 1,
      chiefsWithSeveralVillages: 1,
    });

    const county = await admin.get('/coverage');
    expect(county.status).toBe(200);
    expect(county.body.villagesWithoutChief.map((v: { id: string }) => v.id)).toContain(v2);
    expect(county.body.chiefsWithSeveralVillages.map((c: { cadreId: string }) => c.cadreId)).toContain(busy);
  });

  it('counts a chief of villages in two townships when either township is asked for', async () => {
    const a = await roster(1, 1);
    const b = await roster(1, 0);
    const cadreId = a.cadreIds[0] as string;
    await assign({ cadreId, villageId: a.villageIds[0], role: 'chief' });
    await assign({ cadreId, villageId: b.villageIds[0], role: 'chief' });
    const res = await admin.get(`/coverage?townshipId=${b.townshipId}`);
    expect(res.body.chiefsWithSeveralVillages).toEqual([
      {
        cadreId,
        name: '干部0',
        villages: [
          { id: a.villageIds[0], name: '第0村', townshipId: a.townshipId },
          { id: b.villageIds[0], name: '第0村', townshipId: b.townshipId },
        ].sort((x, y) => x.townshipId.localeCompare(y.townshipId)),
      },
    ]);
    expect(res.body.counts).toMatchObject({
      villages: 1,
      villagesWithoutChief: 0,
      chiefsWithSeveralVillages: 1,
    });
  });

  describe('bad input', () => {
    let village: string;
    let cadre: string;
    let running: string;
    beforeAll(async () => {
      const r = await roster(1, 2);
      village = r.villageIds[0] as string;
      cadre = r.cadreIds[0] as string;
      running = (
        await assign({ cadreId: r.cadreIds[1], villageId: village, role: 'member', from: '2026-03-01' })
      ).body.id;
    });

    it.each([
      ['an unknown field', { role: 'member', extra: 1 }, 'body.extra', 'UNKNOWN_FIELD'],
      ['a date that does not exist', { role: 'member', from: '2026-02-30' }, 'body.from', undefined],
      ['a badly formatted date', { role: 'member', from: '2026/03/01' }, 'body.from', 'INVALID_FORMAT'],
      ['an unknown role', { role: 'leader' }, 'body.role', 'INVALID_VALUE'],
      ['a missing role', {}, 'body.role', 'INVALID_VALUE'],
      ['an overlong note', { role: 'member', note: '注'.repeat(201) }, 'body.note', 'TOO_BIG'],
      ['an unknown cadre', { role: 'member', cadreId: 'NO-SUCH-CADRE' }, 'body.cadreId', 'UNKNOWN_REFERENCE'],
      [
        'an unknown village',
        { role: 'member', villageId: 'NO-SUCH-VILLAGE' },
        'body.villageId',
        'UNKNOWN_REFERENCE',
      ],
      ['a malformed id', { role: 'member', cadreId: 'a#b' }, 'body.cadreId', 'INVALID_FORMAT'],
    ])('refuses an assignment with %s (400, Chinese field message)', async (_case, body, path, code) => {
      const res = await assign({ cadreId: cadre, villageId: village, ...body });
      expect(res.status).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field).toBeDefined();
      if (code) expect(field.code).toBe(code);
      expect(field.message).toMatch(/[\u4e00-\u9fff]/);
    });

    it('reports both unknown references at once', async () => {
      const res = await assign({ cadreId: 'NOPE-C', villageId: 'NOPE-V', role: 'chief' });
      expect(res.status).toBe(400);
      expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
        'body.cadreId',
        'body.villageId',
      ]);
    });

    it.each([
      ['an end before the start', { to: '2026-02-28' }, 'body.to', 'BEFORE_FROM'],
      ['a date that does not exist', { to: '2026-02-30' }, 'body.to', undefined],
      ['an unknown field', { until: '2026-04-01' }, 'body.until', 'UNKNOWN_FIELD'],
    ])('refuses ending with %s (400) and leaves it running', async (_case, body, path, code) => {
      const res = await admin.post(`/assignments/${running}/end`, body);
      expect(res.status).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field).toBeDefined();
      if (code) expect(field.code).toBe(code);
      expect((await admin.get(`/assignments/${running}`)).body.active).toBe(true);
    });

    it.each([
      ['on without village or cadre', 'on=2026-03-01', 'query.on', 'REQUIRES_VILLAGE_OR_CADRE'],
      ['active that is not a boolean', 'active=yes', 'query.active', 'INVALID_VALUE'],
      ['a limit past 100', 'limit=101', 'query.limit', 'TOO_BIG'],
      ['an unknown filter', 'colour=red', 'query.colour', 'UNKNOWN_FIELD'],
    ])('refuses a list with %s (400)', async (_case, qs, path, code) => {
      const res = await admin.get(`/assignments?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.error.fields.find((f: { path: string }) => f.path === path)).toMatchObject({ code });
    });

    it('answers 404 for an assignment that does not exist, read or ended', async () => {
      expect((await admin.get('/assignments/NOPE')).status).toBe(404);
      expect((await admin.post('/assignments/NOPE/end', {})).status).toBe(404);
    });
  });

  describe('authorisation', () => {
    it('lets a cadre list and read only their own assignments', async () => {
      const { villageIds, cadreIds } = await roster(2, 2);
      const [me, other] = cadreIds as [string, string];
      const mine = await assign({ cadreId: me, villageId: villageIds[0], role: 'chief' });
      const theirs = await assign({ cadreId: other, villageId: villageIds[1], role: 'chief' });
      const cadre = await t.as('cadre', me);

      const list = await cadre.get('/assignments');
      expect(list.status).toBe(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([mine.body.id]);
      // A village filter still shows only the caller's own rows.
      expect((await cadre.get(`/assignments?villageId=${villageIds[1]}`)).body.items).toEqual([]);
      expect((await cadre.get(`/assignments?cadreId=${other}`)).status).toBe(403);
      expect((await cadre.get(`/assignments/${mine.body.id}`)).status).toBe(200);
      expect((await cadre.get(`/assignments/${theirs.body.id}`)).status).toBe(403);
    });

    it.each([
      ['inspector', 'POST', '/assignments'],
      ['cadre', 'POST', '/assignments'],
      ['inspector', 'POST', '/assignments/X/end'],
      ['cadre', 'POST', '/assignments/X/end'],
      ['cadre', 'GET', '/coverage'],
    ] as const)('refuses %s on %s %s (403)', async (role, method, path) => {
      const caller = await t.as(role);
      const res =
        method === 'GET'
          ? await caller.get(path)
          : await caller.post(path, { cadreId: 'C', villageId: 'V', role: 'chief' });
      expect(res.status).toBe(403);
    });

    it('refuses callers without a token (401)', async () => {
      expect((await t.anonymous().get('/assignments')).status).toBe(401);
      expect((await t.anonymous().get('/coverage')).status).toBe(401);
    });
  });

  describe('retries and crashes', () => {
    it('replays a repeated create with the same Idempotency-Key and writes nothing new', async () => {
      const { villageIds, cadreIds } = await roster(1, 1);
      const body = { cadreId: cadreIds[0], villageId: villageIds[0], role: 'chief' };
      const key = { 'idempotency-key': uid('key-') };
      const [a, b] = await Promise.all([assign(body, key), assign(body, key)]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.id).toBe(b.body.id);
      const c = await assign(body, key);
      expect(c.body.id).toBe(a.body.id);
      expect(c.headers.get('idempotent-replayed')).toBe('true');
      expect((await admin.get(`/assignments?villageId=${villageIds[0]}`)).body.items).toHaveLength(1);
    });

    it('completes a retry after a crash between claiming the chief slot and writing the assignment', async () => {
      const { villageIds, cadreIds } = await roster(1, 1);
      const v = villageIds[0] as string;
      const key = uid('crash-');
      // What the crashed attempt left: the slot names the id derived from the key, no assignment item.
      const id = derivedId(admin.sub, key, 'assignment');
      await putItem({
        ...keys.chiefSlot(v),
        entity: 'chief-slot',
        assignmentId: id,
        villageId: v,
        claimedAt: new Date().toISOString(),
      });
      const res = await assign(
        { cadreId: cadreIds[0], villageId: v, role: 'chief' },
        { 'idempotency-key': key },
      );
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(id);
    });

    it('answers a retry after a crash past the assignment write with that assignment, writing nothing new', async () => {
      const { townshipId, villageIds, cadreIds } = await roster(1, 1);
      const v = villageIds[0] as string;
      const key = uid('crash-');
      const id = derivedId(admin.sub, key, 'assignment');
      // The crashed attempt wrote slots and item but never stored its idempotent response.
      const now = new Date();
      const first = await createAssignment(
        {
          id,
          cadreId: cadreIds[0] as string,
          villageId: v,
          townshipId,
          role: 'chief',
          from: today(),
          createdAt: now.toISOString(),
          createdBy: admin.sub,
        },
        now,
      );
      expect(first.kind).toBe('created');
      const res = await assign(
        { cadreId: cadreIds[0], villageId: v, role: 'chief' },
        { 'idempotency-key': key },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id, createdAt: now.toISOString() });
      expect((await admin.get(`/assignments?villageId=${v}`)).body.items).toHaveLength(1);
    });

    it('treats a freshly claimed slot without its assignment as a create in flight (409)', async () => {
      const { villageIds, cadreIds } = await roster(1, 1);
      const v = villageIds[0] as string;
      await putItem({
        ...keys.chiefSlot(v),
        entity: 'chief-slot',
        assignmentId: 'INFLIGHT',
        villageId: v,
        claimedAt: new Date().toISOString(),
      });
      const res = await assign({ cadreId: cadreIds[0], villageId: v, role: 'chief' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CHIEF_EXISTS');
    });

    it('clears a long-abandoned chief slot, voiding its id, and assigns the new chief', async () => {
      const { villageIds, cadreIds } = await roster(1, 1);
      const v = villageIds[0] as string;
      const abandoned = uid('GONE');
      await putItem({
        ...keys.chiefSlot(v),
        entity: 'chief-slot',
        assignmentId: abandoned,
        villageId: v,
        claimedAt: '2026-01-01T00:00:00.000Z',
      });
      const res = await assign({ cadreId: cadreIds[0], villageId: v, role: 'chief' });
      expect(res.status).toBe(201);
      expect(await getItem(keys.chiefSlot(v))).toMatchObject({ assignmentId: res.body.id });
      // The crashed writer can no longer complete the abandoned id.
      expect(await getItem(keys.assignment(abandoned))).toMatchObject({ entity: 'assignment-void' });
      expect((await admin.get(`/assignments/${abandoned}`)).status).toBe(404);
    });

    it('clears a slot left naming an ended assignment (crash after the end, before the release)', async () => {
      const { villageIds, cadreIds } = await roster(1, 2);
      const v = villageIds[0] as string;
      const first = await assign({ cadreId: cadreIds[0], villageId: v, role: 'chief' });
      await admin.post(`/assignments/${first.body.id}/end`, {});
      await putItem({
        ...keys.chiefSlot(v),
        entity: 'chief-slot',
        assignmentId: first.body.id,
        villageId: v,
        claimedAt: new Date().toISOString(),
      });
      expect((await assign({ cadreId: cadreIds[1], villageId: v, role: 'chief' })).status).toBe(201);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForEntity } from '../../functions/adapters/dynamo/audit.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Team roles (seed 002's 第一书记, 驻村工作队员, 帮扶干部, 村干部; configurable by the county), a member's
 * team role on their assignment, and a village's team as read by each role.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
const township = uid('T');
const otherTownship = uid('T');
const village = uid('V');
const otherVillage = uid('V');
const cadres = { chief: uid('CC'), member: uid('CM'), outsider: uid('CO') };
const assignmentIds: Record<string, string> = {};

const DEFAULTS = [
  { id: 'first-secretary', name: '第一书记' },
  { id: 'work-team', name: '驻村工作队员' },
  { id: 'helper', name: '帮扶干部' },
  { id: 'village-cadre', name: '村干部' },
];

async function put(caller: Caller, path: string, body: unknown, headers: Record<string, string> = {}) {
  return caller.send('PUT', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  for (const [id, name] of [
    [township, '青石乡'],
    [otherTownship, '白岩镇'],
  ])
    expect((await admin.post('/townships', { id, name })).status).toBe(201);
  for (const [id, name, townshipId] of [
    [village, '石门村', township],
    [otherVillage, '白岩村', otherTownship],
  ])
    expect((await admin.post('/villages', { id, name, townshipId, category: 'general' })).status).toBe(201);
  for (const [key, id] of Object.entries(cadres))
    expect(
      (await admin.post('/cadres', { id, name: `干部${key}`, unit: '县农业农村局', rank: 'staff' })).status,
    ).toBe(201);
  const chief = await admin.post('/assignments', {
    cadreId: cadres.chief,
    villageId: village,
    role: 'chief',
  });
  expect(chief.status).toBe(201);
  assignmentIds.chief = chief.body.id;
  // An assignment made before team roles existed reads as a member without a role.
  const member = await admin.post('/assignments', {
    cadreId: cadres.member,
    villageId: village,
    role: 'member',
  });
  expect(member.status).toBe(201);
  expect(member.body).not.toHaveProperty('teamRole');
  assignmentIds.member = member.body.id;
  const outsider = await admin.post('/assignments', {
    cadreId: cadres.outsider,
    villageId: otherVillage,
    role: 'chief',
  });
  assignmentIds.outsider = outsider.body.id;
});
afterAll(async () => {
  await t.stop();
});

describe('the county list of team roles', () => {
  it("starts with seed 002's four roles at version 1, readable by every role", async () => {
    for (const caller of [admin, inspector, await t.as('cadre', cadres.member)]) {
      const res = await caller.get('/team-roles');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        roles: DEFAULTS,
        retired: [],
        version: 1,
        updatedAt: null,
        updatedBy: null,
      });
      expect(res.headers.get('etag')).toBe('"1"');
    }
  });

  it('refuses a change without If-Match (428) or from a stale version (412), writing nothing', async () => {
    const body = { roles: [...DEFAULTS, { id: 'volunteer', name: '志愿者' }] };
    const without = await put(admin, '/team-roles', body);
    expect(without.status).toBe(428);
    expect(without.body.error.code).toBe('PRECONDITION_REQUIRED');
    const stale = await put(admin, '/team-roles', body, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.message).toContain('已被他人修改');
    expect((await admin.get('/team-roles')).body.version).toBe(1);
  });

  it.each([
    ['an empty list', { roles: [] }, 'body.roles', '至少保留一个队伍角色'],
    [
      'a repeated code',
      { roles: [DEFAULTS[0], { id: 'first-secretary', name: '另一个' }] },
      'body.roles.1.id',
      '角色代码重复',
    ],
    [
      'a repeated name',
      { roles: [DEFAULTS[0], { id: 'x', name: '第一书记' }] },
      'body.roles.1.name',
      '角色名称重复',
    ],
    ['a code with capitals', { roles: [{ id: 'First', name: '第一书记' }] }, 'body.roles.0.id', '小写字母'],
    ['a blank name', { roles: [{ id: 'a', name: '  ' }] }, 'body.roles.0.name', '不能为空'],
  ])('refuses %s with a Chinese field message (400)', async (_what, body, path, message) => {
    const res = await put(admin, '/team-roles', body, { 'if-match': '"1"' });
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field?.message).toContain(message);
    expect((await admin.get('/team-roles')).body.version).toBe(1);
  });

  it('lets only HQ change it', async () => {
    for (const caller of [inspector, await t.as('cadre', cadres.chief)]) {
      const res = await put(caller, '/team-roles', { roles: DEFAULTS }, { 'if-match': '"1"' });
      expect(res.status).toBe(403);
    }
  });
});

describe("a member's team role", () => {
  it('sets a role on a running assignment, audited with before and after; the same again writes nothing', async () => {
    const res = await put(admin, `/assignments/${assignmentIds.member}/team-role`, {
      teamRole: 'first-secretary',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ teamRole: 'first-secretary', teamRoleLabel: '第一书记' });
    const again = await put(admin, `/assignments/${assignmentIds.member}/team-role`, {
      teamRole: 'first-secretary',
    });
    expect(again.status).toBe(200);
    const audit = await listAuditForEntity('assignment', assignmentIds.member!, 10);
    const entries = audit.items.filter((a) => a.action === 'team-role');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.changes).toEqual({
      before: { teamRole: null },
      after: { teamRole: 'first-secretary' },
    });
    expect((await admin.get(`/assignments/${assignmentIds.member}`)).body.teamRoleLabel).toBe('第一书记');
  });

  it('refuses a role the county does not offer, naming the roles it does (400), and changes nothing', async () => {
    const res = await put(admin, `/assignments/${assignmentIds.member}/team-role`, { teamRole: 'captain' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      {
        path: 'body.teamRole',
        code: 'UNKNOWN_TEAM_ROLE',
        message: expect.stringContaining('第一书记、驻村工作队员、帮扶干部、村干部'),
      },
    ]);
    expect((await admin.get(`/assignments/${assignmentIds.member}`)).body.teamRole).toBe('first-secretary');
  });

  it('takes a team role when the assignment is made, and refuses an unknown one there too', async () => {
    const cadre = uid('CX');
    expect(
      (await admin.post('/cadres', { id: cadre, name: '帮扶人', unit: '县卫健局', rank: 'general' })).status,
    ).toBe(201);
    const bad = await admin.post('/assignments', {
      cadreId: cadre,
      villageId: village,
      role: 'member',
      teamRole: 'nope',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0]).toMatchObject({ path: 'body.teamRole', code: 'UNKNOWN_TEAM_ROLE' });
    const res = await admin.post('/assignments', {
      cadreId: cadre,
      villageId: village,
      role: 'member',
      teamRole: 'helper',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ teamRole: 'helper', teamRoleLabel: '帮扶干部' });
    // Cleared again with null; the end leaves the team.
    const cleared = await put(admin, `/assignments/${res.body.id}/team-role`, { teamRole: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('teamRole');
    expect((await admin.post(`/assignments/${res.body.id}/end`, {})).status).toBe(200);
    const ended = await put(admin, `/assignments/${res.body.id}/team-role`, { teamRole: 'helper' });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('ALREADY_ENDED');
  });

  it('answers 404 for an unknown assignment and 403 to anyone but HQ', async () => {
    expect((await put(admin, '/assignments/NOPE-1/team-role', { teamRole: null })).status).toBe(404);
    const cadre = await t.as('cadre', cadres.chief);
    const res = await put(cadre, `/assignments/${assignmentIds.member}/team-role`, { teamRole: 'helper' });
    expect(res.status).toBe(403);
  });
});

describe("a village's team", () => {
  it('lists the chief first, then members with their team roles', async () => {
    const res = await admin.get(`/villages/${village}/team`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ villageId: village, villageName: '石门村', townshipId: township });
    expect(res.body.chief).toMatchObject({ cadreId: cadres.chief, role: 'chief', roleLabel: '总队长' });
    expect(
      res.body.members.map((m: { cadreId: string; teamRoleLabel: string | null }) => [
        m.cadreId,
        m.teamRoleLabel,
      ]),
    ).toEqual([
      [cadres.chief, null],
      [cadres.member, '第一书记'],
    ]);
  });

  it("is read by the team's own members, never by a cadre outside it (403)", async () => {
    expect((await (await t.as('cadre', cadres.member)).get(`/villages/${village}/team`)).status).toBe(200);
    const outsider = await (await t.as('cadre', cadres.outsider)).get(`/villages/${village}/team`);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toBe('您不在该村工作队中，无权查看');
  });

  it('lists the teams a chief leads, to the chief and to HQ only', async () => {
    const chief = await t.as('cadre', cadres.chief);
    const res = await chief.get(`/cadres/${cadres.chief}/teams`);
    expect(res.status).toBe(200);
    expect(res.body.teams.map((team: { villageId: string }) => team.villageId)).toEqual([village]);
    expect((await chief.get(`/cadres/${cadres.outsider}/teams`)).status).toBe(403);
    expect((await admin.get(`/cadres/${cadres.member}/teams`)).body.teams).toEqual([]);
    expect((await admin.get('/cadres/NOPE-1/teams')).status).toBe(404);
  });
});

describe('renaming and retiring roles', () => {
  it('renames live, keeps a retired role readable on the assignments that carry it, and audits the change', async () => {
    const roles = [
      { id: 'work-team', name: '驻村工作队员' },
      { id: 'helper', name: '结对帮扶干部' },
      { id: 'village-cadre', name: '村干部' },
    ];
    const res = await put(admin, '/team-roles', { roles }, { 'if-match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles, retired: [DEFAULTS[0]], version: 2, updatedBy: admin.sub });
    expect(res.headers.get('etag')).toBe('"2"');
    // The same list again (a retried PUT) is answered as it is, even from the old version.
    const again = await put(admin, '/team-roles', { roles }, { 'if-match': '"1"' });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    // 第一书记 is no longer offered, but the member who has it still reads it.
    expect((await admin.get(`/assignments/${assignmentIds.member}`)).body.teamRoleLabel).toBe('第一书记');
    const refused = await put(admin, `/assignments/${assignmentIds.chief}/team-role`, {
      teamRole: 'first-secretary',
    });
    expect(refused.status).toBe(400);
    const audit = await listAuditForEntity('setting', 'team-roles', 10);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.changes).toMatchObject({
      before: { roles: DEFAULTS },
      after: { roles },
      version: 2,
    });
  });

  it('lets exactly one of two concurrent changes from one version win', async () => {
    const current = (await admin.get('/team-roles')).body;
    const etag = `"${current.version}"`;
    const [a, b] = await Promise.all([
      put(admin, '/team-roles', { roles: [...current.roles, { id: 'a', name: '甲' }] }, { 'if-match': etag }),
      put(admin, '/team-roles', { roles: [...current.roles, { id: 'b', name: '乙' }] }, { 'if-match': etag }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    expect((await admin.get('/team-roles')).body.version).toBe(current.version + 1);
  });
});

import { listTownships } from '../../functions/adapters/dynamo/roster.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import {
  ACCEPTED_NOTES,
  DEMO_ADMIN,
  DEMO_COUNTY_NAME,
  DEMO_INSPECTORS,
  DEMO_MARKER_TOWNSHIP,
  type DemoActivity,
  type DemoProblem,
  type DemoRoster,
  demoActivity,
  demoRoster,
  INCOMPLETE_NOTES,
  RECTIFICATION_NOTES,
  REJECTED_NOTES,
} from './demo-county.ts';
import { demoPhoto } from './demo-photos.ts';
import { seedAssessments } from './seed-demo-assessments.ts';
import { seedHandoff } from './seed-demo-handoffs.ts';
import { QUOTA_DEMO_REPORTS, seedQuotas } from './seed-demo-quotas.ts';

/** The township whose tiers the demo spreads on purpose (云溪镇): corrections happen elsewhere. */
const SHOWCASE_TOWNSHIP = 'T01';

/**
 * Loads the fictional demo county through the public HTTP API, exactly as an external client would:
 * signed in with local tokens, one Idempotency-Key per POST. Going through the API means the demo
 * obeys every rule the handlers enforce (one chief per village, own-assignment reports...).
 *
 * Re-running is harmless:
 * - the roster is created by id (an identical create answers 200);
 * - assignments are only sent for villages that still have no chief (members first, chief last, so
 *   a village with a chief is complete);
 * - the activity is dated relative to the day the demo was first seeded, with keys that embed that
 *   day: a same-day re-run replays every request; on a later day (keys expired, dates moved) the
 *   activity is left alone if any dispatch exists.
 */
export interface SeedDemoOptions {
  /** Base URL of a running Baocun API, e.g. http://127.0.0.1:3000. */
  url: string;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Clock, for tests; defaults to now. */
  now?: () => Date;
}

export interface DemoSummary {
  county: string;
  /** Beijing date the activity is dated from. */
  anchor: string;
  activity: 'seeded' | 'already-present';
  townships: number;
  villages: number;
  cadres: number;
  assignments: number;
  dispatches: number;
  progressReports: number;
  inspections: number;
  problems: number;
  rectifications: number;
  falseRectifications: number;
  verifiedProblems: number;
  directReports: number;
  acknowledged: number;
  /** POSTs that wrote something new, and those answered from what was already there. */
  created: number;
  existing: number;
  ms: number;
  /** Milliseconds per step. */
  timings: Record<string, number>;
  users: { admin: string; inspectors: string[]; cadres: string };
}

/** Cheap check used by `npm start`: does the in-process store hold any township? */
export async function hasDemoData(): Promise<boolean> {
  return (await listTownships(1)).items.length > 0;
}

const KEY_PREFIX = 'baocun-demo';

/** A seed step the API refused; its message says which request and why. */
export class SeedError extends Error {}

interface Reply {
  status: number;
  replayed: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API
  body: any;
}

type Role = 'admin' | 'inspector' | 'cadre';

/** A tiny API client: tokens per user, JSON in and out, a bounded number of requests in flight. */
class Api {
  private readonly tokens = new Map<string, Promise<string>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  created = 0;
  existing = 0;
  /** Milliseconds per seeding step, to see where the time goes. */
  readonly timings: Record<string, number> = {};

  constructor(
    private readonly url: string,
    private readonly concurrency: number,
  ) {}

  private async slot<T>(run: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await run();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private token(sub: string, role: Role): Promise<string> {
    const id = `${role}:${sub}`;
    let token = this.tokens.get(id);
    if (!token) {
      token = (async () => {
        const res = await this.slot(() =>
          fetch(`${this.url}/local/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sub, role }),
          }),
        );
        if (!res.ok) {
          throw new SeedError(
            `${this.url} 没有提供本地登录（POST /local/token → ${res.status}）：演示数据只能写入本地启动的 Baocun。`,
          );
        }
        return ((await res.json()) as { token: string }).token;
      })();
      this.tokens.set(id, token);
    }
    return token;
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    path: string,
    as: [string, Role],
    body?: unknown,
    key?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<Reply> {
    const token = await this.token(...as);
    return this.slot(async () => {
      // The server keeps a 4xx under its Idempotency-Key, so a retry after losing a write race
      // (CONCURRENT_UPDATE, nothing written) needs a key of its own: `#2`, `#3`, stable across runs.
      let variant = 1;
      for (let attempt = 1; ; attempt++) {
        const idempotencyKey = key ? `${KEY_PREFIX}:${key}${variant > 1 ? `#${variant}` : ''}` : undefined;
        const res = await fetch(`${this.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            ...extraHeaders,
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // keep the text for the error message
        }
        const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code;
        // A twin request still holding the key, or a momentary server error: the key is free again.
        const busy = (res.status === 409 && code === 'IDEMPOTENCY_IN_PROGRESS') || res.status >= 500;
        const raced = res.status === 409 && code === 'CONCURRENT_UPDATE';
        if ((busy || raced) && attempt < 5) {
          if (raced) variant++;
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        return {
          status: res.status,
          replayed: res.headers.get('idempotent-replayed') === 'true',
          body: parsed,
        };
      }
    });
  }

  /**
   * A POST that must succeed; counts whether it wrote something new. A replayed response, or a 200
   * where a create answers 201 (the roster's "identical item already there"), wrote nothing.
   */
  async create(
    path: string,
    as: [string, Role],
    body: unknown,
    key: string,
    freshStatus = 201,
  ): Promise<Reply> {
    const reply = await this.request('POST', path, as, body, key);
    if (reply.status >= 300) throw failure('POST', path, reply, body);
    if (reply.status === freshStatus && !reply.replayed) this.created++;
    else this.existing++;
    return reply;
  }

  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run();
    } finally {
      this.timings[name] = (this.timings[name] ?? 0) + Date.now() - started;
    }
  }

  async get(path: string, as: [string, Role] = [DEMO_ADMIN, 'admin']): Promise<Reply> {
    return this.request('GET', path, as);
  }

  /**
   * An evidence photo as a phone sends it (docs/photos.md): POST /uploads, then the bytes PUT to the
   * URL it returns. Again on a re-run: the same key gives the same upload, and a photo a record
   * already claimed refuses the PUT (409), which is fine.
   */
  async photo(
    as: [string, Role],
    purpose: 'problem' | 'rectification',
    bytes: Buffer,
    key: string,
  ): Promise<string> {
    const body = { purpose, contentType: 'image/jpeg', size: bytes.length };
    const ticket = await this.create('/uploads', as, body, key);
    const { id, uploadUrl, headers } = ticket.body as {
      id: string;
      uploadUrl: string;
      headers: Record<string, string>;
    };
    const res = await this.slot(() =>
      fetch(new URL(uploadUrl, this.url), { method: 'PUT', headers, body: new Uint8Array(bytes) }),
    );
    if (!res.ok && res.status !== 409) {
      throw new SeedError(
        `演示照片上传失败 / demo photo upload failed: PUT → ${res.status} ${await res.text()}`,
      );
    }
    return id;
  }
}

function failure(method: string, path: string, reply: Reply, body?: unknown): SeedError {
  const detail = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const sent = body === undefined ? '' : `\n  sent: ${JSON.stringify(body)}`;
  return new SeedError(
    `演示数据写入失败 / demo seed failed: ${method} ${path} → ${reply.status} ${detail.slice(0, 600)}${sent}`,
  );
}

const ADMIN: [string, Role] = [DEMO_ADMIN, 'admin'];
/** Assignments start this many days before the anchor: before the oldest week of the history. */
const DEMO_ASSIGNED_DAYS = 75;
/** How many of the demo's inspections carry an evidence photo on a problem later rectified. */
const DEMO_PHOTO_INSPECTIONS = 12;
const inspector = (id: string): [string, Role] => [id, 'inspector'];
const cadre = (id: string): [string, Role] => [id, 'cadre'];

/** A stable small number from a key (FNV-1a), to vary notes and inspectors without randomness. */
function spread(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function all<T>(items: readonly T[], run: (item: T, index: number) => Promise<unknown>): Promise<unknown[]> {
  return Promise.all(items.map(run));
}

/** Ids of the villages the coverage report lists as having no chief. */
async function villagesWithoutChief(api: Api): Promise<Set<string>> {
  const reply = await api.get('/coverage');
  if (reply.status !== 200) throw failure('GET', '/coverage', reply);
  return new Set((reply.body.villagesWithoutChief as { id: string }[]).map((v) => v.id));
}

async function seedRoster(api: Api, roster: DemoRoster): Promise<void> {
  await all(roster.townships, (t) => api.create('/townships', ADMIN, t, `township:${t.id}`));
  // Units before the cadres that belong to them.
  await all(roster.units, (u) => api.create('/units', ADMIN, u, `unit:${u.id}`));
  // Who receives the weekly bulletin (fictional addresses): the county office and each township.
  await api.create(
    '/recipients',
    ADMIN,
    { name: '县委办公室', email: 'xianwei@qinglan.example', scope: 'county' },
    'recipient:county',
  );
  await all(roster.townships, (t) =>
    api.create(
      '/recipients',
      ADMIN,
      {
        name: `${t.name}党委`,
        email: `${t.id.toLowerCase()}@qinglan.example`,
        scope: 'township',
        townshipId: t.id,
      },
      `recipient:${t.id}`,
    ),
  );
  await all(
    roster.cadres.filter((c) => c.townshipId === undefined),
    (c) => seedCadre(api, c),
  );
  await all([...roster.villages, ...roster.cadres.filter((c) => c.townshipId !== undefined)], (item) =>
    'category' in item ? api.create('/villages', ADMIN, item, `village:${item.id}`) : seedCadre(api, item),
  );
}

/**
 * A cadre with their unit. A demo folder seeded before units existed holds the cadre without
 * `unitId` (the create answers 409, content differs): the unit is then set by a correction.
 */
async function seedCadre(api: Api, c: DemoRoster['cadres'][number]): Promise<void> {
  const reply = await api.request('POST', '/cadres', ADMIN, c, `cadre:${c.id}:unit`);
  if (reply.status < 300) {
    if (reply.status === 201 && !reply.replayed) api.created++;
    else api.existing++;
    return;
  }
  if (reply.status !== 409 || !c.unitId) throw failure('POST', '/cadres', reply, c);
  const current = await api.get(`/cadres/${c.id}`);
  if (current.status !== 200) throw failure('GET', `/cadres/${c.id}`, current);
  if (current.body.unitId === c.unitId) return;
  const fixed = await api.request('PATCH', `/cadres/${c.id}`, ADMIN, { unitId: c.unitId }, undefined, {
    'if-match': `"${current.body.version}"`,
  });
  if (fixed.status !== 200) throw failure('PATCH', `/cadres/${c.id}`, fixed, { unitId: c.unitId });
  api.existing++;
}

/**
 * County leaders over townships (T05 left without one) and the districts of two townships. A
 * re-run after the keys expired meets ALREADY_LEADER or, for an ended period, LEADER_PERIOD_OVERLAP (in place already) and identical districts (200).
 */
async function seedOrganisation(api: Api, roster: DemoRoster): Promise<void> {
  await all(roster.leaders, async (l) => {
    const reply = await api.request(
      'POST',
      `/townships/${l.townshipId}/leaders`,
      ADMIN,
      { cadreId: l.cadreId, from: l.from, ...(l.to ? { to: l.to } : {}) },
      `leader:${l.townshipId}:${l.cadreId}`,
    );
    // After the keys expired: the running period is in place (ALREADY_LEADER), the ended one overlaps itself.
    const code = reply.status === 409 ? reply.body?.error?.code : undefined;
    if (code === 'ALREADY_LEADER' || (l.to && code === 'LEADER_PERIOD_OVERLAP')) api.existing++;
    else if (reply.status >= 300) throw failure('POST', `/townships/${l.townshipId}/leaders`, reply, l);
    else if (reply.replayed) api.existing++;
    else api.created++;
  });
  await all(roster.districts, (d) => api.create('/districts', ADMIN, d, `district:${d.id}`));
}

async function seedAssignments(api: Api, roster: DemoRoster): Promise<void> {
  const missing = await villagesWithoutChief(api);
  const todo = roster.villages.filter((v) => missing.has(v.id));
  await all(todo, async (village) => {
    // Members first, the chief last: a village with a chief is a finished village.
    for (const a of roster.assignments.filter((x) => x.villageId === village.id)) {
      const reply = await api.request(
        'POST',
        '/assignments',
        ADMIN,
        a,
        `assignment:${a.from}:${a.villageId}:${a.role}:${a.cadreId}`,
      );
      // Already in place from an earlier run that stopped half-way through this village.
      if (reply.status === 409 && ['ALREADY_ASSIGNED', 'CHIEF_EXISTS'].includes(reply.body?.error?.code)) {
        api.existing++;
        continue;
      }
      if (reply.status >= 300) throw failure('POST', '/assignments', reply, a);
      if (reply.status === 201 && !reply.replayed) api.created++;
      else api.existing++;
    }
  });
}

/** Team roles of the demo villages' members (seed 002's four teams, in turn), set where not yet set. */
const DEMO_TEAM_ROLES = ['first-secretary', 'work-team', 'helper', 'village-cadre'] as const;

async function seedTeams(api: Api, roster: DemoRoster): Promise<void> {
  await all(roster.villages, async (village, index) => {
    const reply = await api.get(
      `/assignments?villageId=${encodeURIComponent(village.id)}&active=true&limit=100`,
    );
    if (reply.status !== 200) throw failure('GET', `/assignments?villageId=${village.id}`, reply);
    const members = (reply.body.items as { id: string; role: string; teamRole?: string }[]).filter(
      (a) => a.role === 'member',
    );
    await all(members, async (a, n) => {
      if (a.teamRole) {
        api.existing++;
        return;
      }
      const body = { teamRole: DEMO_TEAM_ROLES[(index + n) % DEMO_TEAM_ROLES.length] };
      const put = await api.request('PUT', `/assignments/${a.id}/team-role`, ADMIN, body);
      if (put.status !== 200) throw failure('PUT', `/assignments/${a.id}/team-role`, put, body);
      api.created++;
    });
  });
}

/**
 * One order a chief gave their team (下达指令, seed 002), numbered in HQ's series, with the member's
 * first progress report: the chief of the showcase township's first village.
 */
async function seedTeamOrder(api: Api, anchor: string, roster: DemoRoster): Promise<void> {
  const village = roster.villages.find((v) => v.townshipId === SHOWCASE_TOWNSHIP);
  const chief = roster.assignments.find((a) => a.villageId === village?.id && a.role === 'chief');
  const member = roster.assignments.find((a) => a.villageId === village?.id && a.role === 'member');
  if (!village || !chief || !member) return;
  const order = await api.create(
    '/dispatches',
    cadre(chief.cadreId),
    {
      title: '排查山塘水位并拍照上报',
      category: '工作队指令',
      description: '逐塘查看蓄水情况，缺水的塘登记户数和牲畜数，当天报总队长。',
      deadline: `${addDays(anchor, 3)}T18:00:00+08:00`,
      assignees: [{ cadreId: member.cadreId, villageId: village.id }],
    },
    `${anchor}:team-order`,
  );
  await api.create(
    `/dispatches/${order.body.id}/reports`,
    cadre(member.cadreId),
    { status: 'in_progress', note: '已查看三口塘，两口水位偏低，正在登记缺水户。' },
    `${anchor}:team-order:report:1`,
  );
}

interface ActivityCounts {
  progressReports: number;
  problems: number;
  rectifications: number;
  falseRectifications: number;
  verifiedProblems: number;
  acknowledged: number;
}

async function seedActivity(api: Api, activity: DemoActivity, roster: DemoRoster): Promise<ActivityCounts> {
  const k = (what: string) => `${activity.anchor}:${what}`;
  const counts: ActivityCounts = {
    progressReports: 0,
    problems: 0,
    rectifications: 0,
    falseRectifications: 0,
    verifiedProblems: 0,
    acknowledged: 0,
  };

  // 1. Dispatches, then each assignee's progress reports in order.
  const dispatchIds = new Map<string, string>();
  // One at a time, so a fresh county's forms are numbered in the order they are listed here.
  await api.step('dispatches', async () => {
    for (const { key, reports: _reports, ...body } of activity.dispatches) {
      const reply = await api.create('/dispatches', ADMIN, body, k(key));
      dispatchIds.set(key, String(reply.body.id));
    }
  });
  await api.step('team orders', () => seedTeamOrder(api, activity.anchor, roster));
  await api.step('progress reports', () =>
    all(activity.dispatches, (d) => {
      const byAssignee = new Map<string, typeof d.reports>();
      for (const r of d.reports)
        byAssignee.set(`${r.cadreId}:${r.villageId}`, [
          ...(byAssignee.get(`${r.cadreId}:${r.villageId}`) ?? []),
          r,
        ]);
      return all([...byAssignee.entries()], async ([assignee, reports]) => {
        for (const [n, r] of reports.entries()) {
          await api.create(
            `/dispatches/${dispatchIds.get(d.key)}/reports`,
            cadre(r.cadreId),
            { status: r.status, note: r.note, villageId: r.villageId },
            k(`report:${d.key}:${assignee}:${n + 1}`),
          );
          counts.progressReports++;
        }
      });
    }),
  );

  // 2. Inspections; the response lists the problem ids in the order the problems were sent.
  const problems: {
    id: string;
    cadreId: string;
    spec: DemoProblem;
    key: string;
    inspectionKey: string;
    villageId: string;
  }[] = [];
  const inspectionIds = new Map<string, string>();
  // Evidence photos (docs/photos.md): in the first few inspections with a problem that is rectified,
  // that problem carries one and its first rectification an "after" picture, so the verification
  // queue and the problem pages show before and after.
  const photographed = new Set(
    activity.inspections
      .map((i) => {
        const n = i.findings
          .flatMap((f) => f.problems)
          .findIndex((p) => p.fate === 'accepted' || p.fate === 'pending');
        return n < 0 ? undefined : `${i.key}:${n}`;
      })
      .filter((key) => key !== undefined)
      .slice(0, DEMO_PHOTO_INSPECTIONS),
  );
  await api.step('inspections', () =>
    all(activity.inspections, async (inspection) => {
      const who = inspector(inspection.inspector);
      const total = inspection.findings.reduce((n, f) => n + f.problems.length, 0);
      const pictured = Array.from({ length: total }, (_, n) => n).find((n) =>
        photographed.has(`${inspection.key}:${n}`),
      );
      const photoId =
        pictured !== undefined
          ? await api.photo(
              who,
              'problem',
              await demoPhoto('before', spread(inspection.key), inspection.date),
              k(`photo:${inspection.key}:${pictured}`),
            )
          : undefined;
      let position = 0;
      const body = {
        villageId: inspection.villageId,
        date: inspection.date,
        mode: inspection.mode,
        findings: inspection.findings.map(({ dispatchKey, problems: list, ...finding }) => ({
          ...finding,
          ...(dispatchKey ? { dispatchId: dispatchIds.get(dispatchKey) } : {}),
          problems: list.map(({ fate: _fate, ...p }) => ({
            ...p,
            ...(photoId && position++ === pictured ? { photoIds: [photoId] } : {}),
          })),
        })),
      };
      const reply = await api.create(
        '/inspections',
        inspector(inspection.inspector),
        body,
        k(inspection.key),
      );
      const ids = (reply.body.problemIds ?? []) as string[];
      inspectionIds.set(inspection.key, String(reply.body.id));
      let n = 0;
      for (const finding of inspection.findings) {
        for (const spec of finding.problems) {
          const id = ids[n];
          if (id === undefined)
            throw new SeedError(`POST /inspections (${inspection.key}) 返回的问题编号数量不符`);
          problems.push({
            id,
            cadreId: finding.cadreId,
            spec,
            key: `${inspection.key}:${n}`,
            inspectionKey: inspection.key,
            villageId: inspection.villageId,
          });
          n++;
        }
      }
    }),
  );
  counts.problems = problems.length;

  // 3. Rectification → verification, as the cadre and an inspector would, in rounds.
  const touched = problems.filter((p) => p.spec.fate !== 'open');
  const rectify = async (p: (typeof problems)[number], round: number) => {
    const photoIds =
      round === 1 && photographed.has(p.key)
        ? [
            await api.photo(
              cadre(p.cadreId),
              'rectification',
              await demoPhoto('after', spread(p.key), activity.anchor),
              k(`photo:rectify:${p.key}`),
            ),
          ]
        : undefined;
    await api.create(
      `/problems/${p.id}/rectifications`,
      cadre(p.cadreId),
      {
        note: RECTIFICATION_NOTES[(spread(p.key) + round) % RECTIFICATION_NOTES.length],
        ...(photoIds ? { photoIds } : {}),
      },
      k(`rectify:${p.key}:${round}`),
    );
    counts.rectifications++;
  };
  // HQ's corrections and the kinds of rejection show outside the showcase township (云溪镇, T01),
  // whose tiers the demo spreads on purpose: one 整改不到位 among the rejections, the rest 虚假整改.
  const townshipOf = new Map(roster.villages.map((v) => [v.id, v.townshipId]));
  // In key order: \`problems\` fills in the order the answers arrive, and a re-run must pick the very
  // same problems (the same requests under the same Idempotency-Keys).
  const elsewhere = problems
    .filter((p) => townshipOf.get(p.villageId) !== SHOWCASE_TOWNSHIP)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const verify = (p: (typeof problems)[number], round: number, outcome: 'accepted' | 'rejected') => {
    const kind = outcome === 'rejected' ? (p.spec.fate === 'incomplete' ? 'incomplete' : 'false') : undefined;
    const notes =
      kind === 'incomplete' ? INCOMPLETE_NOTES : outcome === 'accepted' ? ACCEPTED_NOTES : REJECTED_NOTES;
    return api
      .create(
        `/problems/${p.id}/verifications`,
        inspector(DEMO_INSPECTORS[spread(p.key) % 2] as string),
        { outcome, ...(kind ? { kind } : {}), note: notes[spread(p.key) % notes.length] },
        k(`verify:${p.key}:${round}`),
      )
      .then(() => {
        if (outcome === 'accepted') counts.verifiedProblems++;
        else if (kind === 'false') counts.falseRectifications++;
      });
  };
  await api.step('rectifications', () => all(touched, (p) => rectify(p, 1)));
  await api.step('verifications', () =>
    all(
      touched.filter((p) => p.spec.fate !== 'pending'),
      (p) => verify(p, 1, p.spec.fate === 'accepted' ? 'accepted' : 'rejected'),
    ),
  );
  await api.step('rectifications', () =>
    all(
      touched.filter((p) => p.spec.fate === 'false-pending'),
      (p) => rectify(p, 2),
    ),
  );

  // 4. HQ's corrections: one inspection voided (recorded against the wrong village), one deadline
  //    extended. Outside the showcase township, after the problems' own history.
  await api.step('corrections', async () => {
    // This week's (not yet evaluated: no revision of a finished week follows).
    const voided = elsewhere.find((p) => p.spec.fate === 'open' && p.inspectionKey.endsWith('-w0'));
    const voidedId = voided && inspectionIds.get(voided.inspectionKey);
    if (voided && voidedId) {
      await api.create(
        `/inspections/${voidedId}/void`,
        ADMIN,
        { reason: '督查组误将邻村情况记入本村，经核实作废，另行督查。' },
        k(`void:${voided.inspectionKey}`),
      );
    }
    const extended = elsewhere.find(
      (p) => p.spec.fate === 'open' && p.inspectionKey !== voided?.inspectionKey,
    );
    if (extended?.spec.rectifyBy) {
      // From the deadline as found and the anchor day, so a re-run sends the very same request.
      const rectifyBy = extended.spec.rectifyBy;
      const today = activity.anchor;
      await api.create(
        `/problems/${extended.id}/extensions`,
        ADMIN,
        {
          rectifyBy: addDays([rectifyBy, today].sort().at(-1) ?? today, 10),
          reason: '施工方案须经村民代表大会表决，经指挥部研究同意延期。',
        },
        k(`extend:${extended.key}`),
      );
    }
  });

  // 4a. The predefined major failure (重大失误) of the latest finished week: its notice of criticism
  //     (通报批评) comes with that week's bulletin.
  await api.step('major failures', () =>
    all(activity.majorFailures, (m) => {
      const { key, ...body } = m;
      return api.create('/major-failures', ADMIN, body, k(key));
    }),
  );

  // 4b. Visits to the village (驻村记录) over the last six days, by chiefs and team members: some
  // stayed the night (吃住在村), one was recorded far from the village. Visits may be recorded up to 7 days
  // late, so they are dated back from the anchor (today when the activity is written).
  await api.step('visits', () =>
    all(demoVisits(activity.anchor, roster), (v) => {
      const { key, cadreId, ...body } = v;
      return api.create('/visits', cadre(cadreId), body, k(key));
    }),
  );

  // 5. Direct reports from the villages, half of them answered by HQ.
  await api.step('direct reports', () =>
    all(activity.directReports, async (r) => {
      const { key, cadreId, acknowledge, handoff, ...body } = r;
      const reply = await api.create('/direct-reports', cadre(cadreId), body, k(key));
      if (acknowledge !== undefined) {
        await api.create(
          `/direct-reports/${reply.body.id}/acknowledge`,
          ADMIN,
          { note: acknowledge },
          k(`${key}:ack`),
          200,
        );
        counts.acknowledged++;
      }
      // Triaged, handed to a county department (转办), replied and closed (办结), or still open.
      if (handoff) await seedHandoff(api, reply.body.id, handoff, roster, activity.anchor, k(key));
    }),
  );

  // 6. The team leader's powers (seed 000): allocations, a verified violation, a sanctioned quota.
  await api.step('quotas', () => seedQuotas(api, roster, activity.anchor, k));
  // 7. Assessment binding: HQ's results of some villages for the quarter's scorecards.
  await api.step('assessments', () => seedAssessments(api, roster, activity.anchor));
  return counts;
}

/**
 * Which day the activity is dated from, and whether to write it: the day the demo roster first
 * appeared if that is today (a re-run replays every request); today if no dispatch exists yet;
 * otherwise the activity is already there, dated from an earlier day, and is left alone.
 */
/**
 * The visits of the last six days (the API takes them up to 7 days late, so older weeks have none):
 * chiefs 0–3 each, team members 0–2 per village, every third one overnight, one far away.
 */
function demoVisits(anchor: string, roster: DemoRoster) {
  const villages = new Map(roster.villages.map((v) => [v.id, v]));
  const chiefs = roster.assignments.filter((a) => a.role === 'chief');
  const members = roster.assignments.filter((a) => a.role === 'member');
  const memberVisits = members.flatMap((a, i) => {
    const village = villages.get(a.villageId);
    if (!village) return [];
    return Array.from({ length: i % 3 === 2 ? 2 : i % 2 }, (_, n) => ({
      key: `visit:${a.cadreId}:${a.villageId}:${n}`,
      cadreId: a.cadreId,
      villageId: a.villageId,
      at: `${addDays(anchor, -(1 + ((i * 2 + n * 3) % 6)))}T${String(9 + ((i + n * 4) % 8)).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}:00+08:00`,
      overnight: (i + n) % 3 === 1,
      location: {
        lat: Math.round((village.location.lat + ((i % 3) - 1) * 0.0012) * 1e6) / 1e6,
        lng: Math.round((village.location.lng + ((n % 3) - 1) * 0.0009) * 1e6) / 1e6,
        accuracy: 20 + (i % 4) * 10,
      },
      ...(n === 0 && i % 2 === 0
        ? { note: MEMBER_VISIT_NOTES[i % MEMBER_VISIT_NOTES.length] as string }
        : {}),
    }));
  });
  return [...memberVisits, ...chiefVisits(anchor, chiefs, villages)];
}

const MEMBER_VISIT_NOTES = [
  '入户核对防返贫监测户收入情况',
  '参加村两委会议，研究冬季供水保障',
  '走访留守老人，登记取暖需求',
  '查看村道边坡，督促清理落石',
] as const;

function chiefVisits(
  anchor: string,
  chiefs: DemoRoster['assignments'],
  villages: Map<string, DemoRoster['villages'][number]>,
) {
  return chiefs.flatMap((a, i) => {
    const village = villages.get(a.villageId);
    if (!village) return [];
    return Array.from({ length: i % 4 }, (_, n) => {
      const daysAgo = 1 + ((i + n * 2) % 6);
      const hour = 8 + ((i + n) % 9);
      const far = i === 5 && n === 0;
      const at = `${addDays(anchor, -daysAgo)}T${String(hour).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}:00+08:00`;
      return {
        key: `visit:${a.cadreId}:${n}`,
        cadreId: a.cadreId,
        villageId: a.villageId,
        at,
        overnight: (i + n) % 3 === 0,
        ...(n % 2 === 0 || far
          ? {
              location: {
                lat: Math.round((village.location.lat + (far ? 0.09 : ((i % 5) - 2) * 0.001)) * 1e6) / 1e6,
                lng: Math.round((village.location.lng + ((n % 3) - 1) * 0.001) * 1e6) / 1e6,
                accuracy: 15 + (i % 6) * 10,
              },
            }
          : {}),
        ...(n === 0 ? { note: far ? '在县城开会后补记' : '走访困难户，查看水窖蓄水情况' } : {}),
      };
    });
  });
}

/** Who signs the demo county's documents (fictional, like the county): its 机关代字 is in every number. */
export const DEMO_ISSUER = {
  countyName: DEMO_COUNTY_NAME,
  issuingBody: `中共${DEMO_COUNTY_NAME}委脱贫攻坚指挥部督查室`,
  agencyCode: '青脱指',
  cc: '县委办公室，县政府办公室，县委组织部，县纪委监委',
  signerTitle: '指挥长',
  rulesDocumentName: `${DEMO_COUNTY_NAME}干部包村工作督查问责办法`,
};

/**
 * The issuer settings, through PUT /settings/issuer as HQ's page saves them, before anything is
 * numbered. Only while never saved (version 0): a re-run leaves what HQ has changed since.
 */
async function seedIssuer(api: Api): Promise<void> {
  const current = await api.get('/settings/issuer');
  if (current.status !== 200) throw failure('GET', '/settings/issuer', current);
  if ((current.body as { version: number }).version !== 0) {
    api.existing++;
    return;
  }
  const reply = await api.request('PUT', '/settings/issuer', ADMIN, DEMO_ISSUER, 'issuer', {
    'if-match': '"0"',
  });
  // 412: a twin seeding saved first, with the same values.
  if (reply.status === 412) api.existing++;
  else if (reply.status === 200) api.created++;
  else throw failure('PUT', '/settings/issuer', reply, DEMO_ISSUER);
}

async function activityPlan(api: Api, today: string): Promise<{ anchor: string; write: boolean }> {
  const marker = await api.get(`/townships/${DEMO_MARKER_TOWNSHIP}`);
  if (marker.status === 404) return { anchor: today, write: true };
  if (marker.status !== 200) throw failure('GET', `/townships/${DEMO_MARKER_TOWNSHIP}`, marker);
  const firstSeeded = beijingDate(new Date(marker.body.createdAt));
  if (firstSeeded === today) return { anchor: today, write: true };
  const dispatches = await api.get('/dispatches?limit=1');
  if (dispatches.status !== 200) throw failure('GET', '/dispatches?limit=1', dispatches);
  return (dispatches.body.items ?? []).length === 0
    ? { anchor: today, write: true }
    : { anchor: firstSeeded, write: false };
}

export async function seedDemo(options: SeedDemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const api = new Api(options.url.replace(/\/+$/, ''), options.concurrency ?? 8);

  // First: every document numbered from here on carries the county's 机关代字.
  await api.step('issuer', () => seedIssuer(api));
  const { anchor, write } = await activityPlan(api, beijingDate(now()));
  // Assignments start well before the oldest inspection, so the cadres were responsible on those days.
  const roster = demoRoster(addDays(anchor, -DEMO_ASSIGNED_DAYS));
  await api.step('roster', () => seedRoster(api, roster));
  await api.step('assignments', () => seedAssignments(api, roster));
  await api.step('organisation', () => seedOrganisation(api, roster));
  await api.step('teams', () => seedTeams(api, roster));
  const activity = demoActivity(anchor, roster);
  const counts = write ? await seedActivity(api, activity, roster) : undefined;

  const problems = activity.inspections.flatMap((i) => i.findings.flatMap((f) => f.problems));
  return {
    county: DEMO_COUNTY_NAME,
    anchor,
    activity: write ? 'seeded' : 'already-present',
    townships: roster.townships.length,
    villages: roster.villages.length,
    cadres: roster.cadres.length,
    assignments: roster.assignments.length,
    // HQ's forms and the one order a chief gave their team (seedTeamOrder).
    dispatches: activity.dispatches.length + 1,
    progressReports: counts?.progressReports ?? activity.dispatches.reduce((n, d) => n + d.reports.length, 0),
    inspections: activity.inspections.length,
    problems: counts?.problems ?? problems.length,
    rectifications: counts?.rectifications ?? problems.filter((p) => p.fate !== 'open').length,
    falseRectifications:
      counts?.falseRectifications ?? problems.filter((p) => p.fate.startsWith('false')).length,
    verifiedProblems: counts?.verifiedProblems ?? problems.filter((p) => p.fate === 'accepted').length,
    // The quota demo's violation report comes on top of the activity's (seed-demo-quotas.ts).
    directReports: activity.directReports.length + QUOTA_DEMO_REPORTS,
    acknowledged:
      counts?.acknowledged ?? activity.directReports.filter((r) => r.acknowledge !== undefined).length,
    created: api.created,
    existing: api.existing,
    ms: Date.now() - started,
    timings: api.timings,
    users: { admin: DEMO_ADMIN, inspectors: [...DEMO_INSPECTORS], cadres: 'C001–C060' },
  };
}

/**
 * What the schedules would have run on a county with two months of activity, in order: the weekly
 * bulletin of each finished week of the history (W-8 … W-1: evaluation, bulletin, notices, talks
 * proposed), then a record of W-1 that arrived late and W-1 evaluated again (revision 2, marked 修订),
 * then the daily sweep (this week's provisional evaluation for the board and the circle, reminders,
 * appointment letters). Through `POST /jobs/{name}`, which queues the run (202), then following
 * `GET /jobs/runs/{runId}` until it is done, one job after the other. Returns each job's run status.
 */
export async function runDemoJobs(options: {
  url: string;
  log?: (line: string) => void;
}): Promise<Record<string, string>> {
  const log = options.log ?? (() => {});
  const api = new Api(options.url.replace(/\/+$/, ''), 1);
  log(
    '正在依次考评近八周、生成周通报和文书，再运行每日巡查（约一两分钟）… / evaluating the last eight weeks in order, then the daily sweep …',
  );
  const out: Record<string, string> = {};
  const run = async (job: string, week?: string): Promise<string> => {
    const res = await api.request('POST', `/jobs/${job}`, ADMIN, week ? { week } : undefined);
    const status =
      res.status === 202
        ? await finishedStatus(api, (res.body as { runId: string }).runId)
        : `HTTP ${res.status}`;
    const name = week ? `${job} ${week}` : job;
    out[name] = status;
    log(`  ${name}: ${status}`);
    return status;
  };
  const activity = await seededActivity(api);
  let lastWeek: string | undefined;
  for (const week of activity?.finishedWeeks ?? []) {
    if ((await run('weekly-bulletin', week)) !== 'succeeded') break;
    lastWeek = week;
  }
  if (activity && lastWeek && lastWeek === activity.finishedWeeks.at(-1)) {
    out.late = await seedLateRecord(api, activity, lastWeek);
    if (out.late === 'recorded') await run('weekly-bulletin', lastWeek);
  }
  if (!activity) await run('weekly-bulletin');
  await run('daily-sweep');
  out['weekly-bulletin'] = lastWeek || out['weekly-bulletin'] === 'succeeded' ? 'succeeded' : 'failed';
  if (out['weekly-bulletin'] === 'succeeded') out['follow-up'] = await seedFollowUp(api);
  if (out['weekly-bulletin'] === 'succeeded') out.talks = await seedTalks(api);
  return out;
}

/**
 * The demo activity as it was written, dated from the day the demo county was first seeded (the marker
 * township's createdAt); undefined when the folder holds no demo county.
 */
async function seededActivity(api: Api): Promise<DemoActivity | undefined> {
  const marker = await api.get(`/townships/${DEMO_MARKER_TOWNSHIP}`);
  if (marker.status !== 200) return undefined;
  const anchor = beijingDate(new Date(marker.body.createdAt));
  return demoActivity(anchor, demoRoster(addDays(anchor, -DEMO_ASSIGNED_DAYS)));
}

/**
 * An inspection of W-1 recorded after W-1 was evaluated (an offline record synced late): once. A
 * week whose evaluation is already a revision has had it.
 */
async function seedLateRecord(api: Api, activity: DemoActivity, week: string): Promise<string> {
  const current = await api.get(`/bulletins/${week}`);
  if (current.status !== 200) return `HTTP ${current.status}`;
  if ((current.body as { revision: number }).revision > 1) return 'already revised';
  const { key, inspector: who, findings, ...header } = activity.lateInspection;
  const body = {
    ...header,
    findings: findings.map(({ dispatchKey: _d, problems, ...f }) => ({
      ...f,
      problems: problems.map(({ fate: _fate, ...p }) => p),
    })),
  };
  await api.create('/inspections', inspector(who), body, `${activity.anchor}:${key}`);
  return 'recorded';
}

/**
 * Once last week is evaluated: the self-criticism meeting of its 检讨发言 tier (three speakers) and a
 * 干部营养餐 session whose roster is that week's training candidates, with attendance marked for the
 * first three (the first completed, the others attended only). Keys and ids derive from the week, so a re-run adds nothing.
 */
async function seedFollowUp(api: Api): Promise<string> {
  const weeks = await api.request('GET', '/bulletins?limit=1', ADMIN);
  const week = (weeks.body as { items?: { week: string }[] }).items?.[0]?.week;
  if (!week) return 'no evaluated week';
  const b = await api.request('GET', `/bulletins/${week}`, ADMIN);
  const cadres = (b.body as { cadres?: { cadreId: string; tier: string }[] }).cadres ?? [];
  const speakers = cadres.filter((c) => c.tier === 'selfCriticism').map((c) => c.cadreId);
  const today = beijingDate(new Date());
  if (speakers.length) {
    await api.create(
      '/self-criticism-meetings',
      ADMIN,
      {
        date: today,
        week,
        place: '县委大院第二会议室',
        speakerIds: speakers.slice(0, 3),
        attendeeIds: speakers.slice(3, 6),
        notes: '检讨发言人逐一说明问题原因和整改措施，表态限期整改到位。',
      },
      `self-criticism:${week}`,
    );
  }
  const training = await api.create(
    '/trainings',
    ADMIN,
    { title: '干部营养餐培训（第一期）', date: today, place: '县委党校', week },
    `training:${week}`,
  );
  const roster = (training.body as { id: string; roster: { cadreId: string }[] }).roster;
  const id = (training.body as { id: string }).id;
  for (const [i, row] of roster.slice(0, 3).entries()) {
    await api.create(
      `/trainings/${id}/attendance`,
      ADMIN,
      { cadreId: row.cadreId, attended: true, completed: i === 0 },
      `training:${week}:${row.cadreId}`,
      200,
    );
  }
  return `${speakers.length ? 'meeting, ' : ''}training (${roster.length} on the roster)`;
}

/**
 * Talks (docs/talks.md): last week's evaluation proposed them; HQ approves the first (numbering and
 * sending its notice), records it held, and its cadre acknowledges with a statement; the rest wait for
 * approval on the talks page. A re-run finds the first one closed and does nothing.
 */
export function seedDemoTalks(url: string): Promise<string> {
  return seedTalks(new Api(url.replace(/\/+$/, ''), 1));
}

async function seedTalks(api: Api): Promise<string> {
  const proposed = await api.request('GET', '/talks?limit=100', ADMIN);
  const talks = ((proposed.body as { items?: { id: string; cadreId: string; status: string }[] }).items ?? [])
    .slice()
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const first = talks[0];
  if (!first) return 'no talks proposed';
  if (first.status === 'proposed')
    await api.request('POST', `/talks/${first.id}/approve`, ADMIN, undefined, `talk:approve:${first.id}`);
  // A county leader (C001–C010) conducts it.
  const conductor = first.cadreId === 'C001' ? 'C002' : 'C001';
  const state = await api.request('GET', `/talks/${first.id}`, ADMIN);
  if ((state.body as { status?: string }).status === 'notified') {
    await api.request(
      'POST',
      `/talks/${first.id}/record`,
      ADMIN,
      {
        heldAt: new Date(Date.now() - 3_600_000).toISOString(),
        place: '县包村工作指挥部第一会议室',
        conductorIds: [conductor],
        notes:
          '指出本人包联村未销号问题，分析原因，要求一周内逐项整改到位并书面报告。\n本人表示接受批评，立即整改。',
      },
      `talk:record:${first.id}`,
    );
  }
  const held = await api.request('GET', `/talks/${first.id}`, ADMIN);
  if ((held.body as { status?: string }).status === 'held') {
    await api.request(
      'POST',
      `/talks/${first.id}/acknowledge`,
      cadre(first.cadreId),
      { statement: '诚恳接受组织谈话，三天内完成整改，今后每周驻村不少于两晚。' },
      `talk:acknowledge:${first.id}`,
    );
  }
  // With a longer history, every other state too: one held (record written, statement awaited), one
  // notified (the cadre has the notice), one waived with HQ's reason.
  const more = talks.length >= 5 ? await seedMoreTalks(api, talks.slice(1, 4)) : '';
  const waiting = (await api.request('GET', '/talks?limit=100', ADMIN)).body.items.filter(
    (t: { status: string }) => t.status === 'proposed',
  ).length;
  return `talks (${waiting} waiting for approval, 1 held and acknowledged${more})`;
}

async function seedMoreTalks(
  api: Api,
  [held, notified, waived]: { id: string; cadreId: string; status: string }[],
): Promise<string> {
  const status = async (id: string) =>
    ((await api.request('GET', `/talks/${id}`, ADMIN)).body as { status?: string }).status;
  for (const t of [held, notified]) {
    if (t && (await status(t.id)) === 'proposed')
      await api.request('POST', `/talks/${t.id}/approve`, ADMIN, undefined, `talk:approve:${t.id}`);
  }
  if (held && (await status(held.id)) === 'notified') {
    await api.request(
      'POST',
      `/talks/${held.id}/record`,
      ADMIN,
      {
        heldAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
        place: '县包村工作指挥部第二会议室',
        conductorIds: [held.cadreId === 'C003' ? 'C004' : 'C003'],
        notes:
          '通报督查发现的问题，指出驻村天数不足、台账不实；要求本周内补齐台账，下周起每周在村不少于四天。',
      },
      `talk:record:${held.id}`,
    );
  }
  if (waived && (await status(waived.id)) === 'proposed') {
    await api.request(
      'POST',
      `/talks/${waived.id}/waive`,
      ADMIN,
      { reason: '经核实，问题系上级项目资金未拨付所致，本人已书面说明并积极协调，经指挥部研究不予谈话。' },
      `talk:waive:${waived.id}`,
    );
  }
  return ', 1 held awaiting the statement, 1 notified, 1 waived';
}

/** A run's status once it is no longer queued or running (Lambda's 15 minutes and its lease at most). */
async function finishedStatus(api: Api, runId: string): Promise<string> {
  const giveUp = Date.now() + 20 * 60_000;
  for (;;) {
    const res = await api.request('GET', `/jobs/runs/${encodeURIComponent(runId)}`, ADMIN);
    const status =
      res.status === 200 ? String((res.body as { status?: string }).status) : `HTTP ${res.status}`;
    if (!['queued', 'running'].includes(status) || Date.now() > giveUp) return status;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The lines `npm start -- --demo` and `npm run seed:demo` print. */
export function describeSummary(s: DemoSummary): string {
  const activity =
    s.activity === 'seeded'
      ? `  业务数据（以 ${s.anchor} 为基准）: ${s.dispatches} 张派遣单、${s.progressReports} 条进展报告、${s.inspections} 次督查、${s.problems} 个问题` +
        `（${s.rectifications} 次整改，${s.verifiedProblems} 个复核销号，${s.falseRectifications} 次虚假整改）、` +
        `${s.directReports} 条信息直报（${s.acknowledged} 条已回复）`
      : `  业务数据已于 ${s.anchor} 写入，本次未重复写入 / activity already seeded on ${s.anchor}, left as is`;
  return [
    `演示数据 / demo data: ${s.county}（虚构）— ${s.townships} 个乡镇、${s.villages} 个村、${s.cadres} 名干部、${s.assignments} 条包村关系`,
    activity,
    `  新写入 ${s.created} 条请求，已存在 ${s.existing} 条；用时 ${s.ms} ms / ${s.created} created, ${s.existing} already there, ${s.ms} ms`,
    `  演示账号 / demo users: 管理员 admin "${s.users.admin}"; 督查组 inspector ${s.users.inspectors.map((i) => `"${i}"`).join(', ')}; 干部 cadre 用干部编号登录 (${s.users.cadres}, 如 "C001")`,
  ].join('\n');
}

import { latestFinalBefore } from '../adapters/dynamo/evaluations.ts';
import { keys } from '../adapters/dynamo/keys.ts';
import { getCadres } from '../adapters/dynamo/roster.ts';
import * as store from '../adapters/dynamo/self-criticism.ts';
import { batchGet, type Item } from '../adapters/dynamo/table.ts';
import { derivedId, newId } from '../core/ids.ts';
import type { Scope } from '../core/roles.ts';
import type { Tier } from '../core/rules/terms.ts';
import { meetingAttendees, speakerIssues } from '../core/self-criticism.ts';
import { isoWeekOf } from '../core/time.ts';
import { weekWords } from '../core/week-words.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { isStaff } from '../http/auth.ts';
import { created, defineRoute } from '../http/route.ts';
import { errorBody } from '../schemas/common.ts';
import {
  createSelfCriticismMeeting,
  type SelfCriticismMeeting,
  type StoredSelfCriticismMeeting,
  selfCriticismListQuery,
  selfCriticismMeeting,
  selfCriticismPage,
} from '../schemas/self-criticism.ts';
import { detailRoute, listedCadre, listRoute } from './read-routes.ts';
import { byTownship, cadresInScope, OUTSIDE_SCOPE, requireCadre, scopeOf } from './scope.ts';

/**
 * Self-criticism meetings (检讨发言会): HQ records the meeting at which the cadres of an evaluated
 * week's self-criticism tier spoke — date, place, who attended, who spoke, notes. Staff read every
 * meeting; a cadre reads the meetings they attended (their standing page lists them).
 */
const TAGS = ['self-criticism'];
const REFUSAL = '只能查看本人参加的检讨发言会';

function invalid(path: string, code: string, message: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
}

/** Names read live for the answer (a rename shows at once), with who spoke. */
async function withPeople(meetings: StoredSelfCriticismMeeting[]): Promise<SelfCriticismMeeting[]> {
  const cadres = await getCadres([...new Set(meetings.flatMap((m) => m.attendeeIds))]);
  return meetings.map((m) => {
    const spoke = new Set(m.speakerIds);
    return {
      ...m,
      attendees: m.attendeeIds.map((cadreId) => ({
        cadreId,
        name: cadres.get(cadreId)?.name ?? cadreId,
        spoke: spoke.has(cadreId),
      })),
    };
  });
}

/**
 * A meeting as a township's staff or a county leader sees it: only the attendees (and speakers) of
 * their townships; a meeting none of whose attendees is theirs is left out.
 */
async function withinScope(
  scope: Scope,
  meetings: StoredSelfCriticismMeeting[],
): Promise<StoredSelfCriticismMeeting[]> {
  const seen = await cadresInScope(
    scope,
    meetings.flatMap((m) => m.attendeeIds),
  );
  return meetings.flatMap((m) => {
    const attendeeIds = m.attendeeIds.filter((id) => seen.has(id));
    if (attendeeIds.length === 0) return [];
    return [{ ...m, attendeeIds, speakerIds: m.speakerIds.filter((id) => seen.has(id)) }];
  });
}

export const selfCriticismRoutes = [
  defineRoute({
    method: 'POST',
    path: '/self-criticism-meetings',
    summary: '记录检讨发言会（日期、地点、参会干部、发言人、记录）：发言人须为所依据考评周的检讨发言档次',
    tags: TAGS,
    roles: ['admin'],
    body: createSelfCriticismMeeting,
    responses: { 201: selfCriticismMeeting, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      // 1. The week the meeting answers for: as given, else the latest finished week before its date.
      const week = body.week ?? (await latestFinalBefore(isoWeekOf(body.date)));
      if (!week)
        throw invalid('body.date', 'NO_EVALUATED_WEEK', '会议日期之前还没有已考评的周，无法确认检讨发言对象');
      if (week >= isoWeekOf(body.date))
        throw invalid('body.week', 'WEEK_NOT_BEFORE_MEETING', `会议须在${weekWords(week)}结束之后召开`);
      // 2. Everyone named is on the roster; every speaker was in the self-criticism tier that week.
      const attendeeIds = meetingAttendees(body.attendeeIds, body.speakerIds);
      const cadres = await getCadres(attendeeIds);
      const unknown = [
        ...body.attendeeIds.map((id, i) => [`body.attendeeIds.${i}`, id] as const),
        ...body.speakerIds.map((id, i) => [`body.speakerIds.${i}`, id] as const),
      ].filter(([, id]) => !cadres.has(id));
      if (unknown.length)
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: unknown.map(([path]) => ({ path, code: 'UNKNOWN_REFERENCE', message: '干部不存在' })),
        });
      const records = await batchGet<Item>(body.speakerIds.map((id) => keys.cadreEvaluation(id, week)));
      const tiers = new Map(records.map((r) => [String(r.cadreId), r.tier as Tier]));
      const names = new Map([...cadres].map(([id, c]) => [id, c.name]));
      const issues = speakerIssues(body.speakerIds, tiers, week, names);
      if (issues.length) throw new ValidationError('请求内容有误，请按提示修改', { fields: issues });
      // 3. Stored once (a retry with the same key derives the same id), then audited.
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'self-criticism')
        : newId(ctx.now);
      const { item } = await store.createMeeting({
        id,
        date: body.date,
        week,
        place: body.place ? body.place : null,
        attendeeIds,
        speakerIds: body.speakerIds,
        notes: body.notes ? body.notes : null,
        createdAt: ctx.now.toISOString(),
        createdBy: ctx.actor.sub,
      });
      await ctx.audit({
        entityType: 'selfCriticismMeeting',
        entityId: item.id,
        action: 'create',
        changes: {
          date: item.date,
          week: item.week,
          place: item.place,
          attendeeIds: item.attendeeIds,
          speakerIds: item.speakerIds,
          ...(item.notes ? { notes: item.notes } : {}),
        },
      });
      const [answer] = await withPeople([item]);
      return created(answer as SelfCriticismMeeting);
    },
  }),
  listRoute({
    path: '/self-criticism-meetings',
    summary:
      '检讨发言会列表（按参会干部、考评周、日期筛选；干部只看本人参加的；乡镇和县级领导看有所辖乡镇干部参加的，只列这些干部）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    query: selfCriticismListQuery,
    page: selfCriticismPage,
    errors: [400, 403],
    async list(query, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      const township = byTownship(scope);
      if (township && query.cadreId) await requireCadre(scope, ctx.actor, query.cadreId, ctx.now);
      const page = await store.listMeetings(
        {
          cadreId: township
            ? query.cadreId
            : listedCadre(ctx.actor, query.cadreId, isStaff(ctx.actor), REFUSAL),
          week: query.week,
          from: query.from,
          to: query.to,
        },
        query.limit,
        query.next,
      );
      const items = township ? await withinScope(scope, page.items) : page.items;
      return { items: await withPeople(items), ...(page.next ? { next: page.next } : {}) };
    },
  }),
  detailRoute({
    path: '/self-criticism-meetings/{id}',
    summary: '检讨发言会详情（参会干部、发言人、记录；乡镇和县级领导只看到所辖乡镇的参会干部）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    record: selfCriticismMeeting,
    errors: [403, 404],
    notFound: '检讨发言会不存在',
    async find(id, ctx) {
      const meeting = await store.getMeeting(id);
      if (!meeting) return undefined;
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (!byTownship(scope)) return (await withPeople([meeting]))[0];
      const [seen] = await withinScope(scope, [meeting]);
      if (!seen) throw new ForbiddenError(OUTSIDE_SCOPE);
      return (await withPeople([seen]))[0];
    },
    async check(found, ctx) {
      if (isStaff(ctx.actor) || found.attendeeIds.includes(ctx.actor.cadreId)) return;
      if (!byTownship(await scopeOf(ctx.actor, ctx.now))) throw new ForbiddenError(REFUSAL);
    },
  }),
];

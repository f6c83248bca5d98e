import { activeAssignmentsForCadre } from '../adapters/dynamo/assignments.ts';
import { leadershipsOfCadre } from '../adapters/dynamo/organisation.ts';
import { getCadre, getCadres, listVillages } from '../adapters/dynamo/roster.ts';
import { assignmentsEffectiveOn } from '../core/assignments.ts';
import { COUNTY_SCOPE, canDecideTalk, type Scope, townshipInScope } from '../core/roles.ts';
import { beijingDate } from '../core/time.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { type Actor, hasRole } from '../http/auth.ts';

/**
 * Per-record authorisation by township, for the two roles that read part of the county: a township's
 * staff (`township`, bound to the township in `custom:townshipId`) and a county leader (`leader`, the
 * townships their leader assignments cover today). Routes ask `scopeOf` once and then check each
 * record or list filter against it; HQ and inspectors get the whole county, a cadre their own records
 * (checked by the routes as before).
 */
export const OUTSIDE_SCOPE = '该记录不在您负责的乡镇范围内，无权查看或操作';
const NO_TOWNSHIP = '您目前没有分管的乡镇，暂无可查看的记录';

/**
 * The townships a county leader covers on a Beijing date, from the leader assignments of their cadre
 * record (`POST /townships/{id}/leaders`; a cadre's history is a few items on GSI2). The one place
 * the leader assignments are read for authorisation.
 */
export async function leaderTownshipIds(cadreId: string, on: string): Promise<string[]> {
  const periods = assignmentsEffectiveOn(await leadershipsOfCadre(cadreId), on);
  return [...new Set(periods.map((l) => l.townshipId))].sort();
}

export async function scopeOf(actor: Actor, now: Date): Promise<Scope> {
  if (hasRole(actor, 'admin', 'inspector')) return COUNTY_SCOPE;
  const townshipIds = new Set<string>();
  if (hasRole(actor, 'township') && actor.townshipId) townshipIds.add(actor.townshipId);
  if (hasRole(actor, 'leader')) {
    for (const id of await leaderTownshipIds(actor.cadreId, beijingDate(now))) townshipIds.add(id);
  }
  if (hasRole(actor, 'township', 'leader'))
    return { kind: 'townships', townshipIds: [...townshipIds].sort() };
  return { kind: 'self' };
}

/** True for the roles that read by township (the checks below apply to them only). */
export function byTownship(scope: Scope): scope is Extract<Scope, { kind: 'townships' }> {
  return scope.kind === 'townships';
}

/** A record of this township (a village, a problem, a report): 403 unless it lies in the scope. */
export function requireTownship(scope: Scope, townshipId: string | null | undefined): void {
  if (byTownship(scope) && !townshipInScope(scope, townshipId)) throw new ForbiddenError(OUTSIDE_SCOPE);
}

/**
 * The township a list is read for. HQ and inspectors get what they asked for; a township's staff
 * their own township (asking for another is 403); a leader the one they name, or their only one (one
 * who covers several names one: 400 with the field).
 */
export function listedTownship(scope: Scope, requested: string | undefined): string | undefined {
  if (!byTownship(scope)) return requested;
  if (requested !== undefined) {
    requireTownship(scope, requested);
    return requested;
  }
  const [only, ...more] = scope.townshipIds;
  if (only === undefined) throw new ForbiddenError(NO_TOWNSHIP);
  if (more.length > 0)
    throw new ValidationError('请求内容有误，请按提示修改', {
      fields: [
        { path: 'query.townshipId', code: 'TOWNSHIP_REQUIRED', message: '您分管多个乡镇，请选择乡镇' },
      ],
    });
  return only;
}

/**
 * A cadre's records (profile, standing, problems): in the scope when the cadre belongs to one of its
 * townships or works in one of its villages today (a county department's cadre assigned there).
 * Oneself is always in scope (a county leader is a cadre too).
 */
export async function cadreInScope(scope: Scope, actor: Actor, cadreId: string, now: Date): Promise<boolean> {
  if (scope.kind === 'county' || cadreId === actor.cadreId) return true;
  if (scope.kind === 'self') return false;
  const cadre = await getCadre(cadreId);
  if (!cadre) return false;
  if (townshipInScope(scope, cadre.townshipId)) return true;
  const running = assignmentsEffectiveOn(await activeAssignmentsForCadre(cadreId), beijingDate(now));
  return running.some((a) => townshipInScope(scope, a.townshipId));
}

export async function requireCadre(scope: Scope, actor: Actor, cadreId: string, now: Date): Promise<void> {
  if (byTownship(scope) && !(await cadreInScope(scope, actor, cadreId, now)))
    throw new ForbiddenError(OUTSIDE_SCOPE);
}

/**
 * Of these cadres, those a township-scoped reader sees on a shared record (a self-criticism meeting's
 * attendees, a training's roster): the cadres whose own township (their roster record's) lies in the
 * scope. One batch read of the cadres named; for HQ and inspectors every one.
 */
export async function cadresInScope(scope: Scope, cadreIds: readonly string[]): Promise<Set<string>> {
  if (scope.kind === 'county') return new Set(cadreIds);
  if (scope.kind === 'self') return new Set();
  const cadres = await getCadres([...new Set(cadreIds)]);
  return new Set(cadreIds.filter((id) => townshipInScope(scope, cadres.get(id)?.townshipId)));
}

/**
 * Whether this person may decide (approve, change, waive) a talk about a cadre of this township: HQ
 * anywhere, a county leader in a township they cover on the day (functions/core/roles.ts).
 */
export async function mayDecideTalk(
  actor: Actor,
  townshipId: string | null | undefined,
  now: Date,
): Promise<boolean> {
  const led = hasRole(actor, 'leader') ? await leaderTownshipIds(actor.cadreId, beijingDate(now)) : [];
  return canDecideTalk(actor.roles, townshipId, led);
}

/** The ids of a township's villages, in key order (every page of GSI1's township range). */
export async function villageIdsOf(townshipId: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await listVillages({ townshipId }, 100, next);
    ids.push(...page.items.map((v) => v.id));
    next = page.next;
  } while (next);
  return ids;
}

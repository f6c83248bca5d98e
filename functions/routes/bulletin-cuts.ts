import { listAssignments } from '../adapters/dynamo/assignments.ts';
import { getDistrict } from '../adapters/dynamo/organisation.ts';
import { getTownship } from '../adapters/dynamo/roster.ts';
import type { BulletinCut } from '../core/bulletin-cut.ts';
import { ValidationError } from '../errors.ts';
import type { RequestContext } from '../http/route.ts';
import { listedTownship, requireTownship, scopeOf, villageIdsOf } from './scope.ts';

/**
 * Which part of the county a bulletin (and the board built on it) is cut to: the district asked for,
 * else the township asked for, else — for a township's staff or a leader — their own township;
 * HQ and inspectors with neither read the whole county (undefined).
 */
export async function bulletinCutFor(
  query: { townshipId?: string | undefined; districtId?: string | undefined },
  ctx: RequestContext,
): Promise<BulletinCut | undefined> {
  const scope = await scopeOf(ctx.actor, ctx.now);
  const invalid = (path: string, code: string, message: string) =>
    new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
  if (query.districtId) {
    const district = await getDistrict(query.districtId);
    if (!district) throw invalid('query.districtId', 'UNKNOWN_REFERENCE', '片区不存在');
    requireTownship(scope, district.townshipId);
    if (query.townshipId && query.townshipId !== district.townshipId)
      throw invalid('query.districtId', 'DISTRICT_NOT_IN_TOWNSHIP', '该片区不属于所选乡镇');
    const villageIds = new Set(district.villageIds);
    const workers = await runningIn(district.townshipId);
    return {
      villageIds,
      cadreIds: new Set(workers.filter((a) => villageIds.has(a.villageId)).map((a) => a.cadreId)),
      townshipIds: new Set([district.townshipId]),
      cadresOfTownships: false,
    };
  }
  const townshipId = listedTownship(scope, query.townshipId);
  if (townshipId === undefined) return undefined;
  if (query.townshipId && !(await getTownship(query.townshipId)))
    throw invalid('query.townshipId', 'UNKNOWN_REFERENCE', '乡镇不存在');
  const [villageIds, workers] = await Promise.all([villageIdsOf(townshipId), runningIn(townshipId)]);
  return {
    villageIds: new Set(villageIds),
    cadreIds: new Set(workers.map((a) => a.cadreId)),
    townshipIds: new Set([townshipId]),
    cadresOfTownships: true,
  };
}

/** The township's running assignments (GSI3, by role, the township's key range). */
async function runningIn(townshipId: string) {
  const found: { cadreId: string; villageId: string }[] = [];
  let next: string | undefined;
  do {
    const page = await listAssignments({ townshipId, active: true }, 100, next);
    found.push(...page.items);
    next = page.next;
  } while (next);
  return found;
}

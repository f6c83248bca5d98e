import * as assignments from '../adapters/dynamo/assignments.ts';
import * as store from '../adapters/dynamo/organisation.ts';
import * as roster from '../adapters/dynamo/roster.ts';
import { type OrganisationGaps, organisationGaps } from '../core/organisation.ts';
import type { Assignment } from '../schemas/assignments.ts';
import type { Village } from '../schemas/roster.ts';

/**
 * The coverage report's organisation gaps (GET /coverage, assignments function), apart from
 * routes/organisation.ts so that the coverage route does not load the organisation's routes.
 */

async function allPages<T>(read: (next?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined;
  do {
    const page = await read(next);
    out.push(...page.items);
    next = page.next;
  } while (next);
  return out;
}

/**
 * The four organisation gaps for `GET /coverage`, in one township or the county. Reads: townships
 * (GSI1), running leaders (GSI3), districts (GSI1), units (GSI1), the running assignments of the
 * villages in scope (GSI3, both roles) and those assignments' cadres (BatchGetItem).
 */
export async function coverageGaps(
  townshipId: string | undefined,
  villages: readonly Village[],
  today: string,
): Promise<OrganisationGaps> {
  const [townships, leaders, districts, units, running] = await Promise.all([
    townshipId
      ? roster.getTownship(townshipId).then((t) => (t ? [t] : []))
      : allPages((next) => roster.listTownships(100, next)),
    store.activeTownshipLeaders(townshipId),
    store.allDistricts(townshipId),
    store.allUnits(),
    allPages<Assignment>((next) =>
      assignments.listAssignments({ active: true, ...(townshipId ? { townshipId } : {}) }, 100, next),
    ),
  ]);
  const cadres = await roster.getCadres([...new Set(running.map((a) => a.cadreId))]);
  return organisationGaps({
    today,
    townships,
    villages,
    leaders,
    districts,
    units,
    assignments: running,
    cadres,
  });
}

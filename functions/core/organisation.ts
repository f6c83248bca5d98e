/**
 * The organisation's coverage rules (seeds 002 and 004), pure: a township needs a county leader
 * (县级领导包镇), a district a department (部门包片), each village team a township cadre (每个工作组都要
 * 安排一名乡镇干部), and a deep-poverty village a senior chief (深度贫困村由领导干部任总队长).
 *
 * "Senior" is read from the cadre's rank group: 县级领导 or 科级 (the 科级 group holds 副科级 and up,
 * including 主任科员 ranks, see CADRE_RANK_SYNONYMS); 股级 and 一般干部 are not senior.
 * A township cadre of village V is one whose unit is V's township's party committee or government;
 * a cadre without a unit does not count (their free-text 派出单位 cannot be read reliably).
 */
import { effectiveOn, type Period } from './assignments.ts';

export const SENIOR_RANKS: readonly string[] = ['county', 'section'];

export function isSeniorRank(rank: string): boolean {
  return SENIOR_RANKS.includes(rank);
}

export interface DatedCover extends Period {
  unitId: string;
}

/** The department covering on a date, from a district's history (the one that started last). */
export function departmentOn<T extends DatedCover>(departments: readonly T[], date: string): T | undefined {
  return departments.filter((d) => effectiveOn(d, date)).sort((a, b) => b.from.localeCompare(a.from))[0];
}

export interface GapTownship {
  id: string;
  name: string;
}
export interface GapVillage {
  id: string;
  name: string;
  townshipId: string;
  category: 'deep' | 'general' | 'non';
}
export interface GapDistrict extends Period {
  id: string;
  name: string;
  townshipId: string;
  departments: readonly DatedCover[];
  active: boolean;
}
export interface GapUnit {
  id: string;
  kind: string;
  townshipId?: string | undefined;
}
export interface GapCadre {
  id: string;
  name: string;
  rank: string;
  rankLabel: string;
  unitId?: string | undefined;
}
export interface GapAssignment extends Period {
  cadreId: string;
  villageId: string;
  role: string;
}

export interface OrganisationGaps {
  townshipsWithoutLeader: GapTownship[];
  districtsWithoutDepartment: { id: string; name: string; townshipId: string }[];
  villagesWithoutTownshipCadre: GapVillage[];
  deepVillagesWithJuniorChief: (GapVillage & {
    cadreId: string;
    cadreName: string;
    rank: string;
    rankLabel: string;
  })[];
}

/**
 * The four gaps on `today`. Inputs are what is in scope (one township, or the county): townships,
 * villages, the running leader periods, the districts, the units, the running assignments of the
 * villages in scope and their cadres. Only a village with a team (at least one running assignment)
 * can lack a township cadre; a village with no one at all is already listed as without a chief.
 */
export function organisationGaps(input: {
  today: string;
  townships: readonly GapTownship[];
  villages: readonly GapVillage[];
  leaders: readonly (Period & { townshipId: string })[];
  districts: readonly GapDistrict[];
  units: readonly GapUnit[];
  assignments: readonly GapAssignment[];
  cadres: ReadonlyMap<string, GapCadre>;
}): OrganisationGaps {
  const { today } = input;
  const led = new Set(input.leaders.filter((l) => effectiveOn(l, today)).map((l) => l.townshipId));
  const townshipsWithoutLeader = input.townships
    .filter((t) => !led.has(t.id))
    .map(({ id, name }) => ({ id, name }));

  const districtsWithoutDepartment = input.districts
    .filter((d) => d.active && effectiveOn(d, today) && !departmentOn(d.departments, today))
    .map(({ id, name, townshipId }) => ({ id, name, townshipId }));

  const townshipOfUnit = new Map(
    input.units
      .filter((u) => u.kind === 'township-committee' || u.kind === 'township-government')
      .map((u) => [u.id, u.townshipId]),
  );
  const running = input.assignments.filter((a) => effectiveOn(a, today));
  const teams = new Map<string, GapAssignment[]>();
  for (const a of running) teams.set(a.villageId, [...(teams.get(a.villageId) ?? []), a]);

  const villagesWithoutTownshipCadre: GapVillage[] = [];
  const deepVillagesWithJuniorChief: OrganisationGaps['deepVillagesWithJuniorChief'] = [];
  for (const v of input.villages) {
    const team = teams.get(v.id);
    if (!team?.length) continue;
    const village = { id: v.id, name: v.name, townshipId: v.townshipId, category: v.category };
    const hasTownshipCadre = team.some((a) => {
      const unitId = input.cadres.get(a.cadreId)?.unitId;
      return unitId !== undefined && townshipOfUnit.get(unitId) === v.townshipId;
    });
    if (!hasTownshipCadre) villagesWithoutTownshipCadre.push(village);
    if (v.category !== 'deep') continue;
    const chief = team.find((a) => a.role === 'chief');
    const cadre = chief && input.cadres.get(chief.cadreId);
    if (cadre && !isSeniorRank(cadre.rank)) {
      deepVillagesWithJuniorChief.push({
        ...village,
        cadreId: cadre.id,
        cadreName: cadre.name,
        rank: cadre.rank,
        rankLabel: cadre.rankLabel,
      });
    }
  }
  return {
    townshipsWithoutLeader,
    districtsWithoutDepartment,
    villagesWithoutTownshipCadre,
    deepVillagesWithJuniorChief,
  };
}

/**
 * A department change from `from`: the running entry ends that day and the new one (if any) starts.
 * Returns undefined with a reason when `from` falls before the running entry's start.
 */
export function changeDepartment(
  departments: readonly { unitId: string; from: string; to: string | null }[],
  unitId: string | null,
  from: string,
): { departments: { unitId: string; from: string; to: string | null }[] } | { problem: string } {
  const open = departments.find((d) => d.to === null);
  if (open && from < open.from) return { problem: `不能早于现任包片部门的开始日期（${open.from}）` };
  const next = departments.map((d) => (d === open ? { ...d, to: from } : { ...d }));
  // A change on the day the running entry started replaces it (that entry never took effect).
  const kept = next.filter((d) => !(d.to !== null && d.to <= d.from));
  if (unitId) kept.push({ unitId, from, to: null });
  return { departments: kept };
}

/**
 * Visits to the village (下村) and nights stayed there (吃住在村): the pure part. How far a recorded
 * place is from the village, whether that is "far", and the per-cadre and per-township totals the
 * standing page, the bulletin and the exports print.
 */

/** A visit recorded farther than this from the village's point (plus the phone's own accuracy) is flagged. */
export const FAR_FROM_VILLAGE_METERS = 3000;
/** A visit may be recorded up to this many days after it happened (the phone was offline, the cadre busy). */
export const VISIT_MAX_AGE_DAYS = 7;
/** The phone's clock may run a little ahead of the server's. */
export const VISIT_CLOCK_SKEW_MS = 5 * 60_000;

const EARTH_RADIUS_METERS = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine): good to well under 1 % at village scale. */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface FarVerdict {
  /** Whole metres; null when the village has no point or no location was recorded. */
  distanceMeters: number | null;
  far: boolean;
}

/**
 * Far when even the nearest point the phone could have been at (distance minus its accuracy) lies
 * beyond the threshold: a coarse fix is given the benefit of the doubt, never a false accusation.
 */
export function farFromVillage(
  village: { lat: number; lng: number } | undefined,
  fix: { lat: number; lng: number; accuracy: number } | undefined,
  thresholdMeters: number = FAR_FROM_VILLAGE_METERS,
): FarVerdict {
  if (!village || !fix) return { distanceMeters: null, far: false };
  const d = distanceMeters(village, fix);
  return { distanceMeters: Math.round(d), far: d > thresholdMeters + fix.accuracy };
}

/** Why a visit's time is refused, or null when it is acceptable: not in the future, at most 7 days old. */
export function visitTimeProblem(atMs: number, nowMs: number): 'future' | 'too_old' | null {
  if (atMs > nowMs + VISIT_CLOCK_SKEW_MS) return 'future';
  if (atMs < nowMs - VISIT_MAX_AGE_DAYS * 86_400_000) return 'too_old';
  return null;
}

/** What the totals are made from: a visit needs only who, where and whether the night was stayed. */
export interface VisitSample {
  cadreId: string;
  villageId: string;
  townshipId: string;
  overnight: boolean;
  far: boolean;
}

export interface VisitTotals {
  visits: number;
  nights: number;
  /** Visits recorded far from the village. */
  far: number;
  /** Cadres with at least one visit / at least one night. */
  cadresVisiting: number;
  cadresWithNight: number;
}

export function visitTotals(visits: readonly VisitSample[]): VisitTotals {
  const visiting = new Set<string>();
  const staying = new Set<string>();
  let nights = 0;
  let far = 0;
  for (const v of visits) {
    visiting.add(v.cadreId);
    if (v.overnight) {
      nights += 1;
      staying.add(v.cadreId);
    }
    if (v.far) far += 1;
  }
  return { visits: visits.length, nights, far, cadresVisiting: visiting.size, cadresWithNight: staying.size };
}

/** Totals per key (cadre, township), sorted by key. */
export function visitTotalsBy(
  visits: readonly VisitSample[],
  key: (v: VisitSample) => string,
): { key: string; totals: VisitTotals }[] {
  const groups = new Map<string, VisitSample[]>();
  for (const v of visits) {
    const k = key(v);
    const list = groups.get(k);
    if (list) list.push(v);
    else groups.set(k, [v]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, list]) => ({ key: k, totals: visitTotals(list) }));
}

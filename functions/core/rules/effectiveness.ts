/**
 * Effectiveness figures the seeds care about, per township and county-wide, each beside last week's:
 *  - presence: cadres on site at inspections' headcounts / cadres counted (one per finding);
 *  - rectification: median hours from a problem being found (start of its inspection day, Beijing) to
 *    the accepted verification, over problems verified during the week;
 *  - direct reports per cadre: reports sent during the week / cadres evaluated;
 *  - acknowledgement: HQ's median minutes from a direct report to its acknowledgement, over reports
 *    acknowledged during the week, with the reports still waiting at asOf beside it (a median of answered
 *    reports alone would flatter a slow HQ);
 *  - resolution: median minutes from a direct report to its closure (办结), over reports closed during
 *    the week; given only for weeks that closed one, so older weeks keep their figures (and fingerprint);
 *  - visits (下村) and nights stayed (吃住在村): visits and nights per cadre evaluated, the share of those
 *    cadres with at least one night, and visits recorded far from the village. Given only for weeks that
 *    had a visit, so a week evaluated before visits existed keeps its figures (and fingerprint) as they were.
 * Figures are rounded once here (rates to 4 places, hours and minutes to 1, per-cadre to 2) so a
 * re-run prints exactly the same numbers.
 */
import { byString } from './calendar.ts';

export interface EffectivenessFigures {
  presence: { present: number; counted: number; rate: number | null };
  rectification: { verified: number; medianHours: number | null };
  directReports: { count: number; cadres: number; perCadre: number | null };
  acknowledgement: { acknowledged: number; pending: number; medianMinutes: number | null };
  resolution?: { closed: number; medianMinutes: number | null } | undefined;
  visits?: VisitFigures | undefined;
}

export interface VisitFigures {
  count: number;
  nights: number;
  far: number;
  cadres: number;
  perCadre: number | null;
  nightsPerCadre: number | null;
  cadresWithNight: number;
  /** Cadres with at least one night / cadres evaluated. */
  nightShare: number | null;
}

export interface FiguresBeside {
  current: EffectivenessFigures;
  previous: EffectivenessFigures | null;
}

export interface TownshipFigures extends FiguresBeside {
  townshipId: string;
}

export interface Effectiveness {
  county: FiguresBeside;
  townships: TownshipFigures[];
}

/** What last week's evaluation tells this one; a stored WeeklyEvaluation's `effectiveness` fits. */
export interface PreviousEffectiveness {
  county: { current: EffectivenessFigures };
  townships: readonly { townshipId: string; current: EffectivenessFigures }[];
}

/** One observation, attributed to a township when known (else county-wide only). */
interface Sample {
  townshipId: string | undefined;
}

export interface EffectivenessSamples {
  cadres: readonly Sample[];
  presence: readonly (Sample & { present: boolean })[];
  rectificationHours: readonly (Sample & { hours: number })[];
  directReports: readonly Sample[];
  acknowledgementMinutes: readonly (Sample & { minutes: number })[];
  pendingAcknowledgements: readonly Sample[];
  resolutionMinutes: readonly (Sample & { minutes: number })[];
  visits: readonly (Sample & { cadreId: string; overnight: boolean; far: boolean })[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

const ratio = (num: number, den: number, places: number) => (den === 0 ? null : round(num / den, places));
const roundedMedian = (values: readonly number[], places: number) => {
  const m = median(values);
  return m === null ? null : round(m, places);
};

function visitFigures(samples: EffectivenessSamples): VisitFigures {
  const visits = samples.visits;
  const cadres = samples.cadres.length;
  const nights = visits.filter((v) => v.overnight).length;
  const staying = new Set(visits.filter((v) => v.overnight).map((v) => v.cadreId)).size;
  return {
    count: visits.length,
    nights,
    far: visits.filter((v) => v.far).length,
    cadres,
    perCadre: ratio(visits.length, cadres, 2),
    nightsPerCadre: ratio(nights, cadres, 2),
    cadresWithNight: staying,
    nightShare: ratio(staying, cadres, 4),
  };
}

function figures(
  samples: EffectivenessSamples,
  withVisits = false,
  withResolution = false,
): EffectivenessFigures {
  const present = samples.presence.filter((p) => p.present).length;
  const hours = samples.rectificationHours.map((s) => s.hours);
  const minutes = samples.acknowledgementMinutes.map((s) => s.minutes);
  return {
    presence: { present, counted: samples.presence.length, rate: ratio(present, samples.presence.length, 4) },
    rectification: { verified: hours.length, medianHours: roundedMedian(hours, 1) },
    directReports: {
      count: samples.directReports.length,
      cadres: samples.cadres.length,
      perCadre: ratio(samples.directReports.length, samples.cadres.length, 2),
    },
    acknowledgement: {
      acknowledged: minutes.length,
      pending: samples.pendingAcknowledgements.length,
      medianMinutes: roundedMedian(minutes, 1),
    },
    ...(withResolution
      ? {
          resolution: {
            closed: samples.resolutionMinutes.length,
            medianMinutes: roundedMedian(
              samples.resolutionMinutes.map((s) => s.minutes),
              1,
            ),
          },
        }
      : {}),
    ...(withVisits ? { visits: visitFigures(samples) } : {}),
  };
}

type MutableSamples = { [K in keyof EffectivenessSamples]: EffectivenessSamples[K][number][] };
const KEYS = [
  'cadres',
  'presence',
  'rectificationHours',
  'directReports',
  'acknowledgementMinutes',
  'pendingAcknowledgements',
  'resolutionMinutes',
  'visits',
] as const satisfies readonly (keyof EffectivenessSamples)[];

/** Samples split by township in one pass, so the cost grows with the week's facts, not facts × townships. */
function byTownship(samples: EffectivenessSamples): Map<string, MutableSamples> {
  const out = new Map<string, MutableSamples>();
  for (const key of KEYS) {
    for (const sample of samples[key] as readonly Sample[]) {
      if (sample.townshipId === undefined) continue;
      let bucket = out.get(sample.townshipId);
      if (!bucket) {
        bucket = {
          cadres: [],
          presence: [],
          rectificationHours: [],
          directReports: [],
          acknowledgementMinutes: [],
          pendingAcknowledgements: [],
          resolutionMinutes: [],
          visits: [],
        };
        out.set(sample.townshipId, bucket);
      }
      (bucket[key] as Sample[]).push(sample);
    }
  }
  return out;
}

const NO_SAMPLES: EffectivenessSamples = {
  cadres: [],
  presence: [],
  rectificationHours: [],
  directReports: [],
  acknowledgementMinutes: [],
  pendingAcknowledgements: [],
  resolutionMinutes: [],
  visits: [],
};

export function summarizeEffectiveness(
  samples: EffectivenessSamples,
  previous: PreviousEffectiveness | null,
): Effectiveness {
  const groups = byTownship(samples);
  const withVisits = samples.visits.length > 0;
  const withResolution = samples.resolutionMinutes.length > 0;
  const ids = new Set<string>(groups.keys());
  for (const t of previous?.townships ?? []) ids.add(t.townshipId);
  const previousByTownship = new Map((previous?.townships ?? []).map((t) => [t.townshipId, t.current]));
  return {
    county: {
      current: figures(samples, withVisits, withResolution),
      previous: previous?.county.current ?? null,
    },
    townships: [...ids].sort(byString).map((townshipId) => ({
      townshipId,
      current: figures(groups.get(townshipId) ?? NO_SAMPLES, withVisits, withResolution),
      previous: previousByTownship.get(townshipId) ?? null,
    })),
  };
}

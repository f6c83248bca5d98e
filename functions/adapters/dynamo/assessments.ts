import type { AssessmentPeriod, AssessmentScheme, ExitGrade } from '../../core/assessment.ts';
import { DEFAULT_ASSESSMENT_SCHEME } from '../../core/assessment.ts';
import { type PeriodRecords, weeksOf } from '../../core/assessment-facts.ts';
import { beijingDate } from '../../core/time.ts';
import { keys } from './keys.ts';
import { getItem, type Item, putIfAbsent, putItem, queryAll, withoutKeys } from './table.ts';
import { newReadMeter, readProblems, readWeekItems } from './week-facts.ts';

/**
 * Assessment (考核) data: scheme versions (the default is version 1, in code, never stored), the
 * village results HQ enters per period, and the reads behind a period's scorecards. Everything dated
 * comes from the ISO weeks' GSI4 partitions the period overlaps (the weekly evaluation's own reads),
 * the roster from its list partitions, talks from their by-week index: no Scan.
 */

export interface StoredScheme extends AssessmentScheme {
  createdAt?: string;
  createdBy?: string;
}

export async function listSchemes(): Promise<StoredScheme[]> {
  const items = await queryAll<Item>({ partition: keys.assessmentSchemePartition(), consistent: true });
  const stored = items.map((i) => withoutKeys(i) as unknown as StoredScheme);
  return [DEFAULT_ASSESSMENT_SCHEME, ...stored.filter((s) => s.version !== 1)].sort(
    (a, b) => a.version - b.version,
  );
}

/** False when the version number was just taken (a concurrent publish). */
export function putScheme(scheme: StoredScheme): Promise<boolean> {
  return putIfAbsent({ ...keys.assessmentScheme(scheme.version), entity: 'assessmentScheme', ...scheme });
}

export interface StoredVillageResults {
  period: string;
  villageId: string;
  exitAssessment: ExitGrade | null;
  satisfaction: number | null;
  note: string | null;
  updatedAt: string;
  updatedBy: string;
}

export async function getVillageResults(
  period: string,
  villageId: string,
): Promise<StoredVillageResults | undefined> {
  const item = await getItem<Item>(keys.assessmentVillageResults(period, villageId));
  return item && (withoutKeys(item) as unknown as StoredVillageResults);
}

export async function putVillageResults(r: StoredVillageResults): Promise<void> {
  await putItem({
    ...keys.assessmentVillageResults(r.period, r.villageId),
    entity: 'assessmentResults',
    ...r,
  });
}

export async function listVillageResults(period: string): Promise<StoredVillageResults[]> {
  const items = await queryAll<Item>({
    partition: keys.assessmentPeriod(period),
    sort: { beginsWith: keys.assessmentVillageResultsPrefix() },
  });
  return items.map((i) => withoutKeys(i) as unknown as StoredVillageResults);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The records a period's scorecards are computed from (core/assessment-facts.ts shapes them). */
export async function readPeriodRecords(period: AssessmentPeriod): Promise<PeriodRecords> {
  const meter = newReadMeter();
  const weeks = weeksOf(period);
  const inPeriod = (date: string) => date >= period.from && date <= period.to;
  const day = (instant: string) => beijingDate(new Date(instant));

  const [villages, cadres, units, townships, talkItems] = await Promise.all([
    queryAll<Item>({ index: 'GSI1', partition: keys.villageList() }),
    queryAll<Item>({ index: 'GSI1', partition: keys.cadreList() }),
    queryAll<Item>({ index: 'GSI1', partition: keys.unitList() }),
    queryAll<Item>({ index: 'GSI1', partition: keys.townshipList() }),
    queryAll<Item>({
      index: 'GSI1',
      partition: keys.talkList(),
      sort: { between: [`${weeks[0]}#`, `${weeks[weeks.length - 1]}#\uffff`] },
    }),
  ]);
  // Each village's assignment history (GSI1, by start): those started by the period's end.
  const assignmentLists = await inBatches(villages, 8, (v) =>
    queryAll<Item>({
      index: 'GSI1',
      partition: keys.villageAssignments(String(v.id)),
      sort: { lt: `${period.to}$` },
    }),
  );
  const weekItems = await inBatches(weeks, 4, (w) => readWeekItems(w, meter));

  const problems = weekItems.flatMap((w) => w.problems).filter((p) => !p.voided && inPeriod(p.foundOn));
  const verifications = weekItems
    .flatMap((w) => w.events)
    .filter((e) => e.kind === 'verification' && inPeriod(day(e.at)));
  const known = new Set(problems.map((p) => p.id));
  const older = [...new Set(verifications.map((v) => v.problemId).filter((id) => !known.has(id)))];
  const olderItems = older.length ? await readProblems(older, meter, 'assessment') : [];
  const problemIndex = new Map<
    string,
    { cadreId: string; villageId: string; foundOn: string; voided: boolean }
  >();
  for (const p of problems) problemIndex.set(p.id, { ...p, voided: false });
  for (const p of olderItems)
    problemIndex.set(String(p.id), {
      cadreId: String(p.cadreId),
      villageId: String(p.villageId),
      foundOn: String(p.foundOn),
      voided: Boolean(p.voided),
    });

  return {
    villages: villages.map((v) => ({
      id: String(v.id),
      name: String(v.name),
      townshipId: String(v.townshipId),
      category: (str(v.category) ?? 'non') as 'deep' | 'general' | 'non',
    })),
    cadres: cadres.map((c) => ({
      id: String(c.id),
      name: String(c.name),
      townshipId: str(c.townshipId) ?? null,
      unitId: str(c.unitId) ?? null,
      unit: str(c.unit) ?? null,
    })),
    units: units.map((u) => ({ id: String(u.id), name: String(u.name) })),
    townships: townships.map((t) => ({ id: String(t.id), name: String(t.name) })),
    assignments: assignmentLists.flat().map((a) => ({
      cadreId: String(a.cadreId),
      villageId: String(a.villageId),
      role: a.role === 'chief' ? 'chief' : 'member',
      from: String(a.from),
      to: str(a.to) ?? null,
    })),
    problems: problems.map((p) => ({
      id: p.id,
      cadreId: p.cadreId,
      villageId: p.villageId,
      severity: p.severity,
      foundOn: p.foundOn,
    })),
    verifications: verifications.flatMap((v) => {
      const p = problemIndex.get(v.problemId);
      if (!p || p.voided) return [];
      return [
        {
          problemId: v.problemId,
          cadreId: p.cadreId,
          villageId: p.villageId,
          foundOn: p.foundOn,
          on: day(v.at),
          outcome: v.outcome ?? 'accepted',
          rejectionKind: v.rejectionKind ?? null,
        },
      ];
    }),
    dispatchRows: weekItems
      .flatMap((w) => w.dispatches)
      .map((d) => ({
        dispatchId: d.dispatchId,
        cadreId: d.cadreId,
        villageId: d.villageId,
        deadline: d.deadline,
      })),
    doneReports: weekItems
      .flatMap((w) => w.reports)
      .filter((r) => r.status === 'done')
      .map((r) => ({ dispatchId: r.dispatchId, cadreId: r.cadreId, villageId: r.villageId, at: r.at })),
    visits: weekItems
      .flatMap((w) => w.visits)
      .filter((v) => inPeriod(v.date))
      .map((v) => ({ cadreId: v.cadreId, villageId: v.villageId, overnight: v.overnight })),
    // A week's acknowledgements carry their report's id and createdAt: one report counts once.
    directReports: [
      ...new Map(
        weekItems
          .flatMap((w) => w.directReports)
          .filter((r) => inPeriod(day(r.createdAt)))
          .map((r) => [r.id, { id: r.id, cadreId: r.cadreId, villageId: r.villageId ?? null }] as const),
      ).values(),
    ],
    talks: talkItems
      .filter((t) => t.entity === 'talk' || t.tier !== undefined)
      .map((t) => ({
        cadreId: String(t.cadreId),
        week: String(t.week),
        tier: t.tier === 'admonishmentTalk' ? 'admonishmentTalk' : 'reminderTalk',
        waived: t.status === 'waived',
      })),
  };
}

async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

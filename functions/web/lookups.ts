import { ApiCallError, type ApiClient, type GetAnswer } from '../client/api-client.ts';
import type { RuleSet } from '../core/rules/rule-set.ts';
import type { BulletinSummary } from '../schemas/bulletins.ts';
import type { Cadre, Township, Village } from '../schemas/roster.ts';

/**
 * The reads several pages share, each through the API as the person viewing: the rules in force,
 * place and cadre names, the evaluated weeks and one week's evaluation. Kept apart from the page
 * modules so that no page module doubles as a library for the others.
 */

/** The rule set in force this week (its colour thresholds, deadlines by severity). */
export async function currentRules(api: ApiClient): Promise<RuleSet> {
  return (await api.get('/rules')).current;
}

// ---------------------------------------------------------------------------------------------------
// Names of townships, villages and cadres (a county has hundreds, not tens of thousands)

export interface Places {
  townships: Township[];
  villages: Village[];
  /** A township's name (its id when unknown); `none` when there is no township. */
  township(id: string | null | undefined): string;
  /** A village's name (its id when unknown); empty when there is no village. */
  village(id: string | null | undefined): string;
  villageOf(id: string): Village | undefined;
}

/** What the evaluation pages call the matters of county-level units (no township). */
export const COUNTY_LEVEL = '县直单位';

/**
 * Every township and village, with name lookups. `none` is what a missing township reads as: HQ's
 * evaluation pages (bulletins, board, circle) call the matters of county-level units 县直单位, the
 * roster's lists leave the cell empty.
 */
export async function placeNames(api: ApiClient, options: { none?: string } = {}): Promise<Places> {
  const none = options.none ?? '';
  const [townships, villages] = await Promise.all([
    api.all('/townships', {}, 2000),
    api.all('/villages', {}, 5000),
  ]);
  const t = new Map(townships.map((x) => [x.id, x.name]));
  const v = new Map(villages.map((x) => [x.id, x]));
  return {
    townships,
    villages,
    township: (id) => (id ? (t.get(id) ?? id) : none),
    village: (id) => (id ? (v.get(id)?.name ?? id) : ''),
    villageOf: (id) => v.get(id),
  };
}

export async function cadreNames(api: ApiClient, ids: Iterable<string>): Promise<Map<string, Cadre>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map(async (id) => {
      const res = await api.call('GET', '/cadres/{id}', { params: { id } });
      return res.ok ? res.body : undefined;
    }),
  );
  return new Map(found.filter((c): c is Cadre => c !== undefined).map((c) => [c.id, c]));
}

// ---------------------------------------------------------------------------------------------------
// What GET /bulletins and GET /bulletins/{week} answer

export type Bulletin = GetAnswer<'/bulletins/{week}'>;
export type BulletinDocument = Bulletin['documents'][number];

/** A week's evaluation (its latest revision, or `revision`); null when the week has none. */
export async function readBulletin(
  api: ApiClient,
  week: string,
  revision?: string,
): Promise<Bulletin | null> {
  const res = await api.call('GET', '/bulletins/{week}', {
    params: { week },
    query: { revision },
  });
  if (res.ok) return res.body;
  if (res.status === 404) return null;
  throw new ApiCallError(res.status, res.error, 'GET /bulletins/{week}');
}

/** The issue (2026年第12期) among a week's documents: the numbered bulletin of the latest revision. */
export function bulletinIssueOf(
  documents: ReadonlyArray<{ kind: string; number?: string | undefined; revision?: number | undefined }>,
): string | undefined {
  return documents
    .filter((d) => d.kind === 'bulletin' && d.number && !d.number.includes('暂定'))
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0]?.number;
}

/**
 * The issue number of each week's bulletin (2026年第12期), where HQ can read it: one small read per
 * week (GET /notices?week=…&kind=bulletin, the week's own index); a revision keeps its issue. Weeks
 * with no numbered bulletin yet, and readers who may not list county documents, get none.
 */
export async function bulletinIssues(api: ApiClient, weeks: readonly string[]): Promise<Map<string, string>> {
  const found = await Promise.all(
    [...new Set(weeks)].map(async (week) => {
      const res = await api.call('GET', '/notices', { query: { week, kind: 'bulletin', limit: 20 } });
      return [week, res.ok ? bulletinIssueOf(res.body.items) : undefined] as const;
    }),
  );
  return new Map(found.filter((f): f is readonly [string, string] => f[1] !== undefined));
}

/** The evaluated (final) weeks, newest first, up to `to` when given. */
export async function evaluatedWeeks(api: ApiClient, limit: number, to?: string): Promise<BulletinSummary[]> {
  const res = await api.get('/bulletins', { query: { limit, to } });
  return res.items;
}

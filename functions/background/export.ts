import { ApiCallError, type ApiClient, type ItemOf, type ListPath } from '../client/api-client.ts';
import { problemColor } from '../core/rules/colors.ts';
import { beijingDateTime } from '../core/time.ts';
import { EXPORT_LIST_LABELS, type ExportList } from '../schemas/background.ts';
import { type ExportItems, exportSheet, type Links, namesWanted, relativeLinks } from './export-columns.ts';
import { LIST_SOURCES } from './lists.ts';
import { namesById } from './lookup.ts';
import { writeWorkbook } from './xlsx-writer.ts';

/**
 * A list exported to .xlsx: paged through the API's own list route with the filters given (as the
 * person who asked, so they get what their list page shows), names resolved for ids, Chinese headers,
 * times in Beijing time. The columns are in export-columns.ts.
 */
const COLOR_ORDER: Record<string, number> = { red: 0, yellow: 1, green: 2 };

export interface ExportDeps {
  api: ApiClient;
  now: Date;
  /** Called as pages arrive (rows so far); keeps the task's heartbeat fresh. */
  progress(done: number): Promise<void>;
  /** Where the pages are (PUBLIC_BASE_URL), for the links in the sheet; root-relative without it. */
  baseUrl?: string | undefined;
}

export interface ExportOutcome {
  rows: number;
  body: Buffer;
  fileName: string;
}

/** Every page of a list, as its route answers it. */
async function pages<P extends ListPath>(
  api: ApiClient,
  path: P,
  query: Record<string, string>,
  deps: ExportDeps,
  items: Array<ItemOf<P>> = [],
): Promise<Array<ItemOf<P>>> {
  let next: string | undefined;
  do {
    const res = await api.page(path, { query: { ...query, limit: 100, ...(next ? { next } : {}) } });
    if (!res.ok) throw new ApiCallError(res.status, res.error, `GET ${path}`);
    items.push(...res.body.items);
    next = res.body.next;
    await deps.progress(items.length);
  } while (next);
  return items;
}

/** The board: open problems and those awaiting verification, coloured by the rules in force, red first. */
async function boardItems(api: ApiClient, filters: Record<string, string>, deps: ExportDeps) {
  const items = await pages(api, '/problems', { ...filters, status: 'open' }, deps);
  await pages(api, '/problems', { ...filters, status: 'awaiting_verification' }, deps, items);
  const rules = (await api.get('/rules')).current;
  return items
    .map((p) => ({ ...p, color: problemColor(p, deps.now, rules) }))
    .sort(
      (a, b) =>
        (COLOR_ORDER[a.color.color] ?? 3) - (COLOR_ORDER[b.color.color] ?? 3) ||
        String(a.rectifyBy).localeCompare(String(b.rectifyBy)),
    );
}

/** 包镇领导: each township's leaders (one query per township), by township then start date. */
async function leaderItems(api: ApiClient, filters: Record<string, string>, deps: ExportDeps) {
  const { townshipId, ...query } = filters;
  const townships = townshipId ? [townshipId] : (await pages(api, '/townships', {}, deps)).map((t) => t.id);
  const items: Array<ItemOf<'/townships/{id}/leaders'>> = [];
  for (const id of townships) {
    let next: string | undefined;
    do {
      const res = await api.page('/townships/{id}/leaders', {
        params: { id },
        query: { ...query, limit: 100, ...(next ? { next } : {}) },
      });
      if (!res.ok) throw new ApiCallError(res.status, res.error, 'GET /townships/{id}/leaders');
      items.push(...res.body.items);
      next = res.body.next;
      await deps.progress(items.length);
    } while (next);
  }
  return items;
}

function allItems(api: ApiClient, list: ExportList, filters: Record<string, string>, deps: ExportDeps) {
  if (list === 'board') return boardItems(api, filters, deps);
  if (list === 'leaders') return leaderItems(api, filters, deps);
  return pages(api, LIST_SOURCES[list].path, filters, deps);
}

export function exportFileName(list: ExportList, now: Date): string {
  const stamp = beijingDateTime(now).replace(/[-:]/g, '').replace(' ', '-');
  return `${EXPORT_LIST_LABELS[list]}-${stamp}.xlsx`;
}

export async function runExport(
  input: { list: ExportList; filters: Record<string, string> },
  deps: ExportDeps,
): Promise<ExportOutcome> {
  const items = (await allItems(deps.api, input.list, input.filters, deps)) as Array<
    ExportItems[typeof input.list]
  >;
  const wanted = namesWanted(input.list, items);
  const [townships, villages, cadres] = await Promise.all([
    namesById(deps.api, 'townships', wanted.townships),
    namesById(deps.api, 'villages', wanted.villages),
    namesById(deps.api, 'cadres', wanted.cadres),
  ]);
  const base = deps.baseUrl?.replace(/\/+$/, '') ?? '';
  const links: Links = { photo: (id) => `${base}${relativeLinks.photo(id)}` };
  const sheet = exportSheet(
    input.list,
    EXPORT_LIST_LABELS[input.list],
    items,
    { townships, villages, cadres },
    links,
  );
  const body = writeWorkbook([sheet], { creator: '包村', created: deps.now });
  return { rows: items.length, body, fileName: exportFileName(input.list, deps.now) };
}

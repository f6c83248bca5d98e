import type { DocumentKind } from '../../core/document-kinds.ts';
import { keys } from './keys.ts';
import {
  equalityFilter,
  getItem,
  type Item,
  mapPage,
  narrowest,
  type Page,
  putIfAbsent,
  queryAll,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Records of rendered documents (周通报, 谈话通知书, 整改通知书, 通报批评, 任命书): number, title, file name
 * and where the files are stored. Ids are derived from what the document is about (kind, week,
 * subject, revision), so a re-run or a retried job lands on the same record and reuses its number.
 * Listed newest first: all (GSI1), per cadre (GSI2), per week (GSI3; a week's handful of documents).
 */
export interface NoticeRecord {
  id: string;
  kind: DocumentKind;
  week?: string;
  cadreId?: string;
  /** Document number (指谈〔2026〕3号) or the bulletin's issue (2026年第12期). */
  number: string;
  title: string;
  /** Download name without extension, Chinese (e.g. 提醒谈话通知书-张三-2026-W47). */
  fileName: string;
  files: { html: string; pdf?: string };
  createdAt: string;
  /** The evaluation revision the document was rendered from (weekly documents). */
  revision?: number;
  /** What else identifies the subject: a major failure's id, an assignment's id. */
  subjectId?: string;
}

export interface NoticeFilter {
  cadreId?: string | undefined;
  kind?: DocumentKind | undefined;
  week?: string | undefined;
}

const strip = (item: Record<string, unknown>) => withoutKeys(item) as unknown as NoticeRecord;

function indexes(r: NoticeRecord): Record<string, string> {
  const sort = `${r.createdAt}#${r.id}`;
  return {
    GSI1PK: keys.noticeList(),
    GSI1SK: sort,
    ...(r.cadreId ? { GSI2PK: keys.cadreNotices(r.cadreId), GSI2SK: sort } : {}),
    ...(r.week ? { GSI3PK: keys.weekNotices(r.week), GSI3SK: sort } : {}),
  };
}

export async function getNotice(id: string): Promise<NoticeRecord | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.notice(id));
  return item && strip(item);
}

/** Creates the record unless one with this id exists; returns what is stored either way. */
export async function putNoticeIfAbsent(
  record: NoticeRecord,
): Promise<{ created: boolean; record: NoticeRecord }> {
  if (await putIfAbsent({ ...keys.notice(record.id), ...indexes(record), entity: 'notice', ...record })) {
    return { created: true, record };
  }
  const stored = await getNotice(record.id);
  if (!stored) throw new Error(`notice ${record.id} vanished`);
  return { created: false, record: stored };
}

/** Points a record at freshly rendered files (a re-render for a later revision keeps the number). */
export async function updateNoticeFiles(
  id: string,
  files: NoticeRecord['files'],
  revision: number | undefined,
  title: string,
): Promise<NoticeRecord> {
  const item = await updateItem<Record<string, unknown>>({
    Key: keys.notice(id),
    UpdateExpression: `SET #files = :files, #title = :title${revision === undefined ? '' : ', #revision = :revision'}`,
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: {
      '#files': 'files',
      '#title': 'title',
      ...(revision === undefined ? {} : { '#revision': 'revision' }),
    },
    ExpressionAttributeValues: {
      ':files': files,
      ':title': title,
      ...(revision === undefined ? {} : { ':revision': revision }),
    },
  });
  return strip(item);
}

/**
 * Points a record at the PDF printed from its HTML apart from the rendering (jobs/print-document.ts),
 * only while the record still names that HTML file.
 */
export async function setNoticePdf(id: string, html: string, pdf: string): Promise<NoticeRecord> {
  const item = await updateItem<Record<string, unknown>>({
    Key: keys.notice(id),
    UpdateExpression: 'SET #files.#pdf = :pdf',
    ConditionExpression: 'attribute_exists(PK) AND #files.#html = :html',
    ExpressionAttributeNames: { '#files': 'files', '#pdf': 'pdf', '#html': 'html' },
    ExpressionAttributeValues: { ':pdf': pdf, ':html': html },
  });
  return strip(item);
}

/** Every document rendered for a week (bulletin revisions and notices), oldest first. */
export async function listDocumentsForWeek(week: string): Promise<NoticeRecord[]> {
  const items = await queryAll<Record<string, unknown>>({ index: 'GSI3', partition: keys.weekNotices(week) });
  return items.map(strip);
}

/**
 * One page, newest first. The most selective index serves the query (a week, else a cadre, else
 * all); the remaining filters apply on it.
 */
export async function listNotices(
  filter: NoticeFilter,
  limit: number,
  next?: string,
): Promise<Page<NoticeRecord>> {
  const source = narrowest(
    filter.week && ['GSI3', keys.weekNotices(filter.week)],
    filter.cadreId && ['GSI2', keys.cadreNotices(filter.cadreId)],
    ['GSI1', keys.noticeList()],
  );
  const where = equalityFilter({
    cadreId: source.index === 'GSI3' ? filter.cadreId : undefined,
    kind: filter.kind,
  });
  return mapPage(await queryPage<Item>({ ...source, descending: true, filter: where }, limit, next), strip);
}

/** Where an admin downloads a document. */
export function downloadPath(id: string, format: 'pdf' | 'html'): string {
  return `/notices/${encodeURIComponent(id)}/download?format=${format}`;
}

/**
 * A cadre's documents of some kinds for weeks in a range (GSI2, the cadre's own documents: a few a
 * month), newest first: what concerned a problem while it was open.
 */
export async function cadreNoticesInWeeks(
  cadreId: string,
  kinds: DocumentKind[],
  fromWeek: string,
  toWeek: string,
): Promise<NoticeRecord[]> {
  const values = Object.fromEntries(kinds.map((k, i) => [`:k${i}`, k]));
  const items = await queryAll<Record<string, unknown>>({
    index: 'GSI2',
    partition: keys.cadreNotices(cadreId),
    descending: true,
    filter: {
      expression: `#week BETWEEN :w1 AND :w2 AND #kind IN (${Object.keys(values).join(', ')})`,
      names: { '#week': 'week', '#kind': 'kind' },
      values: { ':w1': fromWeek, ':w2': toWeek, ...values },
    },
  });
  return items.map(strip);
}

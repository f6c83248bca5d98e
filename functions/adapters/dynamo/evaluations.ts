import { gunzipSync, gzipSync } from 'node:zlib';
import type { WeeklyEvaluation } from '../../core/rules/evaluation.ts';
import type { StoredEvaluation } from '../../schemas/bulletins.ts';
import { keys } from './keys.ts';
import {
  batchPut,
  ConditionFailed,
  getItem,
  type Item,
  type Page,
  putItem,
  queryAll,
  queryPage,
  withoutKeys,
} from './table.ts';
import { meteredQuery, type ReadMeter } from './week-facts.ts';

/**
 * Weekly evaluations. A province-wide evaluation is megabytes of JSON, far over DynamoDB's 400 KB
 * item limit, so each one is stored gzip-compressed in numbered chunks under the week's partition,
 * and a small head item says which chunks are current:
 *   EVAL#<week> / A          final head: latest revision, its history, summary counts (GSI1 `EVALS`)
 *   EVAL#<week> / P          provisional head (current week as of now), replaced on each run
 *   EVAL#<week> / R#<rev>#<fingerprint>#E#<n>   a final revision's evaluation chunks (kept: history)
 *   EVAL#<week> / R#<rev>#<fingerprint>#C#<n>   its carry-over (open matters at the week's end)
 *   EVAL#<week> / P#<fingerprint>#E|C#<n>       provisional chunks, expiring after a few weeks
 * Chunk keys carry the fingerprint, so two concurrent runs never overwrite each other's chunks; the
 * head is written last with a condition on the revision it replaces, so readers never see a head
 * whose chunks are incomplete and a revision number is never given out twice.
 */

const CHUNK_BYTES = 300_000;
const PROVISIONAL_TTL_DAYS = 35;

export interface RevisionRef {
  revision: number;
  evaluatedAt: string;
  fingerprint: string;
}

export interface EvaluationSummary {
  week: string;
  monday: string;
  sunday: string;
  revision: number;
  revised: boolean;
  provisional: boolean;
  ruleSetVersion: number;
  evaluatedAt: string;
  asOf: string;
  fingerprint: string;
  counts: {
    cadres: number;
    commended: number;
    selfCriticism: number;
    reminderTalk: number;
    admonishmentTalk: number;
    circle: number;
    entered: number;
    exited: number;
  };
  colors: { red: number; yellow: number; green: number };
}

export interface EvaluationHead extends EvaluationSummary {
  carryDigest: string;
  /** Chunk-key prefix of this revision's blobs, and how many chunks each has. */
  blob: string;
  parts: { evaluation: number; carry: number };
  revisions: RevisionRef[];
}

export function summarize(
  e: WeeklyEvaluation,
  meta: { revision: number; evaluatedAt: string; fingerprint: string },
): EvaluationSummary {
  return {
    week: e.week,
    monday: e.monday,
    sunday: e.sunday,
    revision: meta.revision,
    revised: meta.revision > 1,
    provisional: e.provisional,
    ruleSetVersion: e.ruleSetVersion,
    evaluatedAt: meta.evaluatedAt,
    asOf: e.asOf,
    fingerprint: meta.fingerprint,
    counts: {
      cadres: e.cadres.length,
      commended: e.tiers.commended.length,
      selfCriticism: e.tiers.selfCriticism.length,
      reminderTalk: e.tiers.reminderTalk.length,
      admonishmentTalk: e.tiers.admonishmentTalk.length,
      circle: e.circle.members.length,
      entered: e.circle.entered.length,
      exited: e.circle.exited.length,
    },
    colors: { red: e.colors.total.red, yellow: e.colors.total.yellow, green: e.colors.total.green },
  };
}

function chunks(value: unknown): Uint8Array[] {
  const zipped = gzipSync(Buffer.from(JSON.stringify(value)));
  const out: Uint8Array[] = [];
  for (let i = 0; i < zipped.length; i += CHUNK_BYTES) out.push(zipped.subarray(i, i + CHUNK_BYTES));
  return out.length ? out : [new Uint8Array()];
}

function blobItems(week: string, blob: string, value: unknown, extra: Item): Item[] {
  return chunks(value).map((data, part) => ({
    ...keys.evaluationPart(week, blob, part),
    entity: 'evaluationPart',
    data,
    ...extra,
  }));
}

async function readBlob<T>(
  week: string,
  blob: string,
  parts: number,
  meter?: ReadMeter,
): Promise<T | undefined> {
  const spec = { partition: keys.evaluation(week).PK, beginsWith: `${blob}#` };
  const items = meter
    ? await meteredQuery(meter, 'carry', spec)
    : await queryAll<Item>({ partition: spec.partition, sort: { beginsWith: spec.beginsWith } });
  if (items.length !== parts) return undefined;
  const buffers = items.map((i) => Buffer.from(i.data as Uint8Array));
  return JSON.parse(gunzipSync(Buffer.concat(buffers)).toString('utf8')) as T;
}

const headOf = (item: Item | undefined) =>
  item ? (withoutKeys(item) as unknown as EvaluationHead) : undefined;

export async function getFinalHead(week: string): Promise<EvaluationHead | undefined> {
  return headOf(await getItem<Item>(keys.evaluation(week)));
}

export async function getProvisionalHead(week: string): Promise<EvaluationHead | undefined> {
  const head = headOf(await getItem<Item>(keys.provisionalEvaluation(week)));
  return head;
}

/** The evaluation a head points to (or one of its earlier revisions). */
export async function readEvaluation(
  head: EvaluationHead,
  revision?: number,
): Promise<WeeklyEvaluation | undefined> {
  if (revision === undefined || revision === head.revision)
    return readBlob<WeeklyEvaluation>(head.week, `${head.blob}#E`, head.parts.evaluation);
  const ref = head.revisions.find((r) => r.revision === revision);
  if (!ref) return undefined;
  // Earlier revisions: the chunk count is not kept per revision; read what is there.
  const items = await queryAll<Item>({
    partition: keys.evaluation(head.week).PK,
    sort: { beginsWith: `${revisionBlob(revision, ref.fingerprint)}#E#` },
  });
  if (!items.length) return undefined;
  const data = Buffer.concat(items.map((i) => Buffer.from(i.data as Uint8Array)));
  return JSON.parse(gunzipSync(data).toString('utf8')) as WeeklyEvaluation;
}

/** The carry-over stored with a final evaluation, counted on the caller's meter. */
export async function readCarry<T>(head: EvaluationHead, meter: ReadMeter): Promise<T | undefined> {
  return readBlob<T>(head.week, `${head.blob}#C`, head.parts.carry, meter);
}

export const revisionBlob = (revision: number, fingerprint: string) =>
  `R#${String(revision).padStart(6, '0')}#${fingerprint}`;

function toStored(head: EvaluationHead, evaluation: WeeklyEvaluation, revised: boolean): StoredEvaluation {
  return {
    week: head.week,
    revision: head.revision,
    revised,
    provisional: head.provisional,
    ruleSetVersion: head.ruleSetVersion,
    evaluatedAt: head.evaluatedAt,
    fingerprint: head.fingerprint,
    evaluation,
  };
}

/**
 * The evaluation stored for a week: the latest final revision, or else the provisional view. With
 * `revision`, that final revision. `revised` here tells whether the stored one is a revision.
 */
export async function getStoredEvaluation(
  week: string,
  options: { revision?: number | undefined } = {},
): Promise<(StoredEvaluation & { head: EvaluationHead }) | undefined> {
  const final = await getFinalHead(week);
  const head = final ?? (options.revision === undefined ? await getProvisionalHead(week) : undefined);
  if (!head) return undefined;
  const evaluation = await readEvaluation(head, options.revision);
  if (!evaluation) return undefined;
  const ref =
    options.revision === undefined ? head : head.revisions.find((r) => r.revision === options.revision);
  if (!ref) return undefined;
  const stored = toStored({ ...head, ...ref }, evaluation, ref.revision > 1);
  return { ...stored, head };
}

/** Final evaluations, newest week first. */
export async function listStoredEvaluations(
  limit: number,
  next?: string,
  range: { from?: string | undefined; to?: string | undefined } = {},
): Promise<Page<EvaluationSummary>> {
  const sort =
    range.from || range.to
      ? { between: [range.from ?? '0000', range.to ?? '9999'] as [string, string] }
      : undefined;
  const page = await queryPage<Item>(
    { index: 'GSI1', partition: keys.evaluationList(), ...(sort ? { sort } : {}), descending: true },
    limit,
    next,
  );
  return {
    items: page.items.map((i) => {
      const { carryDigest: _c, blob: _b, parts: _p, revisions: _r, ...summary } = headOf(i) as EvaluationHead;
      return summary;
    }),
    ...(page.next ? { next: page.next } : {}),
  };
}

/** The latest final evaluation of a week before `week`, if any (for filling a gap in the weeks). */
export async function latestFinalBefore(week: string): Promise<string | undefined> {
  const page = await queryPage<Item>(
    { index: 'GSI1', partition: keys.evaluationList(), sort: { lt: week }, descending: true },
    1,
  );
  return page.items[0]?.week as string | undefined;
}

export interface NewEvaluation {
  evaluation: WeeklyEvaluation;
  carry: unknown;
  fingerprint: string;
  carryDigest: string;
  evaluatedAt: string;
}

/**
 * Stores a new final revision after `previous` (undefined: the first). Returns the new head, or
 * undefined when another run stored a revision first (the caller re-reads and decides again).
 */
export async function putFinalRevision(
  previous: EvaluationHead | undefined,
  next: NewEvaluation,
): Promise<EvaluationHead | undefined> {
  const { evaluation: e } = next;
  const revision = (previous?.revision ?? 0) + 1;
  const blob = revisionBlob(revision, next.fingerprint);
  const evalItems = blobItems(e.week, `${blob}#E`, e, {});
  const carryItems = blobItems(e.week, `${blob}#C`, next.carry, {});
  await batchPut([...evalItems, ...carryItems]);
  const ref: RevisionRef = { revision, evaluatedAt: next.evaluatedAt, fingerprint: next.fingerprint };
  const head: EvaluationHead = {
    ...summarize(e, ref),
    carryDigest: next.carryDigest,
    blob,
    parts: { evaluation: evalItems.length, carry: carryItems.length },
    revisions: [...(previous?.revisions ?? []), ref],
  };
  try {
    await putItem(
      {
        ...keys.evaluation(e.week),
        GSI1PK: keys.evaluationList(),
        GSI1SK: e.week,
        entity: 'evaluation',
        ...head,
      },
      previous
        ? { expression: 'revision = :previous', values: { ':previous': previous.revision } }
        : { expression: 'attribute_not_exists(PK)' },
    );
    return head;
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
}

/** Replaces the provisional view of a week; its chunks expire once the week is long finished. */
export async function putProvisional(next: NewEvaluation, now: Date): Promise<EvaluationHead> {
  const { evaluation: e } = next;
  const blob = `P#${next.fingerprint}`;
  const expiresAt = Math.floor(now.getTime() / 1000) + PROVISIONAL_TTL_DAYS * 86_400;
  const evalItems = blobItems(e.week, `${blob}#E`, e, { expiresAt });
  const carryItems = blobItems(e.week, `${blob}#C`, next.carry, { expiresAt });
  await batchPut([...evalItems, ...carryItems]);
  const ref: RevisionRef = { revision: 0, evaluatedAt: next.evaluatedAt, fingerprint: next.fingerprint };
  const head: EvaluationHead = {
    ...summarize(e, ref),
    revised: false,
    carryDigest: next.carryDigest,
    blob,
    parts: { evaluation: evalItems.length, carry: carryItems.length },
    revisions: [],
  };
  await putItem({ ...keys.provisionalEvaluation(e.week), entity: 'evaluation', expiresAt, ...head });
  return head;
}

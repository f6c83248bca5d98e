import * as store from '../adapters/dynamo/roster.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { expectedVersion, versionConflict, versionHeaders } from '../http/if-match.ts';
import { defineRoute, type RequestContext } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  CADRE_RANK_LABELS,
  cadre,
  patchCadre,
  patchTownship,
  patchVillage,
  township,
  VILLAGE_CATEGORY_LABELS,
  village,
} from '../schemas/roster.ts';
import { checkUnitReference } from './unit-reference.ts';

/**
 * Corrections to the roster: PATCH a township, village or cadre with If-Match carrying the version
 * the caller read. Steps: 1. refuse an empty correction (400) and a missing If-Match (428);
 * 2. read the record (404); 3. work out what really changes (nothing: answer the record as it is,
 * or 412 when the caller's version is stale); 4. one conditional write at that version (412 when
 * someone else got there first); 5. audit before and after. Names are read live by every page and
 * document, so a rename shows at the next render.
 */
const TAGS = ['roster'];
const RESPONSES = { 400: errorBody, 403: errorBody, 404: errorBody, 412: errorBody, 428: errorBody } as const;

/** Personal data: the audit trail notes that a contact detail was set or cleared, not its value. */
const PERSONAL = new Set(['email', 'phone']);

type Plain = Record<string, unknown>;

/** The fields whose value differs, as `set` (new values) and `remove` (fields cleared with null). */
function changesOf(current: Plain, patch: Plain): { set: Plain; remove: string[]; fields: string[] } {
  const set: Plain = {};
  const remove: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      if (current[field] !== undefined) remove.push(field);
    } else if (JSON.stringify(current[field]) !== JSON.stringify(value)) {
      set[field] = value;
    }
  }
  return { set, remove, fields: [...Object.keys(set), ...remove] };
}

function snapshot(record: Plain, fields: string[]): Plain {
  return Object.fromEntries(
    fields.map((f) => {
      const value = record[f] ?? null;
      return [f, PERSONAL.has(f) && value !== null ? '[set]' : value];
    }),
  );
}

function emptyPatch(): ValidationError {
  return new ValidationError('请至少填写一项要修改的内容', {
    fields: [{ path: 'body', code: 'EMPTY_PATCH', message: '没有要修改的内容' }],
  });
}

interface Versioned extends Plain {
  version: number;
}

/**
 * The shared steps. `derive` adds what follows from the changed fields (a label for a code);
 * `check` refuses references that do not exist.
 */
async function applyCorrection<T extends Versioned>(
  what: { entityType: string; label: string },
  id: string,
  patch: Plain,
  ctx: RequestContext,
  ops: {
    get(id: string): Promise<T | undefined>;
    write(
      id: string,
      expected: number,
      change: store.Correction,
      at: string,
    ): Promise<store.CorrectResult<T>>;
    derive?(set: Plain): Plain;
    check?(set: Plain): Promise<void>;
  },
) {
  if (Object.values(patch).every((v) => v === undefined)) throw emptyPatch();
  const expected = expectedVersion(ctx);
  const current = await ops.get(id);
  if (!current) throw new NotFoundError(`${what.label}不存在`);
  const { set, remove, fields } = changesOf(current, patch);
  if (fields.length === 0) {
    // Nothing differs: no write and no audit entry, but a stale version is still a conflict.
    if (current.version !== expected) throw versionConflict(what.label, current.version);
    return { status: 200, body: current, headers: versionHeaders(current.version) };
  }
  if (current.version !== expected) throw versionConflict(what.label, current.version);
  await ops.check?.(set);
  const result = await ops.write(
    id,
    expected,
    { set: { ...set, ...ops.derive?.(set) }, remove },
    ctx.now.toISOString(),
  );
  if (result.kind === 'missing') throw new NotFoundError(`${what.label}不存在`);
  if (result.kind === 'stale') throw versionConflict(what.label, result.current.version);
  await ctx.audit({
    entityType: what.entityType,
    entityId: id,
    action: 'update',
    changes: {
      before: snapshot(current, fields),
      after: snapshot(result.item, fields),
      version: result.item.version,
    },
  });
  return { status: 200, body: result.item, headers: versionHeaders(result.item.version) };
}

async function checkTownship(townshipId: unknown): Promise<void> {
  if (typeof townshipId !== 'string') return;
  if (await store.getTownship(townshipId)) return;
  throw new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path: 'body.townshipId', code: 'UNKNOWN_REFERENCE', message: '乡镇不存在' }],
  });
}

export const rosterCorrectionRoutes = [
  defineRoute({
    method: 'PATCH',
    path: '/townships/{id}',
    summary: '修改乡镇（If-Match 带读取时的版本号）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    params: idParams,
    body: patchTownship,
    responses: { 200: township, ...RESPONSES },
    handle: ({ params, body }, ctx) =>
      applyCorrection({ entityType: 'township', label: '乡镇' }, params.id, body, ctx, {
        get: store.getTownship,
        write: store.correctTownship,
      }),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/villages/{id}',
    summary: '修改村（名称、类别、村情、位置；所属乡镇不可改；If-Match 带读取时的版本号）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    params: idParams,
    body: patchVillage,
    responses: { 200: village, ...RESPONSES },
    handle: ({ params, body }, ctx) =>
      applyCorrection({ entityType: 'village', label: '村' }, params.id, body, ctx, {
        get: store.getVillage,
        write: store.correctVillage,
        derive: (set) =>
          typeof set.category === 'string'
            ? { categoryLabel: VILLAGE_CATEGORY_LABELS[set.category as keyof typeof VILLAGE_CATEGORY_LABELS] }
            : {},
      }),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/cadres/{id}',
    summary: '修改干部（姓名、单位、职级、所在乡镇、联系方式；If-Match 带读取时的版本号）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    params: idParams,
    body: patchCadre,
    responses: { 200: cadre, ...RESPONSES },
    handle: ({ params, body }, ctx) =>
      applyCorrection({ entityType: 'cadre', label: '干部' }, params.id, body, ctx, {
        get: store.getCadre,
        write: store.correctCadre,
        check: async (set) => {
          await checkTownship(set.townshipId);
          await checkUnitReference(set.unitId);
        },
        derive: (set) =>
          typeof set.rank === 'string'
            ? { rankLabel: CADRE_RANK_LABELS[set.rank as keyof typeof CADRE_RANK_LABELS] }
            : {},
      }),
  }),
];

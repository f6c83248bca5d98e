/**
 * HTML form fields → the JSON body an API route expects, driven by that route's zod schema, so a
 * plain POST (no JavaScript), the page's inline validation and the offline queue all send exactly what
 * the API validates. Runs on the server and in the browser (no Node or DOM imports).
 *
 * Field names are the body's JSON paths with dots: `note`, `findings.0.present`,
 * `findings.0.problems.1.severity`. The schema decides what each value becomes:
 * - strings and enums: the last value given; an empty value is left out when the field is optional;
 * - booleans: `true`/`on`/`1` are true, `false`/`0` false (a hidden `false` before a checkbox makes
 *   an unticked box arrive as false); numbers: `Number()` of a numeric value, else the text (the
 *   schema then says why it is wrong);
 * - arrays of objects: indexed names; rows whose every value is empty (spare rows of a no-JS form) are
 *   dropped and the rest renumbered, and `paths` maps each body path back to the field that holds it,
 *   so an error the API reports at `findings.1.note` lands on the field the person typed into;
 * - names starting with `_` belong to the page (`_key` is the idempotency key) and are not sent.
 */

export type FormEntries = ReadonlyArray<readonly [string, string]>;

interface SchemaLike {
  _zod: { def: SchemaDef; optin?: string | undefined };
}
interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaLike>;
  element?: SchemaLike;
  innerType?: SchemaLike;
  in?: SchemaLike;
  out?: SchemaLike;
}

interface Resolved {
  kind: 'object' | 'array' | 'boolean' | 'number' | 'text';
  optional: boolean;
  schema: SchemaLike;
}

/** Looks through optional/default/pipe wrappers to what a field holds. */
function resolve(schema: SchemaLike): Resolved {
  let current = schema;
  let optional = false;
  for (let guard = 0; guard < 20; guard++) {
    const def = current._zod.def;
    if (current._zod.optin === 'optional') optional = true;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
      case 'catch':
        current = def.innerType as SchemaLike;
        continue;
      case 'lazy':
        // Request schemas are built on first use (functions/schemas/common.ts, `built`).
        current = (current._zod as unknown as { innerType: SchemaLike }).innerType;
        continue;
      case 'pipe': {
        // A pipe that starts with a transform (labels → codes) accepts what its output accepts.
        const input = def.in as SchemaLike;
        current = input._zod.def.type === 'transform' ? (def.out as SchemaLike) : input;
        continue;
      }
      case 'object':
        return { kind: 'object', optional, schema: current };
      case 'array':
        return { kind: 'array', optional, schema: current };
      case 'boolean':
        return { kind: 'boolean', optional, schema: current };
      case 'number':
      case 'int':
        return { kind: 'number', optional, schema: current };
      default:
        return { kind: 'text', optional, schema: current };
    }
  }
  return { kind: 'text', optional, schema: current };
}

interface Node {
  values: string[];
  children: Map<string, Node>;
}

function tree(entries: FormEntries): Node {
  const root: Node = { values: [], children: new Map() };
  for (const [name, value] of entries) {
    if (!name || name.startsWith('_')) continue;
    let node = root;
    for (const part of name.split('.')) {
      let child = node.children.get(part);
      if (!child) {
        child = { values: [], children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.values.push(value);
  }
  return root;
}

const TRUE = new Set(['true', 'on', '1', 'yes']);
const FALSE = new Set(['false', 'off', '0', 'no']);

function isBlank(node: Node): boolean {
  if (node.values.some((v) => v.trim() !== '' && !FALSE.has(v))) return false;
  for (const child of node.children.values()) if (!isBlank(child)) return false;
  return true;
}

const SKIP = Symbol('skip');

function convert(
  schema: SchemaLike | undefined,
  node: Node,
  formPath: string,
  bodyPath: string,
  paths: Map<string, string>,
): unknown {
  paths.set(bodyPath, formPath);
  const resolved = schema ? resolve(schema) : undefined;
  const kind = resolved?.kind ?? (node.children.size ? 'object' : 'text');
  const optional = resolved?.optional ?? true;
  const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

  if (kind === 'object') {
    const shape = resolved?.schema._zod.def.shape ?? {};
    const out: Record<string, unknown> = {};
    // A field the form did not send at all (no radio chosen) still has a place for its message.
    for (const key of Object.keys(shape)) {
      if (!node.children.has(key)) paths.set(join(bodyPath, key), join(formPath, key));
    }
    for (const [key, child] of node.children) {
      const value = convert(shape[key], child, join(formPath, key), join(bodyPath, key), paths);
      if (value !== SKIP) out[key] = value;
    }
    if (optional && formPath && Object.keys(out).length === 0) return SKIP;
    return out;
  }
  if (kind === 'array') {
    const element = resolved?.schema._zod.def.element;
    const indexed = [...node.children.entries()]
      .filter(([key]) => /^\d+$/.test(key))
      .sort(([a], [b]) => Number(a) - Number(b));
    if (indexed.length === 0) {
      // Repeated plain values (checkbox groups, multi-selects) make an array of scalars.
      const items = node.values
        .map((v, i) =>
          convert(element, { values: [v], children: new Map() }, formPath, join(bodyPath, String(i)), paths),
        )
        .filter((v) => v !== SKIP);
      if (optional && items.length === 0) return SKIP;
      return items;
    }
    const out: unknown[] = [];
    for (const [key, child] of indexed) {
      if (isBlank(child)) continue;
      const value = convert(element, child, join(formPath, key), join(bodyPath, String(out.length)), paths);
      if (value !== SKIP) out.push(value);
    }
    if (optional && out.length === 0) return SKIP;
    return out;
  }
  const raw = node.values.length ? node.values[node.values.length - 1]! : '';
  const trimmed = raw.trim();
  if (kind === 'boolean') {
    if (TRUE.has(trimmed)) return true;
    if (FALSE.has(trimmed)) return false;
    return trimmed === '' && optional ? SKIP : raw;
  }
  if (kind === 'number') {
    if (trimmed === '') return optional ? SKIP : raw;
    const n = Number(trimmed);
    return /^[+-]?\d+(\.\d+)?$/.test(trimmed) && Number.isFinite(n) ? n : raw;
  }
  if (trimmed === '' && optional) return SKIP;
  return raw;
}

export interface FormBody {
  body: Record<string, unknown>;
  /** Body path (`findings.0.note`) → the form field holding it (`findings.2.note`). */
  paths: Map<string, string>;
}

export function formToBody(schema: unknown, entries: FormEntries): FormBody {
  const paths = new Map<string, string>();
  const body = convert(schema as SchemaLike, tree(entries), '', '', paths);
  return { body: body === SKIP ? {} : (body as Record<string, unknown>), paths };
}

export interface FieldMessage {
  /** The form field the message belongs to; '' for the form as a whole. */
  name: string;
  code: string;
  message: string;
}

/**
 * API field issues (paths like `body.findings.1.note`) → messages on form fields. A path the form has
 * no field for goes to its nearest ancestor that it has (a row, a list), else to the form itself.
 */
export function fieldMessages(
  issues: ReadonlyArray<{ path: string; code: string; message: string }>,
  paths: ReadonlyMap<string, string>,
): FieldMessage[] {
  return issues.map((issue) => {
    const path = issue.path.replace(/^body\.?/, '');
    let name = '';
    if (issue.path.startsWith('body')) {
      const parts = path ? path.split('.') : [];
      for (let n = parts.length; n > 0; n--) {
        const found = paths.get(parts.slice(0, n).join('.'));
        if (found !== undefined) {
          name = found;
          break;
        }
      }
    }
    return { name, code: issue.code, message: issue.message };
  });
}

/** zod issues (from a browser-side safeParse) in the API's shape, so both paths share fieldMessages. */
export function issuesOf(error: {
  issues: ReadonlyArray<{
    path: ReadonlyArray<PropertyKey>;
    code: string;
    message: string;
    params?: unknown;
  }>;
}): Array<{ path: string; code: string; message: string }> {
  return error.issues.flatMap((issue) => {
    const base = ['body', ...issue.path.map(String)].join('.');
    const keys = (issue as { keys?: unknown }).keys;
    if (issue.code === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({
        path: `${base}.${String(key)}`,
        code: 'UNKNOWN_FIELD',
        message: '不认识的字段',
      }));
    }
    const params = issue.params as { code?: unknown } | undefined;
    const code = issue.code === 'custom' && typeof params?.code === 'string' ? params.code : issue.code;
    return [{ path: base, code: code.toUpperCase(), message: issue.message }];
  });
}

import { randomUUID } from 'node:crypto';
import type { FieldMessage, FormEntries } from '../../client/form-data.ts';

/**
 * What a form shows: the values typed so far, the messages per field, and a fresh idempotency key
 * (`_key`) for a submission without JavaScript. A form shown again after an error gets a new key:
 * the refused attempt wrote nothing, and its key already stands for that refusal.
 */
export interface FormState {
  key: string;
  values: Map<string, string[]>;
  errors: FieldMessage[];
  /** The refusal as a whole (code and Chinese message), when there was one. */
  error: { code: string; message: string } | undefined;
}

export function freshForm(initial: Record<string, string | string[] | undefined> = {}): FormState {
  const values = new Map<string, string[]>();
  for (const [name, value] of Object.entries(initial)) {
    if (value === undefined) continue;
    values.set(name, Array.isArray(value) ? value : [value]);
  }
  return { key: randomUUID(), values, errors: [], error: undefined };
}

export function refusedForm(
  entries: FormEntries,
  errors: FieldMessage[],
  error: { code: string; message: string },
): FormState {
  const values = new Map<string, string[]>();
  for (const [name, value] of entries) {
    if (name.startsWith('_')) continue;
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { key: randomUUID(), values, errors, error };
}

/** One input as a template needs it: name, id, value, message and whether it is ticked or chosen. */
export interface FieldView {
  name: string;
  id: string;
  value: string;
  error: string;
  errorId: string;
  invalid: boolean;
}

export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export function field(state: FormState, name: string, fallback = ''): FieldView {
  const values = state.values.get(name);
  const value = values?.length ? values[values.length - 1]! : fallback;
  const error = state.errors.find((e) => e.name === name)?.message ?? '';
  const id = fieldId(name);
  return { name, id, value, error, errorId: `${id}-error`, invalid: error !== '' };
}

/** A field of one of several forms on a page: its id carries the form's scope so that none repeats. */
export function scoped(f: FieldView, scope: string): FieldView {
  const id = fieldId(`${scope}-${f.name}`);
  return { ...f, id, errorId: `${id}-error` };
}

/** Options of a select or a radio group, with the chosen one marked. */
export function choices(
  state: FormState,
  name: string,
  options: ReadonlyArray<{ value: string; label: string }>,
  fallback = '',
): Array<{ value: string; label: string; selected: boolean; id: string }> {
  const current = field(state, name, fallback).value;
  return options.map((o) => ({ ...o, selected: o.value === current, id: `${fieldId(name)}-${o.value}` }));
}

/** Whether a checkbox is ticked: its value among the submitted ones (or the default when fresh). */
export function ticked(state: FormState, name: string, value = 'true', fallback = false): boolean {
  const values = state.values.get(name);
  if (!values) return fallback;
  return values.includes(value);
}

/** The error summary at the top of a form: every message, linked to its field. */
export function summary(state: FormState): Array<{ href: string; message: string }> {
  // One line per field: its first message, the one shown beside it.
  const seen = new Set<string>();
  return state.errors
    .filter((e) => e.name === '' || (!seen.has(e.name) && seen.add(e.name)))
    .map((e) => ({ href: e.name ? `#${fieldId(e.name)}` : '#form-error', message: e.message }));
}

/** Everything a form template needs besides its fields. */
export function formView(state: FormState) {
  return {
    key: state.key,
    error: state.error ? state.error.message : '',
    hasErrors: state.errors.length > 0 || state.error !== undefined,
    summary: summary(state).filter((s) => s.message !== state.error?.message),
  };
}

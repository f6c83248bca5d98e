import { safeParse } from 'zod/v4/core';
import { type FieldMessage, fieldMessages, formToBody, issuesOf } from '../../client/form-data.ts';
import type { FormDef, FormRegistry } from '../forms/registry.ts';

/**
 * Inline validation: the form's fields go through the same conversion and the same zod schema as on
 * the server, so the messages beside the fields are the API's own. Messages appear for a field once
 * it has been left or the form submitted, and clear as soon as the value is right.
 */
export function entriesOf(form: HTMLFormElement): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') out.push([name, value]);
  return out;
}

export function validate(def: FormDef, entries: Array<[string, string]>): FieldMessage[] {
  const prepared = def.prepare ? def.prepare(entries) : entries;
  const { body, paths } = formToBody(def.schema, prepared);
  const result = safeParse(def.schema as Parameters<typeof safeParse>[0], body);
  return result.success ? [] : fieldMessages(issuesOf(result.error), paths);
}

function inputsFor(form: HTMLFormElement, name: string): HTMLElement[] {
  return [...form.querySelectorAll<HTMLElement>(`[name="${CSS.escape(name)}"]`)].filter(
    (el) => (el as HTMLInputElement).type !== 'hidden',
  );
}

/** Shows `messages` for the fields in `only` (all when undefined); fields not listed are left alone. */
export function showMessages(form: HTMLFormElement, messages: FieldMessage[], only?: Set<string>): void {
  const byName = new Map<string, string>();
  for (const m of messages) if (!byName.has(m.name)) byName.set(m.name, m.message);
  for (const slot of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const name = slot.dataset.errorFor ?? '';
    if (only && !only.has(name)) continue;
    const message = byName.get(name) ?? '';
    slot.textContent = message;
    slot.hidden = message === '';
    for (const input of inputsFor(form, name)) {
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
  if (only) return;
  // Messages with no slot of their own (a rule about the form as a whole) go to the form's summary.
  const summary = form.querySelector<HTMLElement>('[data-form-summary]');
  if (!summary) return;
  const list = summary.querySelector('ul');
  if (list) {
    const seen = new Set<string>();
    const firstPerField = messages.filter((m) => m.name === '' || (!seen.has(m.name) && seen.add(m.name)));
    list.replaceChildren(
      ...firstPerField.map((m) => {
        const li = document.createElement('li');
        const target = m.name ? inputsFor(form, m.name)[0] : undefined;
        if (target?.id) {
          const a = document.createElement('a');
          a.href = `#${target.id}`;
          a.textContent = m.message;
          li.append(a);
        } else {
          li.textContent = m.message;
        }
        return li;
      }),
    );
  }
  summary.hidden = messages.length === 0;
}

export function showFormError(form: HTMLFormElement, message: string): void {
  const box = form.querySelector<HTMLElement>('[data-form-error]');
  if (!box) return;
  box.textContent = message;
  box.hidden = message === '';
}

export function focusFirstInvalid(form: HTMLFormElement, messages: FieldMessage[]): void {
  for (const m of messages) {
    const el = m.name ? inputsFor(form, m.name)[0] : undefined;
    if (el) {
      el.focus();
      return;
    }
  }
  form.querySelector<HTMLElement>('[data-form-summary]')?.focus();
}

/** Validates on leaving a field (once touched) and re-validates touched fields as they change. */
export function attachInlineValidation(form: HTMLFormElement, def: FormDef): void {
  const touched = new Set<string>();
  const check = () => showMessages(form, validate(def, entriesOf(form)), touched);
  form.addEventListener('focusout', (event) => {
    const name = (event.target as HTMLInputElement | null)?.name;
    if (!name || name.startsWith('_')) return;
    touched.add(name);
    check();
  });
  form.addEventListener('input', () => {
    if (touched.size) check();
  });
  form.addEventListener('change', (event) => {
    const name = (event.target as HTMLInputElement | null)?.name;
    if (name && !name.startsWith('_')) touched.add(name);
    check();
  });
}

export function formDef(registry: FormRegistry, form: HTMLFormElement): FormDef | undefined {
  const id = form.dataset.form;
  return id ? registry[id] : undefined;
}

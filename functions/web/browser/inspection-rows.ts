import { showPhotoFields } from './photos.ts';

/**
 * Problem rows of the inspection form. Without script the page has two spare blank rows per cadre
 * (blank rows are dropped when the form is read); with it, the spare rows go, each cadre gets an
 * "add a problem" button that copies the page's <template> row, and each row a remove button. Rows
 * are renumbered after every change so field names stay contiguous (findings.0.problems.0.…, .1.…),
 * with ids, labels and message slots following their fields. Wording comes from the template.
 *
 * Also: a kept (offline) page may be opened days after it was fetched, so a date field still showing
 * the day it was rendered on is moved to today in Beijing.
 */
const ROW = '[data-problem-row]';
/** `findings.3.problems.1.` in names, `findings-3-problems-1-` in ids; the template uses __F__ / __P__. */
const INDEXES = /(findings[.-])(\d+|__F__)([.-]problems[.-])(\d+|__P__)(?=[.-])/g;
const ATTRIBUTES = ['name', 'id', 'for', 'aria-describedby', 'data-error-for', 'href', 'data-photo-field'];

function renumber(list: HTMLElement): void {
  const finding = list.dataset.finding ?? '0';
  list.querySelectorAll<HTMLElement>(ROW).forEach((row, index) => {
    for (const el of [row, ...row.querySelectorAll<HTMLElement>('*')]) {
      for (const attr of ATTRIBUTES) {
        const value = el.getAttribute(attr);
        if (value === null) continue;
        const next = value.replace(
          INDEXES,
          (_m, a: string, _f: string, b: string) => `${a}${finding}${b}${index}`,
        );
        if (next !== value) el.setAttribute(attr, next);
      }
    }
    const number = row.querySelector('[data-row-number]');
    if (number) number.textContent = String(index + 1);
  });
}

function isBlank(row: HTMLElement): boolean {
  const fields = row.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
    'input:not([type="hidden"]), select, textarea',
  );
  const hasMessage = [...row.querySelectorAll<HTMLElement>('[data-error-for]')].some((s) => !s.hidden);
  return !hasMessage && [...fields].every((f) => f.value.trim() === '');
}

/** Tells the form's inline validation that the fields changed (it listens for `change` on the form). */
function revalidate(form: HTMLFormElement): void {
  form.dispatchEvent(new Event('change', { bubbles: true }));
}

function attachRemove(row: HTMLElement, list: HTMLElement, add: HTMLButtonElement): void {
  const remove = row.querySelector<HTMLButtonElement>('[data-remove-row]');
  if (!remove) return;
  remove.hidden = false;
  remove.addEventListener('click', () => {
    const rows = [...list.querySelectorAll<HTMLElement>(ROW)];
    const at = rows.indexOf(row);
    row.remove();
    renumber(list);
    // Focus stays near where it was: the row that moved up, else the one before, else the add button.
    const left = [...list.querySelectorAll<HTMLElement>(ROW)];
    const next = left[at] ?? left[at - 1];
    (next?.querySelector<HTMLElement>('textarea, input:not([type="hidden"]), select') ?? add).focus();
    const form = list.closest('form');
    if (form) revalidate(form);
  });
}

function dateInBeijing(now = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

function moveDateToToday(form: HTMLFormElement): void {
  const today = dateInBeijing();
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type="date"][data-default-today]')) {
    const rendered = input.max;
    if (!rendered || rendered >= today) continue;
    input.max = today;
    // Only a date nobody has changed: the one the page was rendered with.
    if (input.value === rendered && input.defaultValue === rendered) {
      input.defaultValue = today;
      input.value = today;
    }
  }
}

export function attachInspectionRows(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-form="inspection"]')) {
    moveDateToToday(form);
    const template = form.querySelector<HTMLTemplateElement>('template[data-problem-template]');
    for (const list of form.querySelectorAll<HTMLElement>('[data-problem-list]')) {
      const add = list.parentElement?.querySelector<HTMLButtonElement>('[data-add-row]');
      if (!template || !add) continue;
      // The spare rows are for posting without script; here rows are added on demand.
      for (const row of list.querySelectorAll<HTMLElement>(ROW)) if (isBlank(row)) row.remove();
      for (const row of list.querySelectorAll<HTMLElement>(ROW)) attachRemove(row, list, add);
      renumber(list);
      add.hidden = false;
      add.addEventListener('click', () => {
        const row = template.content.querySelector<HTMLElement>(ROW)?.cloneNode(true) as
          | HTMLElement
          | undefined;
        if (!row) return;
        list.append(row);
        renumber(list);
        showPhotoFields(row);
        attachRemove(row, list, add);
        row.querySelector<HTMLElement>('textarea, input:not([type="hidden"]), select')?.focus();
      });
    }
    // After a queued submission the page script resets the form: added rows that are blank again go.
    form.addEventListener('reset', () => {
      setTimeout(() => {
        for (const list of form.querySelectorAll<HTMLElement>('[data-problem-list]')) {
          for (const row of list.querySelectorAll<HTMLElement>(ROW)) if (isBlank(row)) row.remove();
          renumber(list);
        }
      }, 0);
    });
  }
}

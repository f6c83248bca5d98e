import type { FormEntries } from '../../client/form-data.ts';
import { createExportTask, importOptions } from '../../schemas/background.ts';
import { startJobRun } from '../../schemas/jobs.ts';
import type { FormRegistry } from './registry.ts';

/**
 * The export button posts `list` and the list page's filters as plain fields (`townshipId=T01`);
 * the API wants them under `filters`. Empty filters are left out (the list page showed everything).
 */
export function exportEntries(entries: FormEntries): FormEntries {
  return entries.flatMap(([name, value]): Array<readonly [string, string]> => {
    if (name === 'list' || name.startsWith('_')) return [[name, value]];
    return value.trim() === '' ? [] : [[`filters.${name}`, value]];
  });
}

/** The export body from the button's fields (the filters are a record, which formToBody does not build). */
export function exportBody(entries: FormEntries): { list: string; filters: Record<string, string> } {
  const filters: Record<string, string> = {};
  let list = '';
  for (const [name, value] of exportEntries(entries)) {
    if (name === 'list') list = value;
    else if (name.startsWith('filters.')) filters[name.slice('filters.'.length)] = value.trim();
  }
  return { list, filters };
}

/** HQ's forms: imports (the fields besides the file), exports and running a job now. */
export const taskForms = {
  'task-import': { schema: importOptions },
  'task-export': { schema: createExportTask, prepare: exportEntries },
  'job-start': { schema: startJobRun },
} satisfies FormRegistry;

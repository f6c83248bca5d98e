import { RENDER_OPTIONS, templateFamily } from '../documents/template-runtime.ts';
import { pageHelpers } from './template-helpers.ts';
import { type PageTemplateName, pagePartialSpecs, pageTemplateSpecs } from './templates.generated.ts';

/**
 * Renders a page from its precompiled template and a plain view model. An unknown template name fails
 * loudly; a field missing from a view model throws (strict mode) instead of printing an empty gap.
 */
export type { PageTemplateName };

const templates = templateFamily({
  helpers: pageHelpers,
  templates: pageTemplateSpecs,
  partials: pagePartialSpecs,
});

export function renderPage(name: PageTemplateName, view: object): string {
  const template = templates().get(name);
  if (!template) throw new RangeError(`unknown page template: ${String(name)}`);
  return template(view, RENDER_OPTIONS);
}

export function hasPageTemplate(name: string): name is PageTemplateName {
  return templates().has(name);
}

import HandlebarsRuntime from 'handlebars/runtime';
import { pageHelpers } from './helpers.ts';
import { type PageTemplateName, pagePartialSpecs, pageTemplateSpecs } from './templates.generated.ts';

/**
 * Renders a page from its precompiled template and a plain view model. An unknown template name fails
 * loudly; a field missing from a view model throws (strict mode) instead of printing an empty gap.
 */
export type { PageTemplateName };

type Template = (context: unknown, options?: unknown) => string;
interface Runtime {
  create(): Runtime;
  template(spec: unknown): Template;
  registerPartial(name: string, partial: Template): void;
  registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
}

let compiled: Map<string, Template> | undefined;

function templates(): Map<string, Template> {
  if (compiled) return compiled;
  const hb = (HandlebarsRuntime as unknown as Runtime).create();
  for (const [name, fn] of Object.entries(pageHelpers))
    hb.registerHelper(name, fn as (...a: unknown[]) => unknown);
  for (const [name, spec] of Object.entries(pagePartialSpecs)) hb.registerPartial(name, hb.template(spec));
  compiled = new Map(Object.entries(pageTemplateSpecs).map(([name, spec]) => [name, hb.template(spec)]));
  return compiled;
}

export function renderPage(name: PageTemplateName, view: object): string {
  const template = templates().get(name);
  if (!template) throw new RangeError(`unknown page template: ${String(name)}`);
  return template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

export function hasPageTemplate(name: string): name is PageTemplateName {
  return templates().has(name);
}

import HandlebarsRuntime from 'handlebars/runtime';
import { helpers } from '../../documents/helpers.ts';
import { emailTemplateSpecs } from './email-templates.generated.ts';

/**
 * The email templates by name (precompiled; see build-email-templates.ts). An unknown name fails
 * loudly; a field missing from a view model throws (strict mode) instead of sending a gap.
 */
export const EMAIL_TEMPLATES = ['bulletin', 'cadre-notice'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

type Template = (context: unknown, options?: unknown) => string;
interface Runtime {
  create(): Runtime;
  template(spec: unknown): Template;
  registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
}

let compiled: Map<string, Template> | undefined;

function template(name: string): Template {
  if (!compiled) {
    const hb = (HandlebarsRuntime as unknown as Runtime).create();
    for (const [helper, fn] of Object.entries(helpers))
      hb.registerHelper(helper, fn as (...args: unknown[]) => unknown);
    compiled = new Map(
      Object.entries(emailTemplateSpecs as Record<string, unknown>).map(([n, spec]) => [
        n,
        hb.template(spec),
      ]),
    );
  }
  const found = compiled.get(name);
  if (!found) throw new RangeError(`unknown email template: ${name}`);
  return found;
}

/** The HTML and plain-text parts of one email from one view model. */
export function renderEmail(name: EmailTemplate, viewModel: object): { html: string; text: string } {
  const options = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
  return {
    html: template(`${name}.html`)(viewModel, options),
    text: template(`${name}.text`)(viewModel, options).replace(/\n{3,}/g, '\n\n'),
  };
}

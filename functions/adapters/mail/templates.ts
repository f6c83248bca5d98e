import { helpers } from '../../documents/template-helpers.ts';
import { RENDER_OPTIONS, type Template, templateFamily } from '../../documents/template-runtime.ts';
import { emailTemplateSpecs } from './email-templates.generated.ts';

/**
 * The email templates by name (precompiled; see build-email-templates.ts). An unknown name fails
 * loudly; a field missing from a view model throws (strict mode) instead of sending a gap.
 */
export const EMAIL_TEMPLATES = ['bulletin', 'cadre-notice'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

const family = templateFamily({ helpers, templates: emailTemplateSpecs as Record<string, unknown> });

function template(name: string): Template {
  const found = family().get(name);
  if (!found) throw new RangeError(`unknown email template: ${name}`);
  return found;
}

/** The text messages' templates (templates/sms), compiled with the emails'. */
export const SMS_TEMPLATES = ['news'] as const;
export type SmsTemplate = (typeof SMS_TEMPLATES)[number];

/** One text message from one view model: one line, runs of white space made one space. */
export function renderSms(name: SmsTemplate, viewModel: object): string {
  return template(`sms/${name}.text`)(viewModel, RENDER_OPTIONS).replace(/\s+/g, ' ').trim();
}

/** The HTML and plain-text parts of one email from one view model. */
export function renderEmail(name: EmailTemplate, viewModel: object): { html: string; text: string } {
  return {
    html: template(`${name}.html`)(viewModel, RENDER_OPTIONS),
    text: template(`${name}.text`)(viewModel, RENDER_OPTIONS).replace(/\n{3,}/g, '\n\n'),
  };
}

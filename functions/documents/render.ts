import HandlebarsRuntime from 'handlebars/runtime';
import { helpers } from './helpers.ts';
import { partialSpecs, templateSpecs } from './precompiled.generated.ts';

/**
 * Turns a document's view model into print-ready HTML with the precompiled templates, and defines the
 * port that turns that HTML into PDF (adapters in functions/adapters/documents/).
 *
 * Templates are compiled in strict mode (a field missing from a view model throws rather than
 * printing an empty gap into an official document) with the fixed helper set, and every value is
 * HTML-escaped: a cadre named `<script>` prints as text.
 */
export const DOCUMENT_KINDS = [
  'bulletin',
  'talkNotice',
  'rectificationNotice',
  'criticismNotice',
  'appointmentLetter',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  bulletin: '周通报',
  talkNotice: '谈话通知书',
  rectificationNotice: '整改通知书',
  criticismNotice: '通报批评',
  appointmentLetter: '任命书',
};

const TEMPLATE_OF: Record<DocumentKind, keyof typeof templateSpecs> = {
  bulletin: 'bulletin',
  talkNotice: 'talk-notice',
  rectificationNotice: 'rectification-notice',
  criticismNotice: 'criticism-notice',
  appointmentLetter: 'appointment-letter',
};

type Template = (context: unknown, options?: unknown) => string;
interface Runtime {
  create(): Runtime;
  template(spec: unknown): Template;
  registerPartial(name: string, partial: Template): void;
  registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
}

let compiled: Map<DocumentKind, Template> | undefined;

function templates(): Map<DocumentKind, Template> {
  if (compiled) return compiled;
  // An isolated environment: nothing registered elsewhere in the process leaks into documents.
  const hb = (HandlebarsRuntime as unknown as Runtime).create();
  for (const [name, fn] of Object.entries(helpers))
    hb.registerHelper(name, fn as (...args: unknown[]) => unknown);
  for (const [name, spec] of Object.entries(partialSpecs)) hb.registerPartial(name, hb.template(spec));
  compiled = new Map(DOCUMENT_KINDS.map((kind) => [kind, hb.template(templateSpecs[TEMPLATE_OF[kind]])]));
  return compiled;
}

export function renderDocumentHtml(kind: DocumentKind, viewModel: object): string {
  const template = templates().get(kind);
  if (!template) throw new RangeError(`unknown document kind: ${String(kind)}`);
  // Prototype access stays off (Handlebars' default since 4.6): view models are plain data.
  return template(viewModel, {
    allowProtoPropertiesByDefault: false,
    allowProtoMethodsByDefault: false,
  });
}

/** The port that prints HTML to PDF; the local adapter drives Chromium (adapters/documents/chromium.ts). */
export interface PdfRenderer {
  toPdf(html: string): Promise<Buffer>;
  close?(): Promise<void>;
}

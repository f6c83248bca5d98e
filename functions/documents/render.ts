import type { DocumentKind } from '../core/document-kinds.ts';
import { partialSpecs, templateSpecs } from './precompiled.generated.ts';
import { helpers } from './template-helpers.ts';
import { RENDER_OPTIONS, templateFamily } from './template-runtime.ts';

/**
 * Turns a document's view model into print-ready HTML with the precompiled templates, and defines the
 * port that turns that HTML into PDF (adapters in functions/adapters/documents/).
 *
 * Templates are compiled in strict mode (a field missing from a view model throws rather than
 * printing an empty gap into an official document) with the fixed helper set, and every value is
 * HTML-escaped: a cadre named `<script>` prints as text.
 */
export { DOCUMENT_KIND_LABELS, DOCUMENT_KINDS, type DocumentKind } from '../core/document-kinds.ts';

const TEMPLATE_OF: Record<DocumentKind, keyof typeof templateSpecs> = {
  bulletin: 'bulletin',
  talkNotice: 'talk-notice',
  rectificationNotice: 'rectification-notice',
  criticismNotice: 'criticism-notice',
  appointmentLetter: 'appointment-letter',
  talkRecord: 'talk-record',
  commendationNotice: 'commendation-notice',
  assessmentNotice: 'assessment-notice',
};

const templates = templateFamily({ helpers, templates: templateSpecs, partials: partialSpecs });

export function renderDocumentHtml(kind: DocumentKind, viewModel: object): string {
  const template = templates().get(TEMPLATE_OF[kind]);
  if (!template) throw new RangeError(`unknown document kind: ${String(kind)}`);
  return template(viewModel, RENDER_OPTIONS);
}

/** The port that prints HTML to PDF; the local adapter drives Chromium (adapters/documents/chromium.ts). */
export interface PdfRenderer {
  toPdf(html: string): Promise<Buffer>;
  close?(): Promise<void>;
}

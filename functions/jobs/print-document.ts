/**
 * Printing a rendered document as PDF apart from the request that rendered it (docs/talks.md): the
 * API functions have no Chromium (only the scheduled-jobs function carries the document layer), so a
 * talk notice approved or a talk record written through the API is stored as HTML in the request and
 * handed here by an asynchronous invoke (`documents`, payload = the document's id). This prints the
 * HTML as it is stored now and keeps the PDF beside it; then, for a talk notice, sends its news, so the
 * email goes out once the notice can be downloaded as PDF.
 *
 * Exactly once in effect and safe to repeat (Lambda delivers at least once and retries): the PDF's key
 * carries a digest of the HTML it was printed from, so a repeat finds it and prints nothing, and a
 * print of HTML that was replaced meanwhile (a talk record printed again with the cadre's statement)
 * never takes the place of the newer one's PDF. The news goes through the delivery ledger, which sends
 * nothing twice.
 */
import { createHash } from 'node:crypto';
import { defaultPdfRenderer } from '../adapters/documents/chromium.ts';
import { type DocumentStore, documentStore } from '../adapters/documents/store.ts';
import { getNotice, type NoticeRecord, setNoticePdf } from '../adapters/dynamo/notices.ts';
import type { DocumentsPayload } from '../adapters/invoke/index.ts';
import type { PdfRenderer } from '../documents/render.ts';
import type { Logger } from '../http/logger.ts';
import { deliverNews } from './news.ts';

export type PrintOutcome = 'printed' | 'already-printed' | 'missing' | 'no-renderer';

/** The PDF's key for this HTML: beside it, named by the HTML's digest. */
export function pdfKeyFor(htmlKey: string, html: Buffer): string {
  const digest = createHash('sha256').update(html).digest('hex').slice(0, 16);
  return `${htmlKey.replace(/\.html$/, '')}.${digest}.pdf`;
}

async function currentHtml(store: DocumentStore, record: NoticeRecord): Promise<Buffer | undefined> {
  return (await store.get(record.files.html))?.body;
}

/** Prints one document's stored HTML as PDF and points its record at it. */
export async function printDocument(
  documentId: string,
  deps: { store?: DocumentStore; pdf?: PdfRenderer | null } = {},
): Promise<{ outcome: PrintOutcome; pdf?: string }> {
  const store = deps.store ?? documentStore();
  const pdf = deps.pdf === undefined ? defaultPdfRenderer() : deps.pdf;
  const record = await getNotice(documentId);
  if (!record) return { outcome: 'missing' };
  const html = await currentHtml(store, record);
  if (!html) return { outcome: 'missing' };
  const key = pdfKeyFor(record.files.html, html);
  if (record.files.pdf === key && (await store.has(key))) return { outcome: 'already-printed', pdf: key };
  if (!pdf) return { outcome: 'no-renderer' };
  if (!(await store.has(key)))
    await store.put(key, await pdf.toPdf(html.toString('utf8')), 'application/pdf');
  // Only while the HTML is still what was printed: one replaced meanwhile has its own print coming.
  let latest = await currentHtml(store, record);
  if (latest && pdfKeyFor(record.files.html, latest) === key)
    await setNoticePdf(record.id, record.files.html, key);
  // A newer print may have pointed the record at its PDF before this one did: point it back.
  latest = await currentHtml(store, record);
  const newest = latest && pdfKeyFor(record.files.html, latest);
  if (newest && newest !== key && (await store.has(newest)))
    await setNoticePdf(record.id, record.files.html, newest);
  return { outcome: 'printed', pdf: key };
}

/**
 * The `documents` event (functions/api/scheduled.ts): print, then send the news if there is any —
 * sent even when printing failed (the email links the page, which offers the HTML meanwhile), and the
 * failure then thrown so that Lambda tries the print again (the news is not sent twice).
 */
export async function printAndTell(
  event: DocumentsPayload,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  deps: { store?: DocumentStore; pdf?: PdfRenderer | null } = {},
): Promise<{ documentId: string; outcome: PrintOutcome }> {
  let printed: Awaited<ReturnType<typeof printDocument>> | undefined;
  let failure: unknown;
  try {
    printed = await printDocument(event.documentId, deps);
    log.info('document printed', { documentId: event.documentId, outcome: printed.outcome });
  } catch (error) {
    failure = error;
    log.error('document not printed', {
      documentId: event.documentId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  if (event.newsKey) {
    const sent = await deliverNews(event.newsKey, { log });
    if (sent && !sent.done) log.warn('news not all delivered; the daily sweep retries', { ...sent });
  }
  if (failure) throw failure;
  return { documentId: event.documentId, outcome: printed?.outcome ?? 'missing' };
}

/**
 * The request's half of printing apart (functions/jobs/print-document.ts does the printing in the
 * function with Chromium), kept apart from it so that the route bundles carry neither the mailer nor
 * the PDF code: one asynchronous invoke.
 */
import { type DocumentsPayload, invokeAsync } from '../adapters/invoke/index.ts';
import type { Logger } from '../http/logger.ts';

/**
 * The request's half: hands the document to the function with Chromium. Should the hand-off fail, the
 * news goes straight to the news function (the cadre is told; the document stays HTML until it is
 * printed again, e.g. by repeating the request).
 */
export async function handOffPrinting(
  payload: DocumentsPayload,
  log: Pick<Logger, 'warn'> | undefined,
): Promise<void> {
  try {
    await invokeAsync('documents', payload);
  } catch (error) {
    log?.warn('document not handed to the printing function', {
      documentId: payload.documentId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (payload.newsKey) {
      await invokeAsync('news', { key: payload.newsKey }).catch((e: unknown) =>
        log?.warn('news not handed to the news function', {
          key: payload.newsKey,
          error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        }),
      );
    }
  }
}

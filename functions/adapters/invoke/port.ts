/**
 * The asynchronous invoke port's types, apart from index.ts (which picks the adapter) so that the
 * adapters (lambda.ts, local.ts) import the port without importing the module that loads them.
 */
export type InvokeTarget = 'worker' | 'jobs' | 'news' | 'documents';

export interface WorkerPayload {
  taskId: string;
}

export interface JobsPayload {
  job: string;
  week?: string | undefined;
  /** `api`: POST /jobs/{name}; `console`: events the jobs page sent before it used that route. */
  trigger: 'api' | 'console';
  requestedBy: string;
  /** The run's key in the job-run ledger (queued by POST /jobs/{name}, which answers with it). */
  runKey: string;
}

/** One piece of news to send (functions/api/news.ts): the event's key in the news store. */
export interface NewsPayload {
  key: string;
}

/**
 * One rendered document to print as PDF (functions/jobs/print-document.ts, in the scheduled-jobs
 * function, the one with Chromium): the document's id in the notices store, and the news to send once
 * it is printed (a talk notice's), if any.
 */
export interface DocumentsPayload {
  documentId: string;
  newsKey?: string | undefined;
}

export interface InvokePayloads {
  worker: WorkerPayload;
  jobs: JobsPayload;
  news: NewsPayload;
  documents: DocumentsPayload;
}

export interface AsyncInvoker {
  /** Resolves once the target has accepted the work (not when it is done). */
  invokeAsync<T extends InvokeTarget>(target: T, payload: InvokePayloads[T]): Promise<void>;
}

/**
 * The background worker Lambda: runs one background task (roster import, list export) by id, invoked
 * asynchronously by the web function (InvocationType Event) with `{ taskId }`. Up to 15 minutes.
 */
export interface WorkerEvent {
  taskId: string;
}

export async function handler(event: WorkerEvent): Promise<{ taskId: string; status: string }> {
  throw new Error(`background tasks are not built yet (task ${String(event?.taskId)})`);
}

import { writeWorkbook } from '../../functions/background/xlsx-writer.ts';
import type { TaskView } from '../../functions/schemas/background.ts';
import type { PageClient } from './pages.ts';

/**
 * Background tasks from the tests' side: a workbook as a person would fill it in, the upload the
 * import form sends (multipart, from the site's own origin), and waiting for the worker to finish by
 * polling the task page's JSON.
 */
export type SheetSpec = Record<string, Array<Array<string | number>>>;

/** Sheets by name; the first row of each is its header. */
export async function workbook(sheets: SheetSpec): Promise<Buffer> {
  return writeWorkbook(
    Object.entries(sheets).map(([name, [header = [], ...rows]]) => ({
      name,
      columns: header.map((h) => ({ header: String(h), width: 12 })),
      rows,
    })),
    { creator: 'test', created: new Date() },
  );
}

export interface UploadAnswer {
  status: number;
  location: string | null;
  text: string;
}

export async function upload(
  baseUrl: string,
  client: PageClient,
  file: { bytes: Buffer; name: string; type?: string },
  fields: Record<string, string> = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append(
    'file',
    new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }),
    file.name,
  );
  const res = await fetch(`${baseUrl}/app/admin/tasks/import`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { cookie: client.cookie, origin: baseUrl },
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

export async function taskJson(client: PageClient, location: string): Promise<TaskView> {
  const res = await client.get(location, { accept: 'application/json' });
  if (res.status !== 200) throw new Error(`${location} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text) as TaskView;
}

/** Polls until the task has finished (or stopped being run); fails after `timeoutMs`. */
export async function waitForTask(
  client: PageClient,
  location: string,
  timeoutMs = 60_000,
): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await taskJson(client, location);
    if (!['queued', 'validating', 'writing'].includes(task.status) || task.stale) return task;
    if (Date.now() > deadline) throw new Error(`task ${task.id} still ${task.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function download(baseUrl: string, client: PageClient, path: string) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: client.cookie }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

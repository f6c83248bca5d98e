/**
 * The device's outbox: submissions kept in IndexedDB until the server has them. Shared by the pages
 * and the service worker (no DOM here). Each item carries an idempotency key made on the device when
 * the person pressed submit, so however often it is sent (by a page, by the service worker's
 * background sync, after an answer lost on a bad line) the server applies it once.
 *
 * An item belongs to the person who made it (`sub`); it is only sent while that person is signed
 * in, so a phone handed to a colleague never files one person's report under another's name.
 */
export type OutboxStatus = 'waiting' | 'sending' | 'failed' | 'login';

export interface OutboxItem {
  id: string;
  sub: string;
  /** Page URL the form posts to (same origin). */
  action: string;
  /** application/x-www-form-urlencoded body. */
  body: string;
  key: string;
  /** What it is, for the person: "进展报告：派〔2026〕3号". */
  title: string;
  createdAt: number;
  status: OutboxStatus;
  attempts: number;
  error?: string | undefined;
  fields?: Array<{ name: string; message: string }> | undefined;
  /** Where the server said to go after it was accepted. */
  location?: string | undefined;
  /** Photos to upload before the form is sent; their ids are added to the body as `field` values. */
  photos?: OutboxPhoto[] | undefined;
}

/**
 * A photo kept with a queued form (the shrunk JPEG as a Blob: IndexedDB stores it as it is). Its
 * upload has an idempotency key of its own, made on the device, so asking again for its upload after
 * an answer was lost gives the same upload id, and a PUT repeated is harmless. What is known so far
 * (the upload id and address, whether the bytes arrived) is saved with the item after every attempt.
 */
export interface OutboxPhoto {
  /** The form field its id goes into, e.g. `findings.0.problems.1.photoIds`. */
  field: string;
  purpose: string;
  blob: Blob;
  key: string;
  id?: string | undefined;
  uploadUrl?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** The bytes are stored (the PUT was answered 2xx). */
  stored?: boolean | undefined;
}

const DB = 'baocun';
const STORE = 'outbox';
/** Small settings: who is signed in on this device (for the service worker's background sync). */
const META = 'meta';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE))
        req.result.createObjectStore(STORE, { keyPath: 'id' });
      if (!req.result.objectStoreNames.contains(META)) req.result.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
  storeName = STORE,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(storeName, mode);
      const req = run(t.objectStore(storeName));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const outbox = {
  put: (item: OutboxItem) => tx('readwrite', (s) => s.put(item)).then(() => undefined),
  remove: (id: string) => tx('readwrite', (s) => s.delete(id)).then(() => undefined),
  get: (id: string) => tx<OutboxItem | undefined>('readonly', (s) => s.get(id)),
  async all(sub?: string): Promise<OutboxItem[]> {
    const items = await tx<OutboxItem[]>('readonly', (s) => s.getAll());
    return items.filter((i) => sub === undefined || i.sub === sub).sort((a, b) => a.createdAt - b.createdAt);
  },
  /** The person signed in on this device ('' when signed out), as the last page told it. */
  currentUser: () => tx<string | undefined>('readonly', (s) => s.get('sub'), META).then((v) => v ?? ''),
  setCurrentUser: (sub: string) => tx('readwrite', (s) => s.put(sub, 'sub'), META).then(() => undefined),
};

/** A random id without crypto.randomUUID, which plain-http LAN pages (not a secure context) lack. */
export function deviceKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SendOutcome =
  | { kind: 'sent'; location: string | undefined }
  | { kind: 'offline' }
  | { kind: 'retry' }
  | { kind: 'login' }
  | { kind: 'refused'; error: string; fields: Array<{ name: string; message: string }> };

interface PageAnswer {
  ok?: boolean;
  location?: string;
  error?: { code?: string; message?: string };
  fields?: Array<{ name: string; message: string }>;
  id?: string;
  uploadUrl?: string;
  headers?: Record<string, string>;
}

type Posted = { kind: 'ok'; json: PageAnswer } | Exclude<SendOutcome, { kind: 'sent' }>;

/** POSTs a urlencoded body to a page with the device's key; the answer as a value, never a throw. */
async function post(url: string, body: string, key: string): Promise<Posted> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'idempotency-key': key,
      },
      body,
    });
  } catch {
    return { kind: 'offline' };
  }
  let json: PageAnswer = {};
  try {
    json = await res.json();
  } catch {
    // a proxy's error page, or a cut connection: try again later
  }
  if (res.ok && json.ok) return { kind: 'ok', json };
  if (res.status === 401) return { kind: 'login' };
  // Someone (another tab, the service worker) is sending the same item right now.
  if (res.status === 409 && json.error?.code === 'IDEMPOTENCY_IN_PROGRESS') return { kind: 'retry' };
  if (res.status >= 400 && res.status < 500 && json.error) {
    return { kind: 'refused', error: json.error.message ?? '', fields: json.fields ?? [] };
  }
  return { kind: 'retry' };
}

/** Where a page asks for an upload address (the page's session signs the request to the API). */
const UPLOADS_PATH = '/app/uploads';

/**
 * Uploads the item's photos that are not stored yet, recording progress on the photo objects (the
 * caller saves the item). An upload address that no longer works (expired) is dropped with its key,
 * so the next attempt asks for a new upload rather than replaying the old answer.
 */
async function uploadPhotos(item: OutboxItem): Promise<Exclude<Posted, { kind: 'ok' }> | undefined> {
  for (const photo of item.photos ?? []) {
    if (photo.stored) continue;
    if (!photo.id || !photo.uploadUrl) {
      const body = new URLSearchParams({
        purpose: photo.purpose,
        contentType: photo.blob.type || 'image/jpeg',
        size: String(photo.blob.size),
      });
      const answer = await post(new URL(UPLOADS_PATH, item.action).href, body.toString(), photo.key);
      if (answer.kind !== 'ok') {
        // The refusal of a photo is the form's: say it beside the photo field.
        return answer.kind === 'refused'
          ? { ...answer, fields: [{ name: photo.field, message: answer.error }, ...answer.fields] }
          : answer;
      }
      photo.id = answer.json.id;
      photo.uploadUrl = answer.json.uploadUrl;
      photo.headers = answer.json.headers ?? {};
    }
    let res: Response;
    try {
      res = await fetch(photo.uploadUrl!, {
        method: 'PUT',
        // Presigned S3 addresses carry their own signature: no cookies to another origin.
        credentials: 'same-origin',
        headers: photo.headers ?? {},
        body: photo.blob,
      });
    } catch {
      return { kind: 'offline' };
    }
    if (res.ok) {
      photo.stored = true;
      continue;
    }
    if (res.status === 400 || res.status === 403 || res.status === 404 || res.status === 410) {
      photo.key = deviceKey();
      photo.id = undefined;
      photo.uploadUrl = undefined;
      photo.headers = undefined;
    }
    return { kind: 'retry' };
  }
  return undefined;
}

/** The form's body with each stored photo's id as a value of its field. */
function bodyWithPhotos(item: OutboxItem): string {
  if (!item.photos?.length) return item.body;
  const body = new URLSearchParams(item.body);
  for (const photo of item.photos) if (photo.id) body.append(photo.field, photo.id);
  return body.toString();
}

/**
 * One attempt to deliver an item: its photos first (each upload once, by its own key), then the form
 * with their ids (once, by the form's key). Never throws: every outcome is a value.
 */
export async function send(item: OutboxItem): Promise<SendOutcome> {
  const stopped = await uploadPhotos(item);
  if (stopped) return stopped;
  const answer = await post(item.action, bodyWithPhotos(item), item.key);
  return answer.kind === 'ok' ? { kind: 'sent', location: answer.json.location } : answer;
}

/**
 * Sends every waiting item of `sub`, oldest first, one at a time; stops at the first sign of no
 * signal. Serialised across tabs and the service worker with a Web Lock where the browser has them.
 */
export async function flush(
  sub: string,
  onChange: (item: OutboxItem, outcome: SendOutcome) => void = () => {},
): Promise<void> {
  const run = async () => {
    for (const item of await outbox.all(sub)) {
      if (item.status === 'failed') continue;
      const outcome = await send(item);
      if (outcome.kind === 'sent') {
        await outbox.remove(item.id);
      } else if (outcome.kind === 'refused') {
        await outbox.put({
          ...item,
          status: 'failed',
          error: outcome.error,
          fields: outcome.fields,
          attempts: item.attempts + 1,
        });
      } else if (outcome.kind === 'login') {
        await outbox.put({ ...item, status: 'login', attempts: item.attempts + 1 });
      } else {
        await outbox.put({ ...item, status: 'waiting', attempts: item.attempts + 1 });
      }
      onChange(item, outcome);
      if (outcome.kind === 'offline' || outcome.kind === 'login') return;
    }
  };
  const locks = (navigator as { locks?: LockManager }).locks;
  if (locks) await locks.request('baocun-outbox', run);
  else await run();
}

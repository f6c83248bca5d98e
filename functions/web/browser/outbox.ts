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

/** One attempt to deliver an item. Never throws: every outcome is a value. */
export async function send(item: OutboxItem): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(item.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'idempotency-key': item.key,
      },
      body: item.body,
    });
  } catch {
    return { kind: 'offline' };
  }
  let json: { ok?: boolean; location?: string; error?: { code?: string; message?: string }; fields?: [] } =
    {};
  try {
    json = await res.json();
  } catch {
    // a proxy's error page, or a cut connection: try again later
  }
  if (res.ok && json.ok) return { kind: 'sent', location: json.location };
  if (res.status === 401) return { kind: 'login' };
  // Someone (another tab, the service worker) is sending the same item right now.
  if (res.status === 409 && json.error?.code === 'IDEMPOTENCY_IN_PROGRESS') return { kind: 'retry' };
  if (res.status >= 400 && res.status < 500 && json.error) {
    return { kind: 'refused', error: json.error.message ?? '', fields: json.fields ?? [] };
  }
  return { kind: 'retry' };
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

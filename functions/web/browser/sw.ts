/// <reference lib="webworker" />
import { flush, outbox } from './outbox.ts';

/**
 * The service worker (scope /app/):
 * - assets (content-hashed, immutable) are served from the cache: the offline page and what it needs
 *   are kept at install; each page hands over the scripts it loaded (from the HTTP cache, no second
 *   download), so a cadre's phone never downloads HQ's script;
 * - pages are fetched from the network first and kept, per person, for offline use; with no signal
 *   (or a network slower than NETWORK_TIMEOUT_MS) the kept copy is served, else the offline page;
 * - forms that page scripts could not send are sent by background sync when the signal returns;
 * - signing out (a page with no signed-in person says hello) drops every kept page.
 * The build (build-assets.ts) replaces __PRECACHE__ and __VERSION__.
 */
declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: string[];
declare const __VERSION__: string;

const ASSETS = `baocun-assets-${__VERSION__}`;
const PAGES = 'baocun-pages';
const OFFLINE_URL = '/app/offline';
const NETWORK_TIMEOUT_MS = 6000;
/** Query parameters that only say what just happened; a kept page is the same page without them. */
const TRANSIENT_PARAMS = ['done'];
/** A page fetched ahead is fetched again after this long (a cadre opens the home page often). */
const WARM_AGAIN_AFTER_MS = 10 * 60_000;

function pageKey(url: string): string {
  const u = new URL(url, self.location.origin);
  for (const p of TRANSIENT_PARAMS) u.searchParams.delete(p);
  return u.pathname + u.search;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSETS);
      await cache.addAll([...__PRECACHE__, OFFLINE_URL]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('baocun-assets-') && name !== ASSETS) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/**
 * Pages say on their response whether they may be kept (`x-offline: keep`, sign-in pages may not) and
 * for whom (`x-offline-user`): a page of someone else than the pages kept so far drops those first.
 */
async function keep(request: Request | string, response: Response): Promise<void> {
  const user = response.headers.get('x-offline-user');
  if (!response.ok || response.headers.get('x-offline') !== 'keep' || !user) return;
  const current = await outbox.currentUser();
  if (current !== user) {
    if (current) await caches.delete(PAGES);
    await outbox.setCurrentUser(user);
  }
  const cache = await caches.open(PAGES);
  const url = typeof request === 'string' ? request : request.url;
  await cache.put(pageKey(url), response);
}

async function fromNetworkFirst(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    await keep(request, response.clone()).catch(() => {});
    return response;
  });
  event.waitUntil(network.then(() => undefined).catch(() => undefined));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), NETWORK_TIMEOUT_MS);
  });
  try {
    const first = await Promise.race([network, slow]);
    if (first !== 'slow') return first;
    const kept = await caches.match(pageKey(request.url), { cacheName: PAGES });
    return kept ?? (await network);
  } catch {
    const kept = await caches.match(pageKey(request.url), { cacheName: PAGES });
    if (kept) return kept;
    return (await caches.match(OFFLINE_URL, { cacheName: ASSETS })) ?? Response.error();
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/app/')) return;
  if (url.pathname.startsWith('/app/static/')) {
    event.respondWith(caches.match(request, { cacheName: ASSETS }).then((hit) => hit ?? fetch(request)));
    return;
  }
  const isPage = request.mode === 'navigate' || (request.headers.get('accept') ?? '').includes('text/html');
  if (isPage) event.respondWith(fromNetworkFirst(event));
});

async function notifyClients(): Promise<void> {
  for (const client of await self.clients.matchAll({ type: 'window' }))
    client.postMessage({ type: 'outbox-changed' });
}

self.addEventListener('message', (event) => {
  const data = event.data as {
    type?: string;
    user?: string;
    keep?: string[];
    warm?: string[];
    assets?: string[];
  } | null;
  if (data?.type !== 'hello') return;
  event.waitUntil(
    (async () => {
      const assets = await caches.open(ASSETS);
      for (const url of (data.assets ?? []).filter((u) =>
        new URL(u, self.location.origin).pathname.startsWith('/app/static/'),
      )) {
        if (!(await assets.match(url))) await assets.add(url).catch(() => {});
      }
      const previous = await outbox.currentUser();
      await outbox.setCurrentUser(data.user ?? '');
      if (!data.user || (previous && previous !== data.user)) {
        await caches.delete(PAGES);
        return;
      }
      // The page itself when it did not come through the worker (the first visit), and the pages it
      // links to (the forms of a cadre's open tasks), fetched ahead unless kept recently.
      const cache = await caches.open(PAGES);
      for (const url of [...(data.keep ?? []), ...(data.warm ?? [])].slice(0, 40)) {
        const kept = await cache.match(pageKey(url));
        const age = Date.now() - Date.parse(kept?.headers.get('date') ?? '');
        if (kept && age < WARM_AGAIN_AFTER_MS) continue;
        try {
          const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
          await keep(url, response);
        } catch {
          return; // no signal: the rest waits for the next visit
        }
      }
    })(),
  );
});

interface SyncEvent extends ExtendableEvent {
  tag: string;
}

self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(
    (async () => {
      const user = await outbox.currentUser();
      if (!user) return;
      await flush(user);
      await notifyClients();
      // Still waiting (no signal after all): throwing asks the browser to retry the sync later.
      if ((await outbox.all(user)).some((i) => i.status === 'waiting')) throw new Error('still offline');
    })(),
  );
}) as EventListener);

import type { FormRegistry } from '../forms/registry.ts';
import {
  attachInlineValidation,
  entriesOf,
  focusFirstInvalid,
  formDef,
  showFormError,
  showMessages,
  validate,
} from './forms.ts';
import { deviceKey, flush, type OutboxItem, outbox, type SendOutcome, send } from './outbox.ts';
import { attachPhotoFields, photosBusy, photosOf } from './photos.ts';
import { text } from './texts.ts';

/**
 * The pages' script (a few KB; every page also works without it):
 * - inline validation with the API's own schemas and messages;
 * - forms marked `data-queue` go through the device's outbox: saved first, sent at once when there is
 *   signal, otherwise kept and sent automatically when it returns (page, timer, `online` event, the
 *   service worker's background sync), exactly once thanks to the key made here;
 * - the outbox panel shows what is still waiting; a banner says when the page is offline;
 * - registers the service worker that keeps pages and assets for offline use.
 * All wording comes from the page (`#client-texts`), none is in this file.
 */
const RETRY_MS = 20_000;

const user = () => document.body.dataset.user ?? '';

async function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  try {
    const registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' });
    const warm = (document.body.dataset.warm ?? '').split(/\s+/).filter(Boolean);
    // A page that did not come through the worker (the first visit) is not kept yet: ask for it.
    const keep =
      document.body.dataset.offline === 'keep' && !navigator.serviceWorker.controller
        ? [location.pathname + location.search]
        : [];
    const ready = await navigator.serviceWorker.ready;
    // The scripts and styles this page loaded, for the worker to keep (they come from the HTTP cache).
    const assets = performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((name) => name.includes('/app/static/'));
    ready.active?.postMessage({ type: 'hello', user: user(), keep, warm, assets });
    return registration;
  } catch {
    return undefined;
  }
}

async function askForSync(): Promise<void> {
  try {
    const ready = (await navigator.serviceWorker?.ready) as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    await ready?.sync?.register('outbox');
  } catch {
    // no background sync here: the page's own timer and `online` event still send it
  }
}

/** Times on the device are shown in Beijing time, like the server-rendered ones. */
function timeOf(ms: number): string {
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`;
}

async function renderOutbox(): Promise<void> {
  const panel = document.getElementById('outbox');
  if (!panel || !user()) return;
  const items = await outbox.all(user());
  panel.hidden = items.length === 0;
  const heading = panel.querySelector('[data-outbox-count]');
  if (heading) heading.textContent = text('outbox-title', { n: items.length });
  const list = panel.querySelector('ul');
  if (!list) return;
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      li.className = `outbox-item outbox-${item.status}`;
      li.dataset.outboxItem = item.id;
      const title = document.createElement('strong');
      title.textContent = item.title;
      const meta = document.createElement('span');
      meta.className = 'outbox-meta';
      const status =
        item.status === 'failed'
          ? text('status-failed', { message: item.error ?? '' })
          : text(`status-${item.status}`);
      meta.textContent = `${timeOf(item.createdAt)} · ${status}`;
      li.append(title, meta);
      if (item.status === 'failed') {
        for (const f of item.fields ?? []) {
          const p = document.createElement('span');
          p.className = 'outbox-field';
          p.textContent = f.message;
          li.append(p);
        }
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'button-link';
        discard.textContent = text('discard');
        discard.addEventListener('click', async () => {
          await outbox.remove(item.id);
          await renderOutbox();
        });
        li.append(discard);
      }
      if (item.status === 'login') {
        const a = document.createElement('a');
        a.href = `/app/login?next=${encodeURIComponent(location.pathname)}`;
        a.textContent = text('sign-in-again');
        li.append(' ', a);
      }
      return li;
    }),
  );
}

function toast(message: string): void {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

let flushing: Promise<void> | undefined;
function flushSoon(): Promise<void> {
  if (!user()) return Promise.resolve();
  flushing ??= flush(user(), (item, outcome) => {
    if (outcome.kind === 'sent') toast(text('sent', { title: item.title }));
  })
    .catch(() => {})
    .finally(() => {
      flushing = undefined;
      void renderOutbox();
    });
  return flushing;
}

function setBusy(form: HTMLFormElement, busy: boolean): void {
  for (const b of form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])')) {
    b.disabled = busy;
  }
  form.setAttribute('aria-busy', String(busy));
}

async function submitQueued(form: HTMLFormElement, entries: Array<[string, string]>): Promise<void> {
  const item: OutboxItem = {
    id: deviceKey(),
    sub: user(),
    action: form.action,
    body: new URLSearchParams(entries).toString(),
    key: deviceKey(),
    title: form.dataset.title ?? document.title,
    createdAt: Date.now(),
    status: 'waiting',
    attempts: 0,
  };
  const photos = photosOf(form);
  if (photos.length) item.photos = photos;
  // Saved before the first attempt: a phone that dies mid-send still has it.
  await outbox.put(item);
  setBusy(form, true);
  showFormError(form, '');
  let outcome: SendOutcome;
  const locks = (navigator as { locks?: LockManager }).locks;
  const attempt = async () => {
    outcome = await send({ ...item, status: 'sending' });
  };
  if (locks) await locks.request('baocun-outbox', attempt);
  else await attempt();
  outcome ??= { kind: 'offline' };
  setBusy(form, false);
  if (outcome.kind === 'sent') {
    await outbox.remove(item.id);
    location.assign(outcome.location ?? location.href);
    return;
  }
  if (outcome.kind === 'refused') {
    // Refused at once: the person is still on the form, so say it there and keep nothing queued.
    await outbox.remove(item.id);
    showMessages(
      form,
      outcome.fields.map((f) => ({ ...f, code: '' })),
    );
    showFormError(form, outcome.error);
    focusFirstInvalid(
      form,
      outcome.fields.map((f) => ({ ...f, code: '' })),
    );
    return;
  }
  await outbox.put({ ...item, status: outcome.kind === 'login' ? 'login' : 'waiting', attempts: 1 });
  form.reset();
  const queued = form.querySelector<HTMLElement>('[data-queued]');
  if (queued) {
    queued.textContent = outcome.kind === 'login' ? text('status-login') : text('queued');
    queued.hidden = false;
    queued.focus();
  }
  await askForSync();
  await renderOutbox();
}

function attachForms(registry: FormRegistry): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-form]')) {
    const def = formDef(registry, form);
    if (!def) continue;
    attachInlineValidation(form, def);
    form.addEventListener('submit', (event) => {
      const entries = entriesOf(form);
      const messages = validate(def, entries);
      if (messages.length) {
        event.preventDefault();
        showMessages(form, messages);
        showFormError(form, text('fix-fields'));
        focusFirstInvalid(form, messages);
        return;
      }
      if (photosBusy(form)) {
        // A photo still being shrunk would be left out: wait for it (a second or two).
        event.preventDefault();
        showFormError(form, text('photo-shrinking'));
        return;
      }
      if (form.dataset.queue === undefined) {
        // Desktop forms post as plain forms once valid (their `_key` makes a double click harmless).
        setTimeout(() => setBusy(form, true), 0);
        return;
      }
      event.preventDefault();
      void submitQueued(form, entries);
    });
  }
}

function offlineBanner(): void {
  const banner = document.getElementById('offline-banner');
  if (!banner) return;
  const rendered = Number(document.body.dataset.renderedAt ?? 0);
  const update = () => {
    banner.hidden = navigator.onLine;
    if (!navigator.onLine) banner.textContent = text('offline', { time: timeOf(rendered || Date.now()) });
  };
  update();
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
}

export function boot(registry: FormRegistry): void {
  const start = () => {
    attachForms(registry);
    attachPhotoFields();
    offlineBanner();
    // From here the forms validate inline and submit through the outbox (the benchmark reads this).
    performance.mark('baocun-interactive');
    void outbox.setCurrentUser(user()).catch(() => {});
    void registerServiceWorker();
    void renderOutbox().then(() => (navigator.onLine ? flushSoon() : undefined));
    window.addEventListener('online', () => void flushSoon());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && navigator.onLine) void flushSoon();
    });
    setInterval(() => {
      if (!navigator.onLine) return;
      void outbox.all(user()).then((items) => {
        if (items.some((i) => i.status === 'waiting')) void flushSoon();
      });
    }, RETRY_MS);
    navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
      if ((event.data as { type?: string } | null)?.type === 'outbox-changed') void renderOutbox();
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

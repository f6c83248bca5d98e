import { exifSegment, withExif } from './exif.ts';
import { deviceKey, type OutboxPhoto } from './outbox.ts';
import { text } from './texts.ts';

/**
 * Photo fields of the queued forms (templates/pages/partials/photo-field.hbs). Each photo taken or
 * picked is shrunk here, on the phone, to a JPEG of at most 1600 px on its longest side (a 12 MP
 * camera photo of 4–6 MB becomes about 300 KB to send over a village's weak signal), upright as the
 * camera held it, with its capture time and GPS kept. The shrunk photos stay in memory with the form
 * (preview, remove button) until it is submitted; then they go into the outbox item with the form
 * (outbox.ts uploads them, each once, before sending the form).
 *
 * Field names are renumbered when problem rows are added or removed (inspection-rows.ts), so the field
 * a photo belongs to is read from its element when the form is submitted, not remembered.
 */
export const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.8;
const DEFAULT_MAX_PHOTOS = 9;
const FIELD = '[data-photo-field]';

interface Draft {
  blob: Blob;
  /** Object URL of the preview. */
  url: string;
  /** The upload's idempotency key, kept while the form is on the page (a refused form sent again). */
  key: string;
}

const drafts = new WeakMap<HTMLElement, Draft[]>();

async function decode(file: Blob): Promise<{ source: CanvasImageSource; width: number; height: number }> {
  if (typeof createImageBitmap === 'function') {
    try {
      // `from-image` turns the pixels upright by the EXIF orientation (the default in new browsers).
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bitmap, width: bitmap.width, height: bitmap.height };
    } catch {
      // fall through to <img>, which some browsers decode where createImageBitmap will not
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { source: img, width: img.naturalWidth, height: img.naturalHeight };
  } finally {
    // The decoded image keeps its pixels; the URL is not needed to draw it.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** A photo as a JPEG of at most MAX_SIDE px on its longest side; throws when it cannot be decoded. */
export async function shrinkPhoto(file: Blob): Promise<Blob> {
  const { source, width, height } = await decode(file);
  if (!width || !height) throw new Error('empty image');
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas');
  // A transparent PNG would turn black in a JPEG.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  if ('close' in source && typeof source.close === 'function') source.close();
  const jpeg = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('not encoded'))), 'image/jpeg', JPEG_QUALITY),
  );
  const exif = file.type === 'image/jpeg' ? exifSegment(await file.arrayBuffer()) : undefined;
  return withExif(jpeg, exif);
}

function render(box: HTMLElement): void {
  const list = box.querySelector<HTMLElement>('[data-photo-previews]');
  const status = box.querySelector<HTMLElement>('[data-photo-status]');
  const items = drafts.get(box) ?? [];
  if (status && status.dataset.busy === undefined && status.dataset.warning === undefined) {
    status.textContent = items.length ? text('photo-count', { n: items.length }) : '';
    status.hidden = items.length === 0;
  }
  list?.replaceChildren(
    ...items.map((draft, i) => {
      const li = document.createElement('li');
      li.className = 'photo-preview';
      const img = document.createElement('img');
      img.src = draft.url;
      img.alt = text('photo-alt', { n: i + 1 });
      img.dataset.photoSize = String(draft.blob.size);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary photo-remove';
      remove.textContent = '×';
      remove.setAttribute('aria-label', text('photo-remove', { n: i + 1 }));
      remove.addEventListener('click', () => {
        URL.revokeObjectURL(draft.url);
        drafts.set(
          box,
          (drafts.get(box) ?? []).filter((d) => d !== draft),
        );
        render(box);
        // Focus stays in the field: on the next photo's remove button, else the camera button.
        const buttons = box.querySelectorAll<HTMLElement>('.photo-remove');
        (
          buttons[Math.min(i, buttons.length - 1)] ?? box.querySelector<HTMLElement>('[data-photo-input]')
        )?.focus();
      });
      li.append(img, remove);
      return li;
    }),
  );
}

function say(box: HTMLElement, message: string, kind: 'busy' | 'warning' | 'none'): void {
  const status = box.querySelector<HTMLElement>('[data-photo-status]');
  if (!status) return;
  delete status.dataset.busy;
  delete status.dataset.warning;
  if (kind !== 'none') status.dataset[kind] = '';
  status.textContent = message;
  status.hidden = message === '';
}

async function add(box: HTMLElement, files: File[]): Promise<void> {
  const max = Number(box.dataset.max ?? DEFAULT_MAX_PHOTOS) || DEFAULT_MAX_PHOTOS;
  say(box, text('photo-shrinking'), 'busy');
  box.setAttribute('aria-busy', 'true');
  let unreadable = false;
  let tooMany = false;
  for (const file of files) {
    if ((drafts.get(box) ?? []).length >= max) {
      tooMany = true;
      break;
    }
    try {
      const blob = await shrinkPhoto(file);
      const draft = { blob, url: URL.createObjectURL(blob), key: deviceKey() };
      drafts.set(box, [...(drafts.get(box) ?? []), draft]);
    } catch {
      unreadable = true;
    }
  }
  box.removeAttribute('aria-busy');
  const warning = [
    unreadable ? text('photo-unreadable') : '',
    tooMany ? text('photo-too-many', { n: max }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  say(box, warning, warning ? 'warning' : 'none');
  render(box);
}

function clear(box: HTMLElement): void {
  for (const d of drafts.get(box) ?? []) URL.revokeObjectURL(d.url);
  drafts.delete(box);
  say(box, '', 'none');
  render(box);
}

/** Shows the photo fields (they are hidden for a page without script) and listens on the whole page. */
export function attachPhotoFields(): void {
  for (const box of document.querySelectorAll<HTMLElement>(FIELD)) box.hidden = false;
  // Delegated: problem rows added later (copies of a <template>) work too.
  document.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement | null;
    if (!input?.matches?.('input[type="file"][data-photo-input]')) return;
    const box = input.closest<HTMLElement>(FIELD);
    const files = [...(input.files ?? [])];
    // The same photo may be picked again after being removed.
    input.value = '';
    if (box && files.length) void add(box, files);
  });
  document.addEventListener('reset', (event) => {
    const form = event.target as HTMLFormElement;
    for (const box of form.querySelectorAll<HTMLElement>(FIELD)) clear(box);
  });
}

/** Copies of the template rows are hidden like the page's: show them as they are added. */
export function showPhotoFields(root: ParentNode): void {
  for (const box of root.querySelectorAll<HTMLElement>(FIELD)) box.hidden = false;
}

/** Whether any photo field of the form is still shrinking photos. */
export function photosBusy(form: HTMLFormElement): boolean {
  return form.querySelector(`${FIELD}[aria-busy="true"]`) !== null;
}

/** The form's photos for its outbox item, each named by the field it belongs to now. */
export function photosOf(form: HTMLFormElement): OutboxPhoto[] {
  const out: OutboxPhoto[] = [];
  for (const box of form.querySelectorAll<HTMLElement>(FIELD)) {
    const field = box.dataset.photoField ?? '';
    const purpose = box.dataset.purpose ?? '';
    for (const d of drafts.get(box) ?? []) out.push({ field, purpose, blob: d.blob, key: d.key });
  }
  return out;
}

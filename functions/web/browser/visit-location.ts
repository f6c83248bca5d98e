/**
 * The visit form (驻村记录): fills the time with now (the page may come from the offline cache, hours
 * old) and, when the person allows it, the phone's location into three hidden fields. All wording is
 * in the page: this only shows the status line whose `data-geo-status` matches. Without this script,
 * or without permission, the form is sent without a location.
 */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Now as a datetime-local value in Beijing time, whatever the phone's own time zone. */
function beijingNow(): string {
  return new Date(Date.now() + BEIJING_OFFSET_MS).toISOString().slice(0, 16);
}

export function enhanceGeolocation(root: ParentNode = document): void {
  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-geolocate]')) {
    const at = form.querySelector<HTMLInputElement>('input[name="at"]');
    // A form shown again with a message keeps what was typed.
    if (at && at.getAttribute('aria-invalid') !== 'true' && !form.querySelector('[aria-invalid="true"]'))
      at.value = beijingNow();

    const input = (part: string) => form.querySelector<HTMLInputElement>(`input[data-geo="${part}"]`);
    const lat = input('lat');
    const lng = input('lng');
    const accuracy = input('accuracy');
    const shown = form.querySelector<HTMLElement>('[data-geo-accuracy]');
    const retry = form.querySelector<HTMLButtonElement>('button[data-geo-retry]');
    if (!lat || !lng || !accuracy) continue;
    const show = (state: string) => {
      for (const line of form.querySelectorAll<HTMLElement>('[data-geo-status]'))
        line.hidden = line.dataset.geoStatus !== state;
      if (retry) retry.hidden = state !== 'denied';
    };
    const clear = () => {
      lat.value = '';
      lng.value = '';
      accuracy.value = '';
    };
    const ask = () => {
      if (!('geolocation' in navigator)) return show('denied');
      show('asking');
      navigator.geolocation.getCurrentPosition(
        (position) => {
          lat.value = position.coords.latitude.toFixed(6);
          lng.value = position.coords.longitude.toFixed(6);
          accuracy.value = String(Math.round(position.coords.accuracy * 10) / 10);
          if (shown) shown.textContent = String(Math.round(position.coords.accuracy));
          show('found');
        },
        () => {
          clear();
          show('denied');
        },
        { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
      );
    };
    retry?.addEventListener('click', ask);
    if (!lat.value) ask();
    else show('found');
  }
}

/**
 * The village list filters as the inspector types (the search form itself works without script: the
 * server filters on `?q=`). Same rule as the server: the text appears in the village's name or id.
 * Townships with no match left are hidden, and the count line says how many villages are shown, in
 * the page's own wording (data-text-* attributes).
 */
export function attachVillageSearch(): void {
  const input = document.querySelector<HTMLInputElement>('input[data-village-search]');
  const groups = document.querySelector<HTMLElement>('[data-village-groups]');
  const count = document.querySelector<HTMLElement>('[data-village-count]');
  if (!input || !groups) return;
  const say = (key: 'all' | 'some' | 'none', n: number) => {
    const text = count?.dataset[`text${key[0]!.toUpperCase()}${key.slice(1)}`];
    if (count && text) count.textContent = text.replace('{n}', String(n));
  };
  let last = input.value.trim().toLowerCase();
  const filter = () => {
    const needle = input.value.trim().toLowerCase();
    if (needle === last) return;
    last = needle;
    let shown = 0;
    for (const group of groups.querySelectorAll<HTMLElement>('[data-village-group]')) {
      let inGroup = 0;
      for (const item of group.querySelectorAll<HTMLElement>('li[data-search]')) {
        const match = needle === '' || (item.dataset.search ?? '').includes(needle);
        item.hidden = !match;
        if (match) inGroup++;
      }
      group.hidden = inGroup === 0;
      shown += inGroup;
    }
    say(needle === '' ? 'all' : shown > 0 ? 'some' : 'none', shown);
  };
  input.addEventListener('input', filter);
}

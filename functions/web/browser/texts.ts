/** The pages' scripts hold no wording: each text is read from the page (`#client-texts`, a partial). */
export function text(key: string, values: Record<string, string | number> = {}): string {
  const el = document.querySelector<HTMLElement>(`#client-texts [data-t="${key}"]`);
  let out = el?.textContent ?? key;
  for (const [name, value] of Object.entries(values)) out = out.replace(`{${name}}`, String(value));
  return out;
}

import type { Places } from '../lookups.ts';

/** Place names as the HQ forms offer them: township options, villages grouped by township. */

/** Select options of the townships. */
export function townshipOptions(names: Places) {
  return names.townships.map((t) => ({ value: t.id, label: `${t.name}（${t.id}）` }));
}

/** Villages grouped by township, for a select with option groups. */
export function villageGroups(names: Places, selected: string) {
  const groups = new Map<string, Array<{ value: string; label: string; selected: boolean }>>();
  for (const v of names.villages) {
    const list = groups.get(v.townshipId) ?? [];
    list.push({ value: v.id, label: `${v.name}（${v.id}）`, selected: v.id === selected });
    groups.set(v.townshipId, list);
  }
  return [...groups.entries()].map(([id, options]) => ({ label: names.township(id), options }));
}

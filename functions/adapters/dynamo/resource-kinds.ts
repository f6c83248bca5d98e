import { DEFAULT_RESOURCE_KINDS, type ResourceKind } from '../../core/quotas.ts';
import { keys } from './keys.ts';
import { versionedList } from './versioned-list.ts';

/** The county's resource kinds (抗旱物资, 抗旱水泵…): one versioned list (versioned-list.ts). */
export interface ResourceKindSettings {
  kinds: ResourceKind[];
  retired: ResourceKind[];
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const store = versionedList<ResourceKind>({
  key: keys.resourceKinds,
  entity: 'resource-kinds',
  field: 'kinds',
  defaults: DEFAULT_RESOURCE_KINDS,
  parse: (k) =>
    typeof k.id === 'string' && typeof k.name === 'string' && typeof k.unit === 'string'
      ? { id: k.id, name: k.name, unit: k.unit }
      : undefined,
});

export async function getResourceKinds(): Promise<ResourceKindSettings> {
  const { items, ...rest } = await store.get();
  return { kinds: items, ...rest };
}

/** Saves the next version if the stored one is still `expected`; false when someone saved first. */
export function saveResourceKinds(next: ResourceKindSettings, expected: number): Promise<boolean> {
  const { kinds, ...rest } = next;
  return store.save({ items: kinds, ...rest }, expected);
}

import { ConditionFailed, getItem, putItem } from './table.ts';

/**
 * A county setting that is one list (team roles, resource kinds…) in one item. Until an admin saves a
 * list, the defaults are the list at version 1 (nothing stored); every save is one conditional put on
 * the version read, so of two concurrent saves from one version exactly one wins. Entries taken off the
 * list are kept as `retired`, so old records still show their names.
 */
export interface VersionedList<T> {
  items: T[];
  retired: T[];
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export function versionedList<T>(options: {
  key: () => { PK: string; SK: string };
  entity: string;
  /** The stored attribute that holds the list (kept as it was first stored: `roles`, `kinds`). */
  field: string;
  defaults: readonly T[];
  /** One stored entry, or undefined for one that is not whole. */
  parse: (value: Record<string, unknown>) => T | undefined;
}) {
  const asList = (value: unknown): T[] =>
    Array.isArray(value)
      ? value.flatMap((v) => {
          const entry = v && typeof v === 'object' ? options.parse(v as Record<string, unknown>) : undefined;
          return entry === undefined ? [] : [entry];
        })
      : [];
  return {
    async get(): Promise<VersionedList<T>> {
      const item = await getItem(options.key());
      if (!item)
        return { items: [...options.defaults], retired: [], version: 1, updatedAt: null, updatedBy: null };
      return {
        items: asList(item[options.field]),
        retired: asList(item.retired),
        version: typeof item.version === 'number' ? item.version : 1,
        updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : null,
        updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : null,
      };
    },
    /** Saves the next version if the stored one is still `expected`; false when someone saved first. */
    async save(next: VersionedList<T>, expected: number): Promise<boolean> {
      const { items, ...rest } = next;
      try {
        await putItem(
          { ...options.key(), entity: options.entity, [options.field]: items, ...rest },
          expected === 1
            ? { expression: 'attribute_not_exists(PK) OR version = :v', values: { ':v': expected } }
            : { expression: 'version = :v', values: { ':v': expected } },
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionFailed) return false;
        throw error;
      }
    },
  };
}

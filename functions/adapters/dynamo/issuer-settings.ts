import { keys } from './keys.ts';
import { ConditionFailed, getItem, type Item, putItem } from './table.ts';

/** The issuer settings as HQ saved them (GET/PUT /settings/issuer); absent until the first save. */
export interface StoredIssuerSettings {
  countyName: string;
  issuingBody: string;
  agencyCode: string;
  cc: string;
  signerTitle: string;
  rulesDocumentName: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

const FIELDS = [
  'countyName',
  'issuingBody',
  'agencyCode',
  'cc',
  'signerTitle',
  'rulesDocumentName',
  'version',
  'updatedAt',
  'updatedBy',
] as const;

export async function getIssuerSettings(): Promise<StoredIssuerSettings | undefined> {
  const item = await getItem<Item>(keys.issuerSettings());
  if (!item) return undefined;
  return Object.fromEntries(FIELDS.map((f) => [f, item[f]])) as unknown as StoredIssuerSettings;
}

/**
 * Saves the settings if nobody saved since `expectedVersion` was read (0: never saved). The stored
 * version when it moved on, else null.
 */
export async function putIssuerSettings(
  settings: StoredIssuerSettings,
  expectedVersion: number,
): Promise<{ kind: 'saved' } | { kind: 'stale'; current: number }> {
  try {
    await putItem(
      { ...keys.issuerSettings(), entity: 'settings', ...settings },
      expectedVersion === 0
        ? { expression: 'attribute_not_exists(PK)' }
        : { expression: '#v = :v', names: { '#v': 'version' }, values: { ':v': expectedVersion } },
    );
    return { kind: 'saved' };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return { kind: 'stale', current: (await getIssuerSettings())?.version ?? 0 };
  }
}

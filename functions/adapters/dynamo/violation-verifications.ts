import type { Verification } from '../../schemas/resources.ts';
import { keys } from './keys.ts';
import { getItem, putIfAbsent, withoutKeys } from './table.ts';

/**
 * An inspector's verification (核实) of a violation report: one item beside the report, written once
 * (a second verification is refused; the first one stands).
 */
export async function getVerification(directReportId: string): Promise<Verification | undefined> {
  const item = await getItem(keys.violationVerification(directReportId));
  return item && (withoutKeys(item) as Verification);
}

/** Stores the verification unless one exists; answers the stored one and whether this call wrote it. */
export async function createVerification(
  record: Verification,
): Promise<{ created: boolean; item: Verification }> {
  const stored = await putIfAbsent({
    ...keys.violationVerification(record.directReportId),
    entity: 'violationVerification',
    ...record,
  });
  if (stored) return { created: true, item: record };
  return { created: false, item: (await getVerification(record.directReportId)) as Verification };
}

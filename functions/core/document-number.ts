/**
 * Document numbers per GB/T 9704-2012: series prefix, year in 六角括号 (U+3014/U+3015), sequence with
 * no leading zeros and no "第": 派〔2026〕12号.
 */
export function formatDocumentNumber(prefix: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1)
    throw new RangeError('sequence must be a positive integer');
  return `${prefix}\u3014${year}\u3015${sequence}号`;
}

/**
 * The printed prefix of an issued document's number: the county's 机关代字 (agency code, e.g. 青脱指)
 * followed by the kind's suffix (谈, 改…): 青脱指谈〔2026〕4号.
 */
export function documentPrefix(agencyCode: string, suffix: string): string {
  return `${agencyCode.trim()}${suffix}`;
}

/** The series a dispatch form is numbered in. */
export const DISPATCH_SERIES = { key: 'dispatch', prefix: '派' } as const;

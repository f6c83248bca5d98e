/**
 * The quota ledger (资源分配额度台账), pure. Seed 000 gives a team leader a say in how a named
 * resource (抗旱物资: water, pumps, diesel, seed) is shared out — "资源协调建议权": the leader
 * proposes, HQ decides — and teeth: a violation HQ has verified "削减甚至暂停对该生产队的抗旱物资分配
 * 额度", touching every resource ("一切优先保障的资源，都将受到影响").
 *
 * A village's quota for a resource kind in a period (a calendar month, `2026-11`) is the sum of the
 * quantities HQ granted for it, less what approved sanctions take. A sanction counts in every period
 * its dates touch, for every resource kind, in full. Sanctions are applied in order of their first
 * day (then id): a reduction takes its share of the granted quantity (never more than is left), a
 * suspension takes whatever is left. Arithmetic is in hundredths, so the deductions and the quota
 * always add up to what was granted.
 */

export const SANCTION_KINDS = ['reduce', 'suspend'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];

export interface ResourceKind {
  id: string;
  name: string;
  unit: string;
}

/** Seed 000's resource until the county sets its own list. */
export const DEFAULT_RESOURCE_KINDS: readonly ResourceKind[] = [
  { id: 'drought-relief', name: '抗旱物资', unit: '吨' },
  { id: 'pumps', name: '抗旱水泵', unit: '件' },
];

export const RESOURCE_KINDS_MAX = 30;

export interface Grant {
  allocationId: string;
  villageId: string;
  resourceKind: string;
  period: string;
  quantity: number;
  priority: number;
  decidedAt: string;
}

export interface SanctionTerm {
  id: string;
  villageId: string;
  kind: SanctionKind;
  /** The share of the granted quantity taken (0 < share ≤ 1) for `reduce`; null for `suspend`. */
  share: number | null;
  /** Beijing dates, inclusive. */
  from: string;
  to: string;
}

export interface LedgerDeduction {
  sanctionId: string;
  kind: SanctionKind;
  share: number | null;
  deducted: number;
}

export interface LedgerLine {
  villageId: string;
  resourceKind: string;
  period: string;
  granted: number;
  grants: Grant[];
  deductions: LedgerDeduction[];
  suspended: boolean;
  quota: number;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isValidPeriod(period: string): boolean {
  return PERIOD.test(period);
}

/** The first and last day of a period (a calendar month). */
export function periodRange(period: string): { first: string; last: string } {
  const match = PERIOD.exec(period);
  if (!match) throw new Error(`not a period: ${period}`);
  const [, y, m] = match as unknown as [string, string, string];
  const days = new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();
  return { first: `${y}-${m}-01`, last: `${y}-${m}-${String(days).padStart(2, '0')}` };
}

/** The periods a date range touches, in order. */
export function periodsOf(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const end = to.slice(0, 7);
  for (;;) {
    const p = `${y}-${String(m).padStart(2, '0')}`;
    if (p > end) return out;
    out.push(p);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

/** Whether a sanction's dates touch the period. */
export function sanctionTouches(s: Pick<SanctionTerm, 'from' | 'to'>, period: string): boolean {
  const { first, last } = periodRange(period);
  return s.from <= last && s.to >= first;
}

const hundredths = (n: number) => Math.round(n * 100);
const units = (h: number) => h / 100;

/**
 * One line per village, resource kind and period that has a grant; each line lists its grants, the
 * deductions of the sanctions touching it and the resulting quota.
 */
export function quotaLedger(grants: readonly Grant[], sanctions: readonly SanctionTerm[]): LedgerLine[] {
  const lines = new Map<
    string,
    { villageId: string; resourceKind: string; period: string; grants: Grant[] }
  >();
  for (const g of grants) {
    const key = `${g.villageId}\u0000${g.resourceKind}\u0000${g.period}`;
    const line = lines.get(key) ?? {
      villageId: g.villageId,
      resourceKind: g.resourceKind,
      period: g.period,
      grants: [],
    };
    line.grants.push(g);
    lines.set(key, line);
  }
  const ordered = [...sanctions].sort((a, b) => a.from.localeCompare(b.from) || a.id.localeCompare(b.id));
  return [...lines.values()]
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        a.villageId.localeCompare(b.villageId) ||
        a.resourceKind.localeCompare(b.resourceKind),
    )
    .map((line) => {
      const granted = line.grants.reduce((sum, g) => sum + hundredths(g.quantity), 0);
      let left = granted;
      const deductions: LedgerDeduction[] = [];
      for (const s of ordered) {
        if (s.villageId !== line.villageId || !sanctionTouches(s, line.period)) continue;
        const take = s.kind === 'suspend' ? left : Math.min(left, Math.round(granted * (s.share ?? 0)));
        left -= take;
        deductions.push({ sanctionId: s.id, kind: s.kind, share: s.share, deducted: units(take) });
      }
      return {
        ...line,
        grants: [...line.grants].sort((a, b) => a.decidedAt.localeCompare(b.decidedAt)),
        granted: units(granted),
        deductions,
        suspended: deductions.some((d) => d.kind === 'suspend'),
        quota: units(left),
      };
    });
}

import { describe, expect, it } from 'vitest';
import {
  type Grant,
  isValidPeriod,
  periodRange,
  periodsOf,
  quotaLedger,
  type SanctionTerm,
  sanctionTouches,
} from '../../functions/core/quotas.ts';

/** The quota ledger's arithmetic: grants add up, approved sanctions take their share, never more. */
const grant = (over: Partial<Grant> = {}): Grant => ({
  allocationId: 'A1',
  villageId: 'V1',
  resourceKind: 'drought-relief',
  period: '2026-11',
  quantity: 100,
  priority: 1,
  decidedAt: '2026-11-02T00:00:00.000Z',
  ...over,
});
const reduce = (
  id: string,
  share: number,
  from = '2026-11-10',
  to = '2026-11-20',
  villageId = 'V1',
): SanctionTerm => ({
  id,
  villageId,
  kind: 'reduce',
  share,
  from,
  to,
});
const suspend = (id: string, from = '2026-11-10', to = '2026-11-20'): SanctionTerm => ({
  id,
  villageId: 'V1',
  kind: 'suspend',
  share: null,
  from,
  to,
});

describe('periods', () => {
  it.each([
    ['2026-11', true],
    ['2026-02', true],
    ['2026-13', false],
    ['2026-1', false],
    ['2026-Q4', false],
  ])('%s is a period: %s', (period, valid) => {
    expect(isValidPeriod(period)).toBe(valid);
  });

  it('knows the last day of each month, leap years included', () => {
    expect(periodRange('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(periodRange('2026-02')).toEqual({ first: '2026-02-01', last: '2026-02-28' });
    expect(periodRange('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
  });

  it('lists the months a date range touches, across a year end', () => {
    expect(periodsOf('2026-11-20', '2027-01-03')).toEqual(['2026-11', '2026-12', '2027-01']);
  });

  it.each([
    ['inside', '2026-11-05', '2026-11-06', true],
    ['ending on the first day', '2026-10-01', '2026-11-01', true],
    ['starting on the last day', '2026-11-30', '2026-12-05', true],
    ['before', '2026-10-01', '2026-10-31', false],
    ['after', '2026-12-01', '2026-12-31', false],
  ])('a sanction %s the month touches it: %s', (_what, from, to, touches) => {
    expect(sanctionTouches({ from, to }, '2026-11')).toBe(touches);
  });
});

describe('quotaLedger', () => {
  it('adds up the grants of a village, resource and period', () => {
    const [line, ...rest] = quotaLedger([grant(), grant({ allocationId: 'A2', quantity: 20.5 })], []);
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({ granted: 120.5, quota: 120.5, suspended: false, deductions: [] });
  });

  it('keeps villages, resources and periods on lines of their own', () => {
    const lines = quotaLedger(
      [
        grant(),
        grant({ allocationId: 'A2', villageId: 'V2' }),
        grant({ allocationId: 'A3', resourceKind: 'pumps', quantity: 3 }),
        grant({ allocationId: 'A4', period: '2026-12' }),
      ],
      [reduce('S1', 0.5)],
    );
    expect(lines.map((l) => [l.period, l.villageId, l.resourceKind, l.quota])).toEqual([
      ['2026-11', 'V1', 'drought-relief', 50],
      ['2026-11', 'V1', 'pumps', 1.5],
      ['2026-11', 'V2', 'drought-relief', 100],
      ['2026-12', 'V1', 'drought-relief', 100],
    ]);
  });

  it('takes a reduction’s share of what was granted', () => {
    const [line] = quotaLedger([grant({ quantity: 80 })], [reduce('S1', 0.3)]);
    expect(line?.deductions).toEqual([{ sanctionId: 'S1', kind: 'reduce', share: 0.3, deducted: 24 }]);
    expect(line?.quota).toBe(56);
  });

  it('applies two reductions to the granted quantity, never below zero', () => {
    const [line] = quotaLedger([grant()], [reduce('S1', 0.6), reduce('S2', 0.7, '2026-11-15')]);
    expect(line?.deductions.map((d) => d.deducted)).toEqual([60, 40]);
    expect(line?.quota).toBe(0);
  });

  it('suspends whatever is left, and marks the line suspended', () => {
    const [line] = quotaLedger([grant()], [reduce('S1', 0.25, '2026-11-01'), suspend('S2')]);
    expect(line?.deductions.map((d) => [d.kind, d.deducted])).toEqual([
      ['reduce', 25],
      ['suspend', 75],
    ]);
    expect(line).toMatchObject({ suspended: true, quota: 0 });
  });

  it('ignores sanctions of other villages and of months they do not touch', () => {
    const [line] = quotaLedger(
      [grant()],
      [reduce('S1', 0.5, '2026-10-01', '2026-10-31'), reduce('S2', 0.5, '2026-11-01', '2026-11-30', 'V9')],
    );
    expect(line).toMatchObject({ quota: 100, deductions: [] });
  });

  it('rounds to hundredths so deductions and quota add up to the grant', () => {
    const [line] = quotaLedger([grant({ quantity: 10 })], [reduce('S1', 1 / 3)]);
    expect(line?.deductions[0]?.deducted).toBe(3.33);
    expect(line?.quota).toBe(6.67);
    for (const quantity of [0.01, 7.77, 1234.56])
      for (const share of [0.01, 0.125, 0.5, 0.999, 1]) {
        const [l] = quotaLedger(
          [grant({ quantity })],
          [reduce('S1', share), reduce('S2', share, '2026-11-11')],
        );
        const sum = Math.round(
          ((l?.quota ?? 0) + (l?.deductions ?? []).reduce((s, d) => s + d.deducted, 0)) * 100,
        );
        expect(sum).toBe(Math.round(quantity * 100));
        expect(l?.quota).toBeGreaterThanOrEqual(0);
      }
  });
});

import { describe, expect, it } from 'vitest';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import { type BulletinSanction, bulletinView, type NameBook } from '../../functions/documents/view-models.ts';
import { fixtureEvaluation, fixtureIds } from '../support/week-fixture.ts';

/** The weekly bulletin lists the sanctions on villages' quotas HQ approved that week (seed 000). */
const ids = fixtureIds();
const evaluation = fixtureEvaluation(ids);
const settings = documentSettings({});
const names: NameBook = {
  cadres: new Map(evaluation.cadres.map((c) => [c.cadreId, { name: c.name }])),
  villages: new Map([[ids.village, '红旗村']]),
  townships: new Map([
    [ids.township, '东风镇'],
    ['T1', '青石乡'],
  ]),
  problems: new Map(),
};
const issue = { number: '2026年第12期', issuedOn: '2026-11-30' };

const sanction = (over: Partial<BulletinSanction> = {}): BulletinSanction => ({
  villageName: '石门村',
  townshipId: 'T1',
  kind: 'reduce',
  share: 0.3,
  from: '2026-11-01',
  to: '2026-11-28',
  reason: '私自截水，破坏用水秩序',
  majorFailureName: null,
  ...over,
});

const render = (sanctions: BulletinSanction[], majorFailures = evaluation.majorFailures) =>
  renderDocumentHtml(
    'bulletin',
    bulletinView({ ...evaluation, majorFailures }, { settings, names, revision: 1, issue, sanctions }),
  );

describe('the bulletin’s sanctions section', () => {
  it('lists each approved sanction with its share, dates in Chinese and reason', () => {
    const html = render([
      sanction(),
      sanction({ villageName: '柳河村', kind: 'suspend', share: null, majorFailureName: '集体性抢水冲突' }),
    ]);
    expect(html).toContain('资源分配约束');
    expect(html).toContain('青石乡石门村：削减资源分配额度30%，自2026年11月1日至2026年11月28日');
    expect(html).toContain('柳河村：暂停资源分配');
    expect(html).toContain('涉及重大失误“集体性抢水冲突”');
    expect(html).not.toMatch(/reduce|suspend|2026-11-01/);
  });

  it('has no such section in a week without one, and numbers the sections after it in order', () => {
    expect(render([], [])).not.toContain('资源分配约束');
    const withBoth = render([sanction()]);
    const order = ['五、逾期未完成任务', '资源分配约束', '工作成效', '工作要求'].map((h) =>
      withBoth.indexOf(h),
    );
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
    const none = render([sanction()], []);
    expect(none).toContain('六、资源分配约束');
    expect(none).toContain('七、工作成效');
    expect(none).toContain('八、工作要求');
  });
});

import { describe, expect, it } from 'vitest';
import type { CadreEvaluation, ProblemRow, WeeklyEvaluation } from '../../functions/core/rules/evaluation.ts';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import { rectificationNoticeView } from '../../functions/documents/view-models.ts';

/**
 * A rectification notice shows each problem's photo thumbnails under its description, embedded as
 * data: URLs (a notice is kept, mailed and printed; a link to a photo would expire), and nothing for
 * a problem without photos.
 */
const THUMB = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==';

const row = (problemId: string): ProblemRow =>
  ({
    problemId,
    cadreId: 'C001',
    villageId: 'V001',
    townshipId: 'T01',
    inspectionId: 'I1',
    severity: 'major',
    foundOn: '2026-11-17',
    rectifyBy: '2026-11-24',
    state: 'open',
    falseRectifications: 0,
    closedAt: null,
    isNew: true,
    color: null,
  }) as ProblemRow;

describe('photos in the rectification notice', () => {
  it('embeds the thumbnails of the problem that has photos, and none for the other', () => {
    const evaluation = { week: '2026-W47', sunday: '2026-11-22' } as WeeklyEvaluation;
    const cadre = { cadreId: 'C001', name: '李明' } as CadreEvaluation;
    const view = rectificationNoticeView(evaluation, cadre, [row('P1'), row('P2')], {
      settings: documentSettings(),
      issue: { number: '整改〔2026〕1号', issuedOn: '2026-11-23' },
      names: {
        cadres: new Map([['C001', { name: '李明', unit: '县水务局' }]]),
        villages: new Map([['V001', '红旗村']]),
        townships: new Map([['T01', '青石乡']]),
        problems: new Map([
          ['P1', '护栏缺失'],
          ['P2', '台账不全'],
        ]),
        problemPhotos: new Map([['P1', [THUMB, THUMB]]]),
      },
    });
    const html = renderDocumentHtml('rectificationNotice', view);
    const rows = html.split('<tr>').filter((r) => r.includes('护栏缺失') || r.includes('台账不全'));
    expect(rows).toHaveLength(2);
    const withPhotos = rows.find((r) => r.includes('护栏缺失'))!;
    expect(withPhotos.match(/<img src="data:image\/jpeg;base64,[^"]+" alt="问题照片\d">/g)).toHaveLength(2);
    expect(rows.find((r) => r.includes('台账不全'))).not.toContain('<img');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../functions/adapters/mail/templates.ts';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import {
  appointmentLetterView,
  bulletinView,
  criticismNoticeView,
  type NameBook,
  rectificationNoticeView,
  talkNoticeView,
} from '../../functions/documents/view-models.ts';
import { fixtureEvaluation, fixtureIds } from '../support/week-fixture.ts';

/**
 * Never "。。": not in a template, not where a sentence people typed (ending with its own full stop)
 * meets the template's. Documents and emails are rendered with such text; pages are checked by the
 * integration suite web-wording.test.ts on what they serve.
 */
const TEMPLATES = resolve(import.meta.dirname, '../../templates');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : [],
  );
}

const ids = fixtureIds();
const evaluation = fixtureEvaluation(ids);
const settings = documentSettings({});
// Descriptions as people type them: a full stop at the end.
const names: NameBook = {
  cadres: new Map(evaluation.cadres.map((c) => [c.cadreId, { name: c.name, unit: '县水务局' }])),
  villages: new Map([[ids.village, '红旗村']]),
  townships: new Map([[ids.township, '东风镇']]),
  problems: new Map(evaluation.problems.map((p) => [p.problemId, '饮水设施巡查记录缺失。'])),
};
const issue = (number: string) => ({ number, issuedOn: '2026-11-23' });
const cadre = (id: string) => evaluation.cadres.find((c) => c.cadreId === id)!;

describe('no "。。"', () => {
  it.each(files(TEMPLATES).map((f) => [f.slice(TEMPLATES.length + 1), f]))(
    'in the template %s',
    (_n, file) => {
      expect(readFileSync(file, 'utf8')).not.toContain('。。');
    },
  );

  it.each([
    [
      'bulletin',
      () => bulletinView(evaluation, { settings, names, revision: 1, issue: issue('2026年第12期') }),
    ],
    [
      'talkNotice',
      () =>
        talkNoticeView(evaluation, cadre(ids.heavy), 'admonishmentTalk', {
          settings,
          names,
          issue: issue('指谈〔2026〕3号'),
        }),
    ],
    [
      'rectificationNotice',
      () =>
        rectificationNoticeView(
          evaluation,
          cadre(ids.light),
          evaluation.problems.filter((p) => p.cadreId === ids.light),
          { settings, names, issue: issue('指改〔2026〕12号') },
        ),
    ],
    [
      'criticismNotice',
      () =>
        criticismNoticeView(evaluation, evaluation.majorFailures[0]!, {
          settings,
          names,
          issue: issue('指通〔2026〕1号'),
        }),
    ],
    [
      'appointmentLetter',
      () =>
        appointmentLetterView(
          {
            cadre: { name: '张三', unit: '县水务局' },
            village: '红旗村',
            township: '东风镇',
            from: '2026-11-24',
          },
          { settings, issue: issue('指任〔2026〕2号') },
        ),
    ],
  ] as const)('in the %s document rendered with sentences that end in a full stop', (kind, view) => {
    const html = renderDocumentHtml(kind, view());
    expect(html).not.toContain('。。');
  });

  it('where a typed full stop meets the notice template (the problem list)', () => {
    const html = renderDocumentHtml(
      'rectificationNotice',
      rectificationNoticeView(
        evaluation,
        cadre(ids.light),
        evaluation.problems.filter((p) => p.cadreId === ids.light),
        { settings, names, issue: issue('指改〔2026〕12号') },
      ),
    );
    expect(html).toContain('饮水设施巡查记录缺失');
    expect(html).not.toContain('。。');
  });

  it('in a cadre notice email whose paragraphs end in a full stop', () => {
    const { html, text } = renderEmail('cadre-notice', {
      subject: '整改通知',
      authority: '县包村工作指挥部',
      title: '整改通知',
      greeting: '张三同志：',
      paragraphs: ['第47周（11月16日—11月22日）督查发现您包联村存在以下问题。'],
      items: [{ text: '饮水设施巡查记录缺失。', deadline: '2026年12月1日' }],
      deadline: '2026年12月1日',
      link: 'https://x.example/app/cadre/problems',
      footer: '本邮件由系统发出。',
    });
    expect(html).not.toContain('。。');
    expect(text).not.toContain('。。');
  });
});

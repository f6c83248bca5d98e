import { describe, expect, it } from 'vitest';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import {
  appointmentLetterView,
  bulletinView,
  criticismNoticeView,
  type NameBook,
  rectificationNoticeView,
  talkNoticeView,
  weekLabel,
} from '../../functions/documents/view-models.ts';
import { EVIL_NAME, fixtureEvaluation, fixtureIds } from '../support/week-fixture.ts';

const ids = fixtureIds();
const evaluation = fixtureEvaluation(ids);
const settings = documentSettings({});
const names: NameBook = {
  cadres: new Map(evaluation.cadres.map((c) => [c.cadreId, { name: c.name, unit: '县水务局' }])),
  villages: new Map([[ids.village, '红旗村']]),
  townships: new Map([[ids.township, '东风镇']]),
  problems: new Map(evaluation.problems.map((p) => [p.problemId, `饮水设施巡查记录缺失（${p.problemId}）`])),
};
const issue = (number: string) => ({ number, issuedOn: '2026-11-23' });
const cadre = (id: string) => evaluation.cadres.find((c) => c.cadreId === id)!;

const documents = {
  bulletin: () =>
    renderDocumentHtml(
      'bulletin',
      bulletinView(evaluation, { settings, names, revision: 1, issue: issue('2026年第12期') }),
    ),
  talkNotice: () =>
    renderDocumentHtml(
      'talkNotice',
      talkNoticeView(evaluation, cadre(ids.heavy), 'admonishmentTalk', {
        settings,
        names,
        issue: issue('指谈〔2026〕3号'),
      }),
    ),
  rectificationNotice: () =>
    renderDocumentHtml(
      'rectificationNotice',
      rectificationNoticeView(
        evaluation,
        cadre(ids.light),
        evaluation.problems.filter((p) => p.cadreId === ids.light),
        { settings, names, issue: issue('指改〔2026〕12号') },
      ),
    ),
  criticismNotice: () =>
    renderDocumentHtml(
      'criticismNotice',
      criticismNoticeView(evaluation, evaluation.majorFailures[0]!, {
        settings,
        names,
        issue: issue('指通〔2026〕1号'),
      }),
    ),
  appointmentLetter: () =>
    renderDocumentHtml(
      'appointmentLetter',
      appointmentLetterView(
        {
          cadre: { name: '张三', unit: '县水务局' },
          village: '红旗村',
          township: '东风镇',
          from: '2026-11-24',
        },
        { settings, issue: issue('指任〔2026〕2号') },
      ),
    ),
};

describe('GB/T 9704-2012 page layout (shared print CSS)', () => {
  const html = documents.appointmentLetter();
  it('sets A4 with the standard margins: 37 mm top, 26 mm right, 35 mm bottom, 28 mm left', () => {
    expect(html).toMatch(/@page\s*\{\s*size: A4;\s*margin: 37mm 26mm 35mm 28mm;/);
  });
  it('sets the body in 3号 (16 pt) with a 28.95 pt line pitch', () => {
    expect(html).toMatch(/font-size: 16pt;\s*line-height: 28\.95pt;/);
  });
  it('prints page numbers as "— 1 —", odd pages right and even pages left', () => {
    expect(html).toMatch(/@page :right \{\s*@bottom-right \{\s*content: "— " counter\(page\) " —"/);
    expect(html).toMatch(/@page :left \{\s*@bottom-left \{\s*content: "— " counter\(page\) " —"/);
  });
  it('is a complete, self-contained HTML document in Chinese', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toMatch(/<(link|script|img)\b/i);
  });
});

describe.each([
  ['talkNotice', '指谈〔2026〕3号', '诫勉谈话通知书'],
  ['rectificationNotice', '指改〔2026〕12号', '整改通知书'],
  ['criticismNotice', '指通〔2026〕1号', '予以通报批评的通报'],
  ['appointmentLetter', '指任〔2026〕2号', '任命书'],
] as const)('%s as a 文件-style document', (kind, number, title) => {
  const html = documents[kind]();
  it('has the red issuing-authority mark, the number in 六角括号 and the red rule, in that order', () => {
    const mark = html.indexOf(`<h1 class="mark">${settings.mark}</h1>`);
    const num = html.indexOf(`<p class="doc-number">${number}</p>`);
    const rule = html.indexOf('<hr class="red-rule">');
    expect(mark).toBeGreaterThan(0);
    expect(num).toBeGreaterThan(mark);
    expect(rule).toBeGreaterThan(num);
  });
  it('has the title, the issuer and the date in Chinese form without padding, and no seal', () => {
    expect(html).toContain(title);
    expect(html).toMatch(
      new RegExp(
        `<span class="issuer">${settings.issuer}</span>\\s*<span class="date">2026年11月23日</span>`,
      ),
    );
    expect(html).not.toMatch(/seal\.(png|svg)|<img/);
  });
  it('ends with the record block: 抄送 and the printing unit and date', () => {
    expect(html).toContain(`抄送：${settings.cc}。`);
    expect(html).toMatch(/<span>.+办公室<\/span><span>2026年11月23日印发<\/span>/);
    expect(html.indexOf('class="record"')).toBeGreaterThan(html.indexOf('class="signature"'));
  });
});

describe('the weekly bulletin', () => {
  const html = documents.bulletin();
  it('uses the briefing masthead: name in red, 第N期, issuing unit and date above a red rule', () => {
    expect(html).toContain(`<h1 class="masthead-name">${settings.bulletinName}</h1>`);
    expect(html).toContain('<p class="masthead-issue">2026年第12期</p>');
    expect(html).toMatch(/<span>县脱贫攻坚指挥部<\/span><span>2026年11月23日<\/span>/);
  });
  it('names the week by its dates in the title', () => {
    expect(weekLabel(evaluation)).toBe('第47周（11月16日—11月22日）');
    expect(html).toContain('关于2026年11月16日至22日干部包村工作督查情况的通报');
  });
  it('lists each tier with its count and names, escaped', () => {
    expect(html).toContain('（一）充分肯定（1人）');
    expect(html).toContain('（四）诫勉谈话（1人）');
    expect(html).toContain('张三');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(EVIL_NAME);
  });
  it('shows the circle, the colour counts, the overdue task and the major failure', () => {
    expect(html).toContain('本周进圈（2人）');
    expect(html).toContain('派〔2026〕7号 水源巡查');
    expect(html).toContain('人畜饮水中断');
    expect(html).toContain('特此通报。');
  });
  it('marks a revision as 修订 and a provisional view as 暂定', () => {
    const revised = renderDocumentHtml(
      'bulletin',
      bulletinView(evaluation, { settings, names, revision: 2, issue: issue('2026年第12期') }),
    );
    expect(revised).toContain('修订版');
    const provisional = renderDocumentHtml(
      'bulletin',
      bulletinView(
        { ...evaluation, provisional: true },
        { settings, names, revision: 0, issue: issue('暂定') },
      ),
    );
    expect(provisional).toContain('暂定');
    expect(html).not.toContain('修订版');
  });
});

describe('notices', () => {
  it('a talk notice lists the cadre’s open problems and the decision', () => {
    const html = documents.talkNotice();
    expect(html).toContain('张三同志：');
    expect(html).toContain('决定对你进行诫勉谈话');
    expect(html).toContain('饮水设施巡查记录缺失（C2-P5）');
  });
  it('a rectification notice gives the deadline "于…前整改到位" and what follows if late', () => {
    const html = documents.rectificationNotice();
    expect(html).toMatch(/请于2026年11月24日前整改到位/);
    expect(html).toContain('通报批评');
  });
  it('a notice of criticism has the facts, "经研究决定" and "特此通报。"', () => {
    const html = documents.criticismNotice();
    expect(html).toContain('2026年11月19日，东风镇红旗村发生人畜饮水中断');
    expect(html).toContain('经研究决定，对张三予以通报批评。');
    expect(html).toContain('特此通报。');
  });
  it('an appointment letter says "兹任命…同志为…总队长" with the term', () => {
    const html = documents.appointmentLetter();
    expect(html).toContain('兹任命张三同志（县水务局）为东风镇红旗村脱贫攻坚总队长。');
    expect(html).toContain('任期自2026年11月24日起');
  });
});

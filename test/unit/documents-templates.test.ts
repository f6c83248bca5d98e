import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  COMPILE_OPTIONS,
  checkEscaping,
  GENERATED_FILE,
  generate,
  sourceHash,
} from '../../functions/documents/build-templates.ts';
import {
  HANDLEBARS_COMPILER,
  TEMPLATE_SOURCE_HASH,
} from '../../functions/documents/precompiled.generated.ts';
import { DOCUMENT_KINDS, renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import { chineseNumeral } from '../../functions/documents/template-helpers.ts';
import { appointmentLetterView } from '../../functions/documents/view-models.ts';
import { contentDisposition } from '../../functions/routes/document-files.ts';

const appointment = (name: string) =>
  appointmentLetterView(
    { cadre: { name, unit: '县农业农村局' }, village: '红旗村', township: '东风镇', from: '2026-11-24' },
    { settings: documentSettings({}), issue: { number: '指任〔2026〕3号', issuedOn: '2026-11-24' } },
  );

describe('precompiled templates', () => {
  it('the built module is what the generator makes of the current templates (`npm run generate`)', () => {
    expect(TEMPLATE_SOURCE_HASH).toBe(sourceHash());
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generate());
  });

  it('are compiled with a Handlebars release that has the 2025 security fixes (4.7.9 or later)', () => {
    const [major, minor, patch] = HANDLEBARS_COMPILER.split('.').map(Number);
    expect(major! * 10_000 + minor! * 100 + patch!).toBeGreaterThanOrEqual(40709);
  });

  it('compile in strict mode: a field missing from the view model throws instead of printing a gap', () => {
    const { post: _post, ...incomplete } = appointment('张三');
    expect(() => renderDocumentHtml('appointmentLetter', incomplete)).toThrow(/"post" not defined/);
  });

  it('refuse helpers outside the fixed set at build time', () => {
    expect(() => Handlebars.precompile('{{shout name}}', COMPILE_OPTIONS)).toThrow(/shout/);
  });

  it.each([
    ['triple-stash', '<p>{{{name}}}</p>'],
    ['ampersand', '<p>{{& name}}</p>'],
    ['ampersand with whitespace control', '<p>{{~& name}}</p>'],
  ])('refuse unescaped output (%s) at build time', (_label, text) => {
    expect(() => checkEscaping({ file: 'x.hbs', text })).toThrow(/unescaped output/);
  });
});

describe('escaping', () => {
  it('prints a cadre named <script> as text, never as markup', () => {
    const html = renderDocumentHtml('appointmentLetter', appointment('<script>alert("x")</script>'));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
  });

  it.each([
    ['ampersand', 'A&B', 'A&amp;B'],
    ['quote', '"x"', '&quot;x&quot;'],
    ['apostrophe', "O'Neil", 'O&#x27;Neil'],
    ['backtick', '`x`', '&#x60;x&#x60;'],
    ['equals', 'a=b', 'a&#x3D;b'],
  ])('escapes %s in inserted values', (_label, name, escaped) => {
    expect(renderDocumentHtml('appointmentLetter', appointment(name))).toContain(escaped);
  });

  it('does not reach prototype properties of the view model', () => {
    const vm = Object.assign(Object.create({ injected: 'x' }), appointment('张三'));
    expect(() => renderDocumentHtml('appointmentLetter', vm)).not.toThrow();
  });
});

describe('helpers', () => {
  it.each([
    [1, '一'],
    [7, '七'],
    [10, '十'],
    [12, '十二'],
    [20, '二十'],
    [23, '二十三'],
  ])('writes %i as %s in heading numbers', (n, text) => {
    expect(chineseNumeral(n)).toBe(text);
  });
});

describe('download file names', () => {
  it('keeps the Chinese file name through RFC 5987 filename* with an ASCII fallback', () => {
    const header = contentDisposition('提醒谈话通知书-张三-2026-W47.pdf', 'notice-X.pdf');
    expect(header).toBe(
      `attachment; filename="notice-X.pdf"; filename*=UTF-8''${encodeURIComponent('提醒谈话通知书-张三-2026-W47.pdf')}`,
    );
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe('提醒谈话通知书-张三-2026-W47.pdf');
  });

  it("percent-encodes the characters RFC 5987 does not allow bare (' ( ) *)", () => {
    expect(contentDisposition("a'(b)*.pdf", 'x.pdf')).toContain("filename*=UTF-8''a%27%28b%29%2A.pdf");
  });
});

it('every document kind has a template', () => {
  // 谈话记录 and 通报表扬 since issue 12 (docs/talks.md); 考核结果通报 since issue 13 (docs/assessments.md).
  expect(DOCUMENT_KINDS).toHaveLength(8);
});

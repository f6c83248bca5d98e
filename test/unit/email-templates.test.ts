import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EMAIL_GENERATED_FILE,
  emailSourceHash,
  generateEmailTemplates,
} from '../../functions/adapters/mail/build-email-templates.ts';
import { EMAIL_TEMPLATE_SOURCE_HASH } from '../../functions/adapters/mail/email-templates.generated.ts';
import { buildMime, recipientHash } from '../../functions/adapters/mail/message.ts';
import { renderEmail } from '../../functions/adapters/mail/templates.ts';
import { parseMail } from '../support/mail.ts';

const notice = {
  subject: 'S',
  authority: '县包村工作指挥部',
  title: '整改通知',
  greeting: '<b>张三</b>同志：',
  paragraphs: ['请整改 & 报告'],
  items: [{ text: '问题 <1>', deadline: '2026年12月1日' }],
  deadline: null,
  link: 'https://x.example/cadres/C1/notifications?a=1',
  footer: 'F',
};

describe('email templates', () => {
  it('are precompiled from templates/emails: the built module is what the generator makes of them', () => {
    expect(EMAIL_TEMPLATE_SOURCE_HASH).toBe(emailSourceHash());
    expect(readFileSync(EMAIL_GENERATED_FILE, 'utf8')).toBe(generateEmailTemplates());
  });

  it('escape every value in the HTML part and print it as written in the text part', () => {
    const { html, text } = renderEmail('cadre-notice', notice);
    expect(html).toContain('&lt;b&gt;张三&lt;/b&gt;同志：');
    expect(html).toContain('问题 &lt;1&gt;');
    expect(html).not.toContain('<b>张三');
    expect(text).toContain('<b>张三</b>同志：');
    expect(text).toContain('1. 问题 <1>（期限：2026年12月1日）');
    expect(text).toContain('请整改 & 报告');
  });

  it('refuse a view model with a field missing (strict mode) and an unknown template name', () => {
    const { title: _title, ...withoutTitle } = notice;
    expect(() => renderEmail('cadre-notice', withoutTitle)).toThrow(/title/);
    expect(() => renderEmail('nope' as never, notice)).toThrow(/unknown email template/);
  });
});

describe('MIME messages', () => {
  it('carry a Chinese subject, text and HTML alternatives and a Message-ID stable per message and recipient', async () => {
    const to = { address: 'Li@Example.cn', name: '李县长', ref: 'recipient:R1' };
    const mail = { subject: '2026年第47周通报', text: '正文', html: '<p>正文</p>' };
    const date = new Date('2026-11-23T00:00:00Z');
    const one = parseMail(
      (
        await buildMime(mail, { from: '包村办公室 <noreply@baocun.local>', to, messageKey: 'k', date })
      ).toString(),
    );
    const two = parseMail(
      (
        await buildMime(mail, { from: '包村办公室 <noreply@baocun.local>', to, messageKey: 'k', date })
      ).toString(),
    );
    expect(one.subject).toBe('2026年第47周通报');
    expect(one.headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(one.text).toBe('正文');
    expect(one.html).toBe('<p>正文</p>');
    expect(one.headers['message-id']).toBe(two.headers['message-id']);
    expect(recipientHash(' li@example.cn ')).toBe(recipientHash('Li@Example.cn'));
  });
});

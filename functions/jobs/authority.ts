/**
 * Who the system's emails speak for, and their closing line: one module of its own so that a
 * function sending only news (functions/api/news.ts) does not bundle the weekly job.
 */
export const AUTHORITY = '县包村工作指挥部';
export const MAIL_FOOTER = '本邮件由包村系统自动发送，请勿直接回复。';

import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

/** An email as the jobs compose it; the transports only ever see the finished MIME bytes. */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface OutgoingMail {
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

/** Someone we write to; `ref` names them in the ledger and logs instead of the address. */
export interface MailRecipient {
  address: string;
  name?: string | undefined;
  /** e.g. `recipient:R01` or `cadre:C001`. */
  ref: string;
}

/** Addresses are personal data: keys, ledger items and logs carry this digest instead. */
export function recipientHash(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 32);
}

/**
 * Builds the raw MIME message (multipart/alternative text + HTML, attachments in multipart/mixed,
 * UTF-8 headers encoded). The Message-ID derives from the message key and recipient, so a receiving
 * system can also recognise a duplicate.
 */
export async function buildMime(
  mail: OutgoingMail,
  options: { from: string; to: MailRecipient; messageKey: string; date: Date },
): Promise<Buffer> {
  const id = createHash('sha256')
    .update(`${options.messageKey}\u0000${recipientHash(options.to.address)}`)
    .digest('hex')
    .slice(0, 32);
  const composer = new MailComposer({
    from: options.from,
    to: options.to.name ? { name: options.to.name, address: options.to.address } : options.to.address,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    date: options.date,
    messageId: `<${id}@baocun>`,
    headers: { 'X-Baocun-Message': options.messageKey },
    textEncoding: 'base64',
    ...(mail.attachments?.length
      ? {
          attachments: mail.attachments.map((a) => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
          })),
        }
      : {}),
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

/** The bare address of a From header such as `包村办公室 <noreply@baocun.local>`. */
export function envelopeAddress(header: string): string {
  const m = /<([^>]+)>\s*$/.exec(header);
  return (m ? m[1] : header)!.trim();
}

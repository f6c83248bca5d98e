import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import { type MailConfig, mailConfig } from './config.ts';

/**
 * The mail port: hand over one finished MIME message for one recipient. Three adapters: SES v2
 * (raw content) on AWS, SMTP through nodemailer, and an outbox folder of .eml files.
 */
export interface MailTransport {
  readonly kind: 'ses' | 'smtp' | 'outbox';
  send(
    raw: Buffer,
    envelope: { from: string; to: string; fileStem: string },
  ): Promise<{ providerId?: string }>;
}

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(raw, envelope) {
      const info = await transporter.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
      return info.messageId ? { providerId: String(info.messageId) } : {};
    },
  };
}

export function outboxTransport(dir: string): MailTransport {
  return {
    kind: 'outbox',
    async send(raw, envelope) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${envelope.fileStem}.eml`);
      // Written under a temporary name first so a reader never sees half a message.
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, raw);
      await rename(temporary, path);
      return { providerId: path };
    },
  };
}

export function sesTransport(config: Pick<MailConfig, 'region' | 'sesConfigurationSet'>): MailTransport {
  const client = new SESv2Client({ region: config.region, maxAttempts: 3 });
  return {
    kind: 'ses',
    async send(raw, envelope) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: envelope.from,
          Destination: { ToAddresses: [envelope.to] },
          Content: { Raw: { Data: raw } },
          ...(config.sesConfigurationSet ? { ConfigurationSetName: config.sesConfigurationSet } : {}),
        }),
      );
      return out.MessageId ? { providerId: out.MessageId } : {};
    },
  };
}

let cached: { key: string; transport: MailTransport } | undefined;

/** The transport the configuration names, built once per process. */
export function mailTransport(): MailTransport {
  const config = mailConfig();
  const key = `${config.transport}|${config.smtpUrl ?? ''}|${config.outboxDir}`;
  if (cached?.key === key) return cached.transport;
  const transport =
    config.transport === 'ses'
      ? sesTransport(config)
      : config.transport === 'smtp'
        ? smtpTransport(config.smtpUrl as string)
        : outboxTransport(config.outboxDir);
  cached = { key, transport };
  return transport;
}

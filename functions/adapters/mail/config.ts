import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where email goes, read once at cold start: SES on AWS (MAIL_TRANSPORT=ses, set by the stack),
 * SMTP when SMTP_URL is set, otherwise .eml files in the outbox under the data folder.
 */
export type TransportKind = 'ses' | 'smtp' | 'outbox';

export interface MailConfig {
  transport: TransportKind;
  smtpUrl: string | undefined;
  outboxDir: string;
  from: string;
  sesConfigurationSet: string | undefined;
  region: string;
  /** Base URL of the API, for links in emails (documents, the cadre's page); absent → no links. */
  publicBaseUrl: string | undefined;
  /** Largest PDF attached to an email; bigger ones are linked only. */
  attachmentMaxBytes: number;
}

let cached: MailConfig | undefined;

export function mailConfig(): MailConfig {
  if (cached) return cached;
  const env = process.env;
  const explicit = env.MAIL_TRANSPORT;
  if (explicit && !['ses', 'smtp', 'outbox'].includes(explicit)) {
    throw new Error(`MAIL_TRANSPORT must be ses, smtp or outbox, not ${explicit}`);
  }
  const smtpUrl = env.SMTP_URL || undefined;
  const transport = (explicit as TransportKind | undefined) ?? (smtpUrl ? 'smtp' : 'outbox');
  if (transport === 'smtp' && !smtpUrl) throw new Error('MAIL_TRANSPORT=smtp needs SMTP_URL');
  const dataDir = env.DATA_DIR ? resolve(env.DATA_DIR) : join(tmpdir(), 'baocun');
  cached = {
    transport,
    smtpUrl,
    outboxDir: env.OUTBOX_DIR ? resolve(env.OUTBOX_DIR) : join(dataDir, 'outbox'),
    from: env.MAIL_FROM || '包村办公室 <noreply@baocun.local>',
    sesConfigurationSet: env.SES_CONFIGURATION_SET || undefined,
    region: env.AWS_REGION ?? 'cn-northwest-1',
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') || undefined,
    attachmentMaxBytes: Number(env.MAIL_ATTACHMENT_MAX_BYTES ?? 3 * 1024 * 1024),
  };
  return cached;
}

/** For tests and the local runtime, which set the environment before the first email. */
export function resetMailConfig(): void {
  cached = undefined;
}

import { createHash } from 'node:crypto';
import { smsConfig } from './config.ts';
import { httpSmsTransport, type SmsTransport } from './transport.ts';

/**
 * Sends each (message, phone) once, like the mailer (functions/adapters/mail/mailer.ts): claim in
 * the delivery ledger, send, record the outcome. The ledger is the same port the mailer takes (the
 * caller passes functions/adapters/dynamo/mail-ledger.ts), with keys of their own (`sms:…`), so a
 * text and an email of the same news are separate deliveries. The ledger keeps a digest of the
 * number, never the number.
 */
export type SmsOutcome = 'sent' | 'already-sent' | 'unconfirmed' | 'failed';

export interface SmsLedger {
  claim(input: {
    messageKey: string;
    recipientHash: string;
    recipientRef: string;
    subject: string;
    transport: string;
    now: Date;
  }): Promise<{ claimed: true } | { claimed: false; record: { status: 'sending' | 'sent' | 'failed' } }>;
  markSent(
    messageKey: string,
    hash: string,
    outcome: { now: Date; providerId?: string | undefined },
  ): Promise<void>;
  markFailed(messageKey: string, hash: string, failure: { now: Date; error: string }): Promise<void>;
}

export interface SmsSender {
  deliver(message: {
    messageKey: string;
    to: { phone: string; ref: string };
    text: string;
  }): Promise<SmsOutcome>;
}

export interface SmsSenderOptions {
  ledger: SmsLedger;
  transport: SmsTransport;
  clock?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
  onOutcome?: (outcome: SmsOutcome) => void;
}

/** Digits only, without a +86 / 0086 prefix: one number, one digest. */
export function normalizePhone(phone: string): string {
  return phone.replace(/\D/g, '').replace(/^(0086|86)(?=1\d{10}$)/, '');
}

export function phoneHash(phone: string): string {
  return createHash('sha256')
    .update(`phone:${normalizePhone(phone)}`)
    .digest('hex')
    .slice(0, 32);
}

export function createSmsSender(options: SmsSenderOptions): SmsSender {
  const { ledger, transport } = options;
  const clock = options.clock ?? (() => new Date());
  return {
    async deliver(message) {
      const outcome = await deliverOnce(message);
      options.onOutcome?.(outcome);
      return outcome;
    },
  };

  async function deliverOnce(message: Parameters<SmsSender['deliver']>[0]): Promise<SmsOutcome> {
    const hash = phoneHash(message.to.phone);
    const claim = await ledger.claim({
      messageKey: message.messageKey,
      recipientHash: hash,
      recipientRef: message.to.ref,
      subject: message.text.slice(0, 200),
      transport: `sms-${transport.kind}`,
      now: clock(),
    });
    if (!claim.claimed) return claim.record.status === 'sent' ? 'already-sent' : 'unconfirmed';
    let sent: { providerId?: string };
    try {
      sent = await transport.send({
        phone: normalizePhone(message.to.phone),
        text: message.text,
        // Stable per (message, phone): a gateway that deduplicates by a caller's id can use it.
        id: createHash('sha256').update(`${message.messageKey}\u0000${hash}`).digest('hex').slice(0, 32),
      });
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const scrubbed = text.split(message.to.phone).join('<phone>');
      options.log?.('text message not sent', {
        messageKey: message.messageKey,
        recipient: message.to.ref,
        error: scrubbed,
      });
      await ledger.markFailed(message.messageKey, hash, { now: clock(), error: scrubbed });
      return 'failed';
    }
    await ledger.markSent(message.messageKey, hash, { now: clock(), providerId: sent.providerId });
    return 'sent';
  }
}

/** The configured gateway's sender, or undefined when text messages are off. */
export function configuredSmsSender(options: Omit<SmsSenderOptions, 'transport'>): SmsSender | undefined {
  const config = smsConfig();
  return config ? createSmsSender({ ...options, transport: httpSmsTransport(config) }) : undefined;
}

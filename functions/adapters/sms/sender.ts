import { createHash } from 'node:crypto';
import { type DeliveryLedger, type DeliveryOutcome, deliverOnce } from '../../core/delivery.ts';
import { smsConfig } from './config.ts';
import { httpSmsTransport, type SmsTransport } from './transport.ts';

/**
 * Sends each (message, phone) once, like the mailer (functions/adapters/mail/mailer.ts): claim in
 * the delivery ledger, send, record the outcome. The ledger is the same port the mailer takes (the
 * caller passes functions/adapters/dynamo/mail-ledger.ts), with keys of their own (`sms:…`), so a
 * text and an email of the same news are separate deliveries. The ledger keeps a digest of the
 * number, never the number.
 */
export type SmsOutcome = DeliveryOutcome;
export type SmsLedger = DeliveryLedger;

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
      const outcome = await deliverText(message);
      options.onOutcome?.(outcome);
      return outcome;
    },
  };

  function deliverText(message: Parameters<SmsSender['deliver']>[0]): Promise<SmsOutcome> {
    const hash = phoneHash(message.to.phone);
    return deliverOnce(
      { ledger, clock, log: options.log },
      {
        messageKey: message.messageKey,
        recipientHash: hash,
        recipientRef: message.to.ref,
        address: message.to.phone,
        mask: '<phone>',
        subject: message.text,
        transport: `sms-${transport.kind}`,
        failedLog: 'text message not sent',
        send: () =>
          transport.send({
            phone: normalizePhone(message.to.phone),
            text: message.text,
            // Stable per (message, phone): a gateway that deduplicates by a caller's id can use it.
            id: createHash('sha256').update(`${message.messageKey}\u0000${hash}`).digest('hex').slice(0, 32),
          }),
      },
    );
  }
}

/** The configured gateway's sender, or undefined when text messages are off. */
export function configuredSmsSender(options: Omit<SmsSenderOptions, 'transport'>): SmsSender | undefined {
  const config = smsConfig();
  return config ? createSmsSender({ ...options, transport: httpSmsTransport(config) }) : undefined;
}

import { type DeliveryLedger, type DeliveryOutcome, deliverOnce } from '../../core/delivery.ts';
import { mailConfig } from './config.ts';
import {
  buildMime,
  envelopeAddress,
  type MailRecipient,
  type OutgoingMail,
  recipientHash,
} from './message.ts';
import { type MailTransport, mailTransport } from './transport.ts';

/**
 * Sends each (message, recipient) once: claim in the ledger, then send, then record the outcome.
 * What happened to each email comes back as an outcome the job summary counts.
 */
export type { DeliveryLedger, DeliveryOutcome };

export interface Mailer {
  readonly transportKind: string;
  deliver(mail: OutgoingMail & { messageKey: string; to: MailRecipient }): Promise<DeliveryOutcome>;
}

export interface MailerOptions {
  ledger: DeliveryLedger;
  transport?: MailTransport;
  from?: string;
  clock?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Told each delivery's outcome (the caller counts sent and failed emails as metrics). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** A safe file name part for the outbox: keys use ':' and '#', which some systems refuse. */
function fileStem(messageKey: string, hash: string): string {
  return `${messageKey.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 120)}-${hash.slice(0, 12)}`;
}

export function createMailer(options: MailerOptions): Mailer {
  const { ledger } = options;
  const transport = options.transport ?? mailTransport();
  const from = options.from ?? mailConfig().from;
  const clock = options.clock ?? (() => new Date());
  return {
    transportKind: transport.kind,
    async deliver(mail) {
      const outcome = await deliverMail(mail);
      options.onOutcome?.(outcome);
      return outcome;
    },
  };

  function deliverMail(mail: Parameters<Mailer['deliver']>[0]): Promise<DeliveryOutcome> {
    const hash = recipientHash(mail.to.address);
    return deliverOnce(
      { ledger, clock, log: options.log },
      {
        messageKey: mail.messageKey,
        recipientHash: hash,
        recipientRef: mail.to.ref,
        address: mail.to.address,
        mask: '<recipient>',
        subject: mail.subject,
        transport: transport.kind,
        failedLog: 'email not sent',
        send: async () => {
          const raw = await buildMime(mail, {
            from,
            to: mail.to,
            messageKey: mail.messageKey,
            date: clock(),
          });
          return transport.send(raw, {
            from: envelopeAddress(from),
            to: mail.to.address,
            fileStem: fileStem(mail.messageKey, hash),
          });
        },
      },
    );
  }
}

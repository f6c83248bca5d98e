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
export type DeliveryOutcome =
  /** Sent now. */
  | 'sent'
  /** An earlier run sent it. */
  | 'already-sent'
  /** Claimed by a run still under way or one that died mid-send: not sent again (see mail-ledger.ts). */
  | 'unconfirmed'
  /** The transport refused it; a later run retries. */
  | 'failed';

export interface Mailer {
  readonly transportKind: string;
  deliver(mail: OutgoingMail & { messageKey: string; to: MailRecipient }): Promise<DeliveryOutcome>;
}

/**
 * The port to the delivery ledger (functions/adapters/dynamo/mail-ledger.ts): the job that sends mail
 * passes it in, so this adapter stays one adapter (the transport) and knows no table.
 */
export interface DeliveryLedger {
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
      const outcome = await deliverOnce(mail);
      options.onOutcome?.(outcome);
      return outcome;
    },
  };

  async function deliverOnce(mail: Parameters<Mailer['deliver']>[0]): Promise<DeliveryOutcome> {
    const hash = recipientHash(mail.to.address);
    const claim = await ledger.claim({
      messageKey: mail.messageKey,
      recipientHash: hash,
      recipientRef: mail.to.ref,
      subject: mail.subject.slice(0, 200),
      transport: transport.kind,
      now: clock(),
    });
    if (!claim.claimed) return claim.record.status === 'sent' ? 'already-sent' : 'unconfirmed';
    let sent: { providerId?: string };
    try {
      const raw = await buildMime(mail, { from, to: mail.to, messageKey: mail.messageKey, date: clock() });
      sent = await transport.send(raw, {
        from: envelopeAddress(from),
        to: mail.to.address,
        fileStem: fileStem(mail.messageKey, hash),
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // The address may appear in a transport's error text; the ledger and log keep the ref only.
      const scrubbed = message.split(mail.to.address).join('<recipient>');
      options.log?.('email not sent', {
        messageKey: mail.messageKey,
        recipient: mail.to.ref,
        error: scrubbed,
      });
      await ledger.markFailed(mail.messageKey, hash, { now: clock(), error: scrubbed });
      return 'failed';
    }
    // Outside the try: a send that went out must never be marked failed (and so retried).
    await ledger.markSent(mail.messageKey, hash, { now: clock(), providerId: sent.providerId });
    return 'sent';
  }
}

/**
 * Delivering a message once per recipient, as a port and one protocol: claim the (message, recipient)
 * in the delivery ledger, send, record the outcome. The mailer (functions/adapters/mail/mailer.ts)
 * and the text-message sender (functions/adapters/sms/sender.ts) both run it; the ledger is passed in
 * (DynamoDB: functions/adapters/dynamo/mail-ledger.ts). Kept in the core so the two adapters share it
 * without either importing the other.
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

/** What a claim in the ledger records: a digest of the recipient, never the address. */
export interface DeliveryClaim {
  messageKey: string;
  recipientHash: string;
  recipientRef: string;
  subject: string;
  transport: string;
  now: Date;
}

/** The port to the delivery ledger. */
export interface DeliveryLedger {
  claim(
    input: DeliveryClaim,
  ): Promise<{ claimed: true } | { claimed: false; record: { status: 'sending' | 'sent' | 'failed' } }>;
  markSent(
    messageKey: string,
    hash: string,
    outcome: { now: Date; providerId?: string | undefined },
  ): Promise<void>;
  markFailed(messageKey: string, hash: string, failure: { now: Date; error: string }): Promise<void>;
}

export interface Delivery {
  messageKey: string;
  recipientHash: string;
  /** The recipient's reference (an account or cadre id), kept in the ledger and the log. */
  recipientRef: string;
  /** The address or number itself: scrubbed from an error's text (replaced by `mask`). */
  address: string;
  mask: string;
  subject: string;
  transport: string;
  /** What the log line of a failed send says. */
  failedLog: string;
  send(): Promise<{ providerId?: string }>;
}

export interface DeliveryDeps {
  ledger: DeliveryLedger;
  clock: () => Date;
  log?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
}

/** Claims, sends and records one delivery; a transport's refusal is logged and recorded, not thrown. */
export async function deliverOnce(deps: DeliveryDeps, d: Delivery): Promise<DeliveryOutcome> {
  const { ledger, clock } = deps;
  const claim = await ledger.claim({
    messageKey: d.messageKey,
    recipientHash: d.recipientHash,
    recipientRef: d.recipientRef,
    subject: d.subject.slice(0, 200),
    transport: d.transport,
    now: clock(),
  });
  if (!claim.claimed) return claim.record.status === 'sent' ? 'already-sent' : 'unconfirmed';
  let sent: { providerId?: string };
  try {
    sent = await d.send();
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // The address may appear in a transport's error text; the ledger and log keep the ref only.
    const scrubbed = text.split(d.address).join(d.mask);
    deps.log?.(d.failedLog, { messageKey: d.messageKey, recipient: d.recipientRef, error: scrubbed });
    await ledger.markFailed(d.messageKey, d.recipientHash, { now: clock(), error: scrubbed });
    return 'failed';
  }
  // Outside the try: a send that went out must never be marked failed (and so retried).
  await ledger.markSent(d.messageKey, d.recipientHash, { now: clock(), providerId: sent.providerId });
  return 'sent';
}

import type { DeliveryClaim } from '../../core/delivery.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  getItem,
  type Item,
  putIfAbsent,
  queryAll,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * The delivery ledger. SES has no idempotency token, so before an email leaves, its (message,
 * recipient) pair is claimed with a conditional put; a re-run or a retried job finds the claim and
 * does not send again. States: `sending` (claimed; the send is under way or its outcome is unknown
 * because the process died), `sent`, `failed` (the transport refused it: a later run may try again).
 * A `sending` claim is never re-sent automatically: a duplicate official notice is the worse outcome,
 * and the job summary lists such claims as unconfirmed for a person to check.
 * Items hold a digest of the address, never the address.
 */
export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface DeliveryRecord {
  messageKey: string;
  recipientHash: string;
  recipientRef: string;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  transport: string;
  claimedAt: string;
  sentAt?: string;
  failedAt?: string;
  error?: string;
  providerId?: string;
}

const ENTITY = 'mailDelivery';
const toRecord = (item: Item) => withoutKeys(item) as unknown as DeliveryRecord;

export type Claim = { claimed: true; attempt: number } | { claimed: false; record: DeliveryRecord };

export async function claimDelivery(input: DeliveryClaim): Promise<Claim> {
  const key = keys.mailDelivery(input.messageKey, input.recipientHash);
  const record: DeliveryRecord = {
    messageKey: input.messageKey,
    recipientHash: input.recipientHash,
    recipientRef: input.recipientRef,
    subject: input.subject,
    status: 'sending',
    attempts: 1,
    transport: input.transport,
    claimedAt: input.now.toISOString(),
  };
  if (await putIfAbsent({ ...key, entity: ENTITY, ...record })) return { claimed: true, attempt: 1 };
  const existing = await getItem<Item>(key);
  if (!existing) throw new Error('delivery claim vanished');
  const current = toRecord(existing);
  if (current.status !== 'failed') return { claimed: false, record: current };
  try {
    // Only one of several concurrent re-runs wins the retry of a failed delivery.
    const updated = await updateItem<Item>({
      Key: key,
      UpdateExpression: 'SET #status = :sending, attempts = :next, claimedAt = :now, #transport = :transport',
      ConditionExpression: '#status = :failed AND attempts = :seen',
      ExpressionAttributeNames: { '#status': 'status', '#transport': 'transport' },
      ExpressionAttributeValues: {
        ':sending': 'sending',
        ':failed': 'failed',
        ':seen': current.attempts,
        ':next': current.attempts + 1,
        ':now': input.now.toISOString(),
        ':transport': input.transport,
      },
    });
    return { claimed: true, attempt: Number(updated.attempts) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const latest = await getItem<Item>(key);
    return { claimed: false, record: toRecord(latest ?? existing) };
  }
}

export async function markSent(
  messageKey: string,
  hash: string,
  outcome: { now: Date; providerId?: string | undefined },
): Promise<void> {
  await updateItem({
    Key: keys.mailDelivery(messageKey, hash),
    UpdateExpression: `SET #status = :sent, sentAt = :now${outcome.providerId ? ', providerId = :provider' : ''} REMOVE #error`,
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
    ExpressionAttributeValues: {
      ':sent': 'sent',
      ':now': outcome.now.toISOString(),
      ...(outcome.providerId ? { ':provider': outcome.providerId } : {}),
    },
  });
}

export async function markFailed(messageKey: string, hash: string, failure: { now: Date; error: string }) {
  await updateItem({
    Key: keys.mailDelivery(messageKey, hash),
    UpdateExpression: 'SET #status = :failed, failedAt = :now, #error = :error',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
    ExpressionAttributeValues: {
      ':failed': 'failed',
      ':now': failure.now.toISOString(),
      ':error': failure.error.slice(0, 500),
    },
  });
}

export async function getDelivery(messageKey: string, hash: string): Promise<DeliveryRecord | undefined> {
  const item = await getItem<Item>(keys.mailDelivery(messageKey, hash));
  return item && toRecord(item);
}

/** Every recipient's delivery of one message. */
export async function listDeliveries(messageKey: string): Promise<DeliveryRecord[]> {
  const items = await queryAll<Item>({ partition: keys.mailDelivery(messageKey, '').PK, consistent: true });
  return items.map(toRecord);
}

/** The ledger as the mailer's port (`DeliveryLedger` in functions/adapters/mail/mailer.ts). */
export const mailLedger = { claim: claimDelivery, markSent, markFailed };

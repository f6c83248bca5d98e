import { keys } from './keys.ts';
import { deleteItem, type Item, putItem, queryAll } from './table.ts';

/**
 * Chief assignments waiting for their appointment letter (任命书). One small item per new chief
 * assignment in one partition; the daily sweep reads it (a Query, never a Scan), renders the letters
 * and deletes the items, so its cost follows the chiefs appointed since the last run.
 */
export interface PendingAppointmentLetter {
  assignmentId: string;
  markedAt: string;
}

/** Idempotent: a retried create writes the same item again. */
export async function markAppointmentLetterPending(assignmentId: string, at: string): Promise<void> {
  await putItem({
    ...keys.pendingAppointmentLetter(assignmentId),
    entity: 'appointment-letter-pending',
    assignmentId,
    markedAt: at,
  });
}

export async function listPendingAppointmentLetters(): Promise<PendingAppointmentLetter[]> {
  const items = await queryAll<Item>({ partition: keys.pendingAppointmentLetters(), consistent: true });
  return items.map((i) => ({ assignmentId: String(i.assignmentId), markedAt: String(i.markedAt) }));
}

export async function clearPendingAppointmentLetter(assignmentId: string): Promise<void> {
  await deleteItem(keys.pendingAppointmentLetter(assignmentId));
}

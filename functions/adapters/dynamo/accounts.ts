import type { Role } from '../../core/roles.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  getItem,
  type Item,
  putIfAbsent,
  putItem,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * County-mode accounts (functions/accounts/ has the rules). Every change is a conditional write on the
 * item's `version`, so two admins (or an admin and the `npm run users` command) never overwrite each
 * other's change unseen; the loser gets ConditionFailed and the service reports a conflict.
 */
export interface AccountRecord {
  username: string;
  role: Role;
  /** Cadre and county-leader accounts act as this roster cadre (claim `custom:cadreId`). */
  cadreId?: string;
  /** A township's staff account works for this township (claim `custom:townshipId`). */
  townshipId?: string;
  name?: string;
  /** `scrypt$N$r$p$salt$hash` (functions/accounts/hashing.ts); never leaves the service. */
  passwordHash: string;
  /** A generated initial password: the person must choose their own at first sign-in. */
  mustChange: boolean;
  disabled: boolean;
  /** Bumped by disable, reset and password change: tokens carrying an older one are refused. */
  sessionVersion: number;
  /** Optimistic-concurrency counter of the item. */
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  passwordChangedAt?: string;
}

function toRecord(item: Item): AccountRecord {
  const { GSI1PK: _pk, GSI1SK: _sk, entity: _entity, ...rest } = withoutKeys(item) as Item;
  return rest as unknown as AccountRecord;
}

export async function getAccount(username: string, consistent = true): Promise<AccountRecord | undefined> {
  const item = await getItem(keys.account(username), consistent);
  return item ? toRecord(item) : undefined;
}

function accountItem(record: AccountRecord): Item {
  return {
    ...keys.account(record.username),
    GSI1PK: keys.accountList(),
    GSI1SK: record.username,
    entity: 'account',
    ...record,
  };
}

/** Writes a new account; false when the user name is taken. */
export function createAccount(record: AccountRecord): Promise<boolean> {
  return putIfAbsent(accountItem(record));
}

/** Replaces an account if nobody changed it since `expectedVersion` was read (else ConditionFailed). */
export async function replaceAccount(record: AccountRecord, expectedVersion: number): Promise<void> {
  await putItem(accountItem(record), {
    expression: '#v = :v',
    names: { '#v': 'version' },
    values: { ':v': expectedVersion },
  });
}

/** Every account, by user name (one GSI1 partition, read page by page; a county has a few thousand). */
export async function listAllAccounts(): Promise<AccountRecord[]> {
  const out: AccountRecord[] = [];
  let next: string | undefined;
  do {
    const page = await queryPage<Item>({ index: 'GSI1', partition: keys.accountList() }, 100, next);
    out.push(...page.items.map(toRecord));
    next = page.next;
  } while (next);
  return out;
}

/** Failed sign-ins of one user name or one client address. */
export interface ThrottleRecord {
  /** Epoch ms of the recent failures (at most the threshold's worth). */
  failures: number[];
  lockedUntil: number;
  version: number;
}

export async function getThrottle(kind: 'USER' | 'ADDR', id: string): Promise<ThrottleRecord> {
  const item = await getItem<Item>(keys.signInThrottle(kind, id));
  return {
    failures: Array.isArray(item?.failures) ? (item.failures as number[]) : [],
    lockedUntil: typeof item?.lockedUntil === 'number' ? item.lockedUntil : 0,
    version: typeof item?.version === 'number' ? item.version : 0,
  };
}

/**
 * Writes the throttle state if it is still at `expected.version` (ConditionFailed otherwise: a
 * concurrent failure got there first, and the caller reads again). `expiresAt` lets DynamoDB's TTL
 * drop the item on AWS; locally it is simply overwritten next time.
 */
export async function putThrottle(
  kind: 'USER' | 'ADDR',
  id: string,
  state: Omit<ThrottleRecord, 'version'>,
  expectedVersion: number,
  expiresAtSeconds: number,
): Promise<void> {
  await putItem(
    {
      ...keys.signInThrottle(kind, id),
      entity: 'sign-in-throttle',
      failures: state.failures,
      lockedUntil: state.lockedUntil,
      version: expectedVersion + 1,
      expiresAt: expiresAtSeconds,
    },
    expectedVersion === 0
      ? { expression: 'attribute_not_exists(PK) OR #v = :v', names: { '#v': 'version' }, values: { ':v': 0 } }
      : { expression: '#v = :v', names: { '#v': 'version' }, values: { ':v': expectedVersion } },
  );
}

/** Forgets a user name's failures after a successful sign-in (unconditional: only ever lowers them). */
export async function clearThrottle(kind: 'USER' | 'ADDR', id: string): Promise<void> {
  await updateItem({
    Key: keys.signInThrottle(kind, id),
    UpdateExpression:
      'SET failures = :none, lockedUntil = :zero, version = if_not_exists(version, :zero) + :one',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeValues: { ':none': [], ':zero': 0, ':one': 1 },
  }).catch((error: unknown) => {
    if (!(error instanceof ConditionFailed)) throw error;
  });
}

import { afterEach } from 'vitest';
import { contractViolations } from './contract-violations.ts';

/**
 * A vitest setup file: a test during which an in-process API call answered outside its route's
 * declared schemas fails, with every mismatch in the message.
 */
afterEach(() => {
  if (contractViolations.length === 0) return;
  const found = contractViolations.splice(0);
  throw new Error(
    `${found.length} in-process API answer(s) broke the declared contract:\n${found.map((e) => e.message).join('\n\n')}`,
  );
});

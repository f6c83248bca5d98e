import * as z from 'zod/mini';
import { nameText } from './common.ts';

/** Query parameters HQ's record lists share: a name search and a yes/no flag. */
export const SEARCH_MAX = 30;

/** `q`: words of a cadre's or a village's name (trimmed; one to 30 characters). */
export const nameSearch = nameText(SEARCH_MAX).check(z.describe('按干部姓名或村名查找（包含即可）'));

/** A yes/no query flag sent as `true` / `false`. */
export const queryFlag = (message: string) =>
  z.pipe(
    z.enum(['true', 'false'], { message }),
    z.transform((v: 'true' | 'false') => v === 'true'),
  );

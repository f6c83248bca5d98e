/**
 * The fixed helper set the document templates may use (compiled with knownHelpersOnly, so any other
 * helper fails the build). Helpers return plain strings, which Handlebars escapes like any value;
 * none returns a SafeString, so no helper can smuggle markup into a document.
 */
const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 12 → 十二, 23 → 二十三 (up to 99: heading numbers). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}

export const helpers = {
  /** 0-based @index → 1-based numbering. */
  inc: (value: unknown) => (typeof value === 'number' ? value + 1 : value),
  /** Heading numbers: 一、二、… */
  cnNum: (value: unknown) => (typeof value === 'number' ? chineseNumeral(value) : String(value)),
} as const;

/** Built-ins stay (if, unless, each, with); `lookup` and `log` are not used by the templates. */
export const HELPER_NAMES = [...Object.keys(helpers), 'if', 'unless', 'each', 'with'] as const;

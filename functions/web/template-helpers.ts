/**
 * The fixed helper set of the page templates (compiled with knownHelpersOnly: any other helper fails
 * the build). Helpers return plain values, which Handlebars escapes; none returns a SafeString, so no
 * helper can put markup from data into a page.
 */
export const pageHelpers = {
  /** `{{#if (eq a b)}}`: strict equality, for the current tab or a selected option. */
  eq: (a: unknown, b: unknown) => a === b,
  /** 0-based @index → 1-based numbering. */
  inc: (value: unknown) => (typeof value === 'number' ? value + 1 : value),
  /** `{{#if (or a b)}}`: either value truthy (the last argument is Handlebars' options object). */
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  /** `{{#if (and a b)}}` */
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
} as const;

export const PAGE_HELPER_NAMES = [...Object.keys(pageHelpers), 'if', 'unless', 'each', 'with'] as const;

/**
 * The accountability rules engine: pure functions over a rule set and dated facts (no I/O, no clock).
 * Storage reads the week's facts and passes them in; documents render from the WeeklyEvaluation.
 */
export * from './calendar.ts';
export * from './circle.ts';
export * from './colors.ts';
export * from './effectiveness.ts';
export * from './evaluation.ts';
export * from './facts.ts';
export * from './rule-set.ts';
export * from './terms.ts';
export * from './tiers.ts';
export * from './training-rules.ts';
export * from './visit-rules.ts';

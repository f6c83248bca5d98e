/** One problem with one input field, in the API's error shape (`error.fields[]`). */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `tiers.reminderTalk.min`. */
  path: string;
  /** Stable code for programs. */
  code: string;
  /** Chinese, for people. */
  message: string;
}

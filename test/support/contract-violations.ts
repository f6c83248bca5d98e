/**
 * Answers that broke the API's declared contract where no test sees the throw: the pages' and the
 * worker's in-process calls (test/support/response-contract.ts). contract-setup.ts fails the test that
 * made them.
 */
export const contractViolations: Error[] = [];

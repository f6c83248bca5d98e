/**
 * Where a task's files live in the document store (DATA_DIR/documents locally, the documents bucket
 * on AWS): the upload under `imports/<taskId>/` (written by the pages' function), what the worker
 * makes (an export, or an import's problem list) under `exports/<taskId>/`.
 */
export const importKey = (taskId: string, name: string) => `imports/${taskId}/${name}`;
export const exportKey = (taskId: string, name: string) => `exports/${taskId}/${name}`;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

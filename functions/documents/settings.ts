/**
 * Who issues the documents and how they are numbered. The words are the county's to change (env
 * overrides for a deployment); the numbering follows GB/T 9704: a series prefix per kind, the year in
 * 六角括号, a per-year sequence (formatDocumentNumber).
 */
export interface DocumentSettings {
  /** 发文机关 (signature and issuer). */
  issuer: string;
  /** 发文机关标志, printed red at the top of a 文件-style document. */
  mark: string;
  /** The bulletin's masthead name (简报名称). */
  bulletinName: string;
  /** 印发机关 in the record block. */
  printer: string;
  /** 主送机关 of the bulletin and notices of criticism. */
  recipients: string;
  /** 抄送 line. */
  cc: string;
  talkPlace: string;
  /** The post title in appointment letters: "X村{chiefPost}". */
  chiefPost: string;
}

export function documentSettings(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const issuer = env.DOCUMENT_ISSUER || '县脱贫攻坚指挥部';
  return {
    issuer,
    mark: env.DOCUMENT_MARK || `${issuer}文件`,
    bulletinName: env.BULLETIN_NAME || '干部包村工作督查周通报',
    printer: env.DOCUMENT_PRINTER || `${issuer}办公室`,
    recipients: env.DOCUMENT_RECIPIENTS || '各乡镇党委、政府，县直各有关单位',
    cc: env.DOCUMENT_CC || '县委办公室，县政府办公室，县委组织部，县纪委监委',
    talkPlace: env.TALK_PLACE || `${issuer}会议室`,
    chiefPost: env.CHIEF_POST || '脱贫攻坚总队长',
  };
}

/** Number series per kind (counter key and printed prefix). */
export const NUMBER_SERIES = {
  bulletin: { key: 'bulletin', prefix: '' },
  talkNotice: { key: 'notice-talk', prefix: '指谈' },
  rectificationNotice: { key: 'notice-rectify', prefix: '指改' },
  criticismNotice: { key: 'notice-criticism', prefix: '指通' },
  appointmentLetter: { key: 'appointment', prefix: '指任' },
  /** A talk record carries the number of the notice it follows (this series is never drawn). */
  talkRecord: { key: 'talk-record', prefix: '指谈记' },
  commendationNotice: { key: 'notice-commend', prefix: '指表' },
} as const;

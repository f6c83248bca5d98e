/**
 * Who issues the documents and how they are numbered. The issuer (county, issuing body, 机关代字, cc,
 * signer's title, the rules document's name) is data HQ edits (GET/PUT /settings/issuer, jobs/issuer.ts);
 * the environment variables below are read only as its first defaults, so a deployment that set them
 * keeps its wording until HQ saves. The numbering follows GB/T 9704: the 机关代字 and a suffix per kind,
 * the year in 六角括号, a per-year sequence (formatDocumentNumber): 青脱指谈〔2026〕4号.
 */
export interface IssuerSettings {
  /** 县名 (青岚县). */
  countyName: string;
  /** 发文机关全称: signature, masthead, email bodies and sender name. */
  issuingBody: string;
  /** 机关代字, before every document number's kind suffix. */
  agencyCode: string;
  /** 抄送 line. */
  cc: string;
  /** 签发人职务, printed in the signature block. */
  signerTitle: string;
  /** The rules document cited (根据《…》第X条), without 书名号. */
  rulesDocumentName: string;
}

export interface DocumentSettings {
  /** 发文机关 (signature and issuer): the issuing body, one name everywhere. */
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
  countyName: string;
  agencyCode: string;
  signerTitle: string;
  rulesDocumentName: string;
}

/** The issuer before HQ first saves it: the deployment's environment, else the product's words. */
export function issuerDefaults(env: NodeJS.ProcessEnv = process.env): IssuerSettings {
  return {
    countyName: env.COUNTY_NAME || '本县',
    issuingBody: env.DOCUMENT_ISSUER || '县脱贫攻坚指挥部',
    // "指" keeps the numbers of a deployment that never set one exactly as before (指谈〔2026〕4号).
    agencyCode: env.DOCUMENT_AGENCY_CODE || '指',
    cc: env.DOCUMENT_CC || '县委办公室，县政府办公室，县委组织部，县纪委监委',
    signerTitle: env.DOCUMENT_SIGNER_TITLE || '指挥长',
    rulesDocumentName: env.RULES_DOCUMENT_NAME || '干部包村工作督查问责办法',
  };
}

export function documentSettings(
  env: NodeJS.ProcessEnv = process.env,
  issuerSettings: IssuerSettings = issuerDefaults(env),
): DocumentSettings {
  const issuer = issuerSettings.issuingBody;
  return {
    issuer,
    mark: env.DOCUMENT_MARK || `${issuer}文件`,
    bulletinName: env.BULLETIN_NAME || '干部包村工作督查周通报',
    printer: env.DOCUMENT_PRINTER || `${issuer}办公室`,
    recipients: env.DOCUMENT_RECIPIENTS || '各乡镇党委、政府，县直各有关单位',
    cc: issuerSettings.cc,
    talkPlace: env.TALK_PLACE || `${issuer}会议室`,
    chiefPost: env.CHIEF_POST || '脱贫攻坚总队长',
    countyName: issuerSettings.countyName,
    agencyCode: issuerSettings.agencyCode,
    signerTitle: issuerSettings.signerTitle,
    rulesDocumentName: issuerSettings.rulesDocumentName,
  };
}

/**
 * Number series per kind: counter key and the suffix printed after the 机关代字 (documentPrefix in
 * core/document-number.ts). The bulletin is numbered by issue instead (2026年第12期).
 */
export const NUMBER_SERIES = {
  bulletin: { key: 'bulletin', suffix: '' },
  talkNotice: { key: 'notice-talk', suffix: '谈' },
  rectificationNotice: { key: 'notice-rectify', suffix: '改' },
  criticismNotice: { key: 'notice-criticism', suffix: '通' },
  appointmentLetter: { key: 'appointment', suffix: '任' },
  /** A talk record carries the number of the notice it follows (this series is never drawn). */
  talkRecord: { key: 'talk-record', suffix: '谈记' },
  commendationNotice: { key: 'notice-commend', suffix: '表' },
  assessmentNotice: { key: 'notice-assess', suffix: '考' },
} as const;

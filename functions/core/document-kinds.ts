/**
 * The kinds of official document Baocun prints, with the names people read. Kept in the core so the
 * wire schemas, the document store and the renderer share one list without the schemas importing the
 * renderer.
 */
export const DOCUMENT_KINDS = [
  'bulletin',
  'talkNotice',
  'rectificationNotice',
  'criticismNotice',
  'appointmentLetter',
  'talkRecord',
  'commendationNotice',
  'assessmentNotice',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  bulletin: '周通报',
  talkNotice: '谈话通知书',
  rectificationNotice: '整改通知书',
  criticismNotice: '通报批评',
  appointmentLetter: '任命书',
  talkRecord: '谈话记录',
  commendationNotice: '通报表扬',
  assessmentNotice: '考核结果通报',
};

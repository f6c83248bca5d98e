/**
 * The 考核结果通报 of a finished period: numbered in the county's series (机关代字 + 考), stored as HTML
 * now and printed as PDF apart (print-hand-off.ts), like the talk documents. One notice per period:
 * its id derives from the period, so a retry (or a second click) answers the same notice.
 */
import type { NoticeRecord } from '../adapters/dynamo/notices.ts';
import type { AssessmentScheme } from '../core/assessment.ts';
import type { Assessment } from '../core/assessment-facts.ts';
import { derivedId } from '../core/ids.ts';
import { beijingDate } from '../core/time.ts';
import { assessmentNoticeView } from '../documents/assessment-notice.ts';
import { currentDocumentSettings } from './issuer.ts';
import { fileName, issueDocument } from './render-week-documents.ts';

export async function issueAssessmentNotice(
  assessment: Assessment,
  periodLabel: string,
  scheme: Pick<AssessmentScheme, 'version' | 'binding'>,
  now: Date,
): Promise<NoticeRecord> {
  const settings = await currentDocumentSettings();
  return issueDocument(
    {
      id: derivedId('notice', 'assessmentNotice', assessment.period),
      kind: 'assessmentNotice',
      subjectId: assessment.period,
      title: `${periodLabel}干部包村工作考核结果通报`,
      fileName: fileName('考核结果通报', periodLabel),
      folder: `assessments/${assessment.period}`,
      view: (number) =>
        assessmentNoticeView(
          { assessment, periodLabel, scheme },
          { settings, issue: { number, issuedOn: beijingDate(now) } },
        ),
    },
    { now, pdf: null },
  );
}

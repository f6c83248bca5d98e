import { type AssessmentScheme, EXIT_GRADE_LABELS } from '../core/assessment.ts';
import type { Assessment } from '../core/assessment-facts.ts';
import { chineseDate } from '../core/time.ts';
import type { DocumentSettings } from './settings.ts';

/**
 * 考核结果通报: a period's scorecards as a GB/T 9704 notice (templates/documents/assessment-notice.hbs
 * holds the wording). Plain data only: names, ranks, scores, dates in Chinese.
 */
export interface AssessmentNoticeInput {
  assessment: Assessment;
  periodLabel: string;
  scheme: Pick<AssessmentScheme, 'version' | 'binding'>;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
/** How many cadres the notice names at the top and at the bottom. */
const NAMED = 10;

export function assessmentNoticeView(
  input: AssessmentNoticeInput,
  options: { settings: DocumentSettings; issue: { number: string; issuedOn: string } },
) {
  const { assessment: a, periodLabel } = input;
  const { settings, issue } = options;
  const mean = a.villages.length ? a.villages.reduce((s, v) => s + v.score, 0) / a.villages.length : 0;
  const bottom = a.cadres.length > NAMED * 2 ? a.cadres.slice(-Math.min(5, a.cadres.length - NAMED)) : [];
  return {
    documentTitle: `关于${periodLabel}干部包村工作考核结果的通报`,
    header: { mark: settings.mark, number: issue.number },
    periodLabel,
    from: chineseDate(a.from),
    to: chineseDate(a.to),
    issuer: settings.issuer,
    recipients: settings.recipients,
    rulesDocumentName: settings.rulesDocumentName,
    schemeVersion: input.scheme.version,
    chiefShare: percent(input.scheme.binding.chief),
    memberShare: percent(input.scheme.binding.member),
    villageCount: a.villages.length,
    villageMean: Math.round(mean * 10) / 10,
    villages: a.villages.map((v) => ({
      rank: v.rank,
      name: v.name,
      township: v.townshipName ?? '',
      score: v.score,
      exitAssessment: v.results?.exitAssessment ? EXIT_GRADE_LABELS[v.results.exitAssessment] : '—',
      satisfaction: v.results?.satisfaction ?? '—',
    })),
    units: a.units.map((u) => ({
      rank: u.rank,
      name: u.name,
      villageCount: u.villageIds.length,
      score: u.score,
    })),
    topCadres: a.cadres.slice(0, NAMED).map((c) => ({
      rank: c.rank,
      name: c.name,
      unit: c.unitName ?? '',
      role: c.role === 'chief' ? '总队长' : '队员',
      score: c.score,
    })),
    bottomCadres: bottom.map((c) => `${c.name}（${c.score}分）`).join('、'),
    signature: {
      issuer: settings.issuer,
      signerTitle: settings.signerTitle,
      date: chineseDate(issue.issuedOn),
    },
    record: { cc: settings.cc, printer: settings.printer, printedOn: chineseDate(issue.issuedOn) },
  };
}

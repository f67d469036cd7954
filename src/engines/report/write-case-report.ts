import { writeFileAtomic } from '../../formats/atomic-write.js';
import { buildCaseReport, type CaseReport, type CaseReportRequest } from './case-report.js';
import { renderCaseReportHtml } from './case-report-page.js';
import { printPdf } from './print-pdf.js';

/**
 * `dicentra report`: the case's numbers, the HTML report (atomic), then, if
 * asked, the same page printed to PDF by Chromium (atomic).
 */
export async function writeCaseReport(
  request: CaseReportRequest & { readonly out: string; readonly pdf?: string },
): Promise<CaseReport> {
  const report = await buildCaseReport(request);
  const html = await renderCaseReportHtml(report);
  await writeFileAtomic(request.out, html);
  if (request.pdf) await printPdf(html, request.pdf);
  return report;
}

import type { Interval } from '../../cores/dosimetry/dose-estimate.js';
import { generaliseCurve } from '../../cores/dosimetry/calibration-curve.js';
import { U_TEST_CRITICAL } from '../../cores/dosimetry/aberration-table.js';
import type { DoseGroup } from '../../formats/count-table.js';
import { renderCalibrationFigure } from '../dosimetry/calibration-figure.js';
import { calibrationCurveOf } from '../dosimetry/curve-record.js';
import { renderHtmlReport, type Report, type ReportSection } from '../figures/html-report.js';
import type { CaseReport } from './case-report.js';

export const NOT_RECORDED = 'not recorded';

const fixed = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const interval = (value: Interval, digits = 3): string =>
  `${fixed(value.estimate, digits)} [${fixed(value.lower, digits)}, ${fixed(value.upper, digits)}]`;
/** Three significant digits, as the reference prints dispersion indices and u. */
const significant = (value: number | null): string =>
  value === null || Number.isNaN(value) ? '—' : value.toPrecision(3);
const orNot = (value: string | undefined): string => value ?? NOT_RECORDED;

function methodText(report: CaseReport): string {
  const m = report.method;
  return m.kind === 'merkle'
    ? `Merkle, whole body, acute exposure: exact Poisson yield limits (${Math.round(m.confYield * 100)}%) projected on the curve's simultaneous band (${Math.round(m.confCurve * 100)}%)`
    : `delta method, whole body, acute exposure (${Math.round(m.conf * 100)}%)`;
}

/** What the dose interval accounts for, and what it does not. */
function intervalCarries(report: CaseReport): string {
  const counting =
    report.method.kind === 'merkle'
      ? 'counting (exact Poisson limits on the dicentrics, widened for over-dispersion when DI ≥ 1)'
      : 'counting (the standard error of the yield)';
  return (
    `The interval carries ${counting} and the calibration curve (its coefficients' covariance). ` +
    'It does not carry the detector’s uncertainty (the spread over the calibration’s sub-ensembles, ' +
    'which `dicentra dose --model --images` adds when the images are at hand).'
  );
}

function section(
  id: string,
  heading: string,
  content: Omit<ReportSection, 'id' | 'heading'>,
): ReportSection {
  return { id, heading, ...content };
}

/** The case report as one self-contained HTML page (inline CSS and SVG, no script, no URL). */
export async function renderCaseReportHtml(report: CaseReport): Promise<string> {
  const { metadata, scoring, dose, limits, curve } = report;
  const irradiation = curve.irradiation;
  const table = dose.table;
  const estimate = dose.estimate as { yield: Interval; dose: Interval };
  const u = table.u;
  const uVerdict =
    u === null || Number.isNaN(u)
      ? 'not applicable (no dicentric)'
      : Math.abs(u) > U_TEST_CRITICAL
        ? `|u| > ${U_TEST_CRITICAL}: ${u > 0 ? 'over' : 'under'}-dispersed (a partial-body or heterogeneous exposure is possible)`
        : `|u| ≤ ${U_TEST_CRITICAL}: compatible with a Poisson distribution (whole-body exposure)`;
  const width = scoring.distribution.length;
  const groups: DoseGroup[] = curve.countTable.rows.map((row) => ({ ...row }));
  const figure = await renderCalibrationFigure({
    curve: calibrationCurveOf(curve),
    groups,
    subCurves: (curve.detector?.subEnsembles.curves ?? []).map((sub) =>
      generaliseCurve(sub.estimates, sub.varCov),
    ),
    reference: null,
    title: `Calibration curve (${curve.countTable.rows.length} doses)`,
  });
  const lt = limits.atCells;
  const belowStatement = limits.belowDecisionThreshold
    ? `RESULT BELOW THE DECISION THRESHOLD: ${table.aberrations} dicentric(s) in ${table.cells} cells does not exceed the decision threshold y_d = ${lt.decisionThreshold}; the case cannot be distinguished from the laboratory's background (α = ${limits.alpha}). The dose is reported as below the minimum resolvable dose of ${fixed(lt.minimumResolvableDose)} Gy.`
    : `The number of dicentrics (${table.aberrations}) is above the decision threshold y_d = ${lt.decisionThreshold ?? '—'} for ${table.cells} cells.`;
  const coefficientRows = curve.coefficients.map((c) => [
    c.name === 'alpha' ? 'α (Gy⁻¹)' : c.name === 'beta' ? 'β (Gy⁻²)' : 'C',
    c.estimate.toExponential(4),
    c.stdError.toExponential(4),
    fixed(c.pValue, 4),
  ]);
  const sections: ReportSection[] = [
    section('case', 'Case', {
      tables: [
        {
          caption: 'Identification and dates',
          header: ['field', 'value'],
          rows: [
            ['Case id (coded)', orNot(metadata.caseId)],
            ['Sample id (coded)', orNot(metadata.sampleId)],
            ['Laboratory', orNot(metadata.laboratory)],
            ['Sampling date', orNot(metadata.samplingDate)],
            ['Irradiation date', metadata.irradiationDate ?? 'not known'],
            ['Analysis date', orNot(metadata.analysisDate)],
            ['Report date', report.createdAt.slice(0, 10)],
            ...(metadata.notes ? [['Notes', metadata.notes]] : []),
          ],
        },
      ],
    }),
    section('scoring', 'Scoring', {
      paragraphs: [
        scoring.reviewed
          ? 'Detections reviewed: yes — the counts were reviewed by a person before this report.'
          : 'Detections reviewed: no — the counts are the automated detector’s, not reviewed by a person.',
        scoring.rule
          ? `Counting rule: ${scoring.rule.aberration}s scored${scoring.rule.requireClass ? ` only in cells with a ${scoring.rule.requireClass}` : ' in every cell'} (${scoring.ruleFrom === 'detections' ? 'the calibration’s rule' : 'the default rule'}); one image is one metaphase.`
          : `Counts from ${report.files.counts} (a count table).`,
      ],
      tables: [
        {
          caption: 'Cells and aberrations',
          header: ['quantity', 'value'],
          rows: [
            ['Cells scored', table.cells],
            ['Cells excluded (not analysable)', scoring.cellsExcluded ?? NOT_RECORDED],
            ['Dicentrics', table.aberrations],
            ['Fragments (acentric)', scoring.fragments ?? NOT_RECORDED],
            ['Yield (dicentrics per cell)', fixed(table.mean, 4)],
            ['Dispersion index σ²/ȳ', significant(table.dispersionIndex)],
            ['u-test', `u = ${significant(u)}; ${uVerdict}`],
          ],
        },
        {
          caption: 'Distribution of dicentrics per cell',
          header: Array.from({ length: width }, (_, k) => `C${k}`),
          rows: [scoring.distribution.map(String)],
        },
      ],
    }),
    section('curve', 'Calibration curve', {
      paragraphs: [
        `Y = C + αD${curve.model === 'lq' ? ' + βD²' : ''}, fitted by ${curve.method === 'glm' ? 'Poisson maximum likelihood (IRLS)' : 'constrained maximum likelihood'}, ${curve.family === 'poisson' ? 'Poisson' : `quasi-Poisson (φ = ${fixed(curve.dispersion, 3)})`} family, from ${curve.countTable.rows.reduce((s, r) => s + r.cells, 0)} cells at ${curve.countTable.rows.length} doses.`,
        `Curve file: ${report.files.curve} (sha256 ${report.files.curveSha256}).`,
      ],
      tables: [
        {
          caption: 'Coefficients',
          header: ['coefficient', 'estimate', 'standard error', 'p-value'],
          rows: coefficientRows,
        },
        {
          caption: 'Source and irradiation conditions of the calibration',
          header: ['field', 'value'],
          rows: [
            ['Source of the calibration', irradiation?.source ?? NOT_RECORDED],
            ['Radiation quality', irradiation?.radiationQuality ?? NOT_RECORDED],
            [
              'Dose rate',
              irradiation?.doseRateGyPerMin === undefined
                ? NOT_RECORDED
                : `${irradiation.doseRateGyPerMin} Gy/min`,
            ],
            [
              'Irradiation temperature',
              irradiation?.temperatureC === undefined
                ? NOT_RECORDED
                : `${irradiation.temperatureC} °C`,
            ],
            ['Irradiation conditions', irradiation?.conditions ?? NOT_RECORDED],
            ['Dosimetry of the calibration', irradiation?.dosimetry ?? NOT_RECORDED],
            ['Calibration irradiated', irradiation?.irradiationDate ?? NOT_RECORDED],
            ['Doses (Gy)', curve.countTable.rows.map((r) => r.doseGy).join(', ')],
            [
              'Scoring of the calibration',
              curve.detector
                ? `automated, bundle sha256 ${curve.detector.bundle.sha256}`
                : NOT_RECORDED,
            ],
            ['Fitted', curve.provenance?.createdAt ?? NOT_RECORDED],
          ],
        },
      ],
      figures: [
        { caption: 'Dose–effect curve with its 95% band and the calibration yields', svg: figure },
      ],
    }),
    section('dose', 'Dose estimate', {
      paragraphs: [`Method: ${methodText(report)}.`, intervalCarries(report)],
      tables: [
        {
          caption: 'Estimate',
          header: ['quantity', 'estimate [lower, upper]'],
          rows: [
            ['Yield (dicentrics per cell)', interval(estimate.yield, 4)],
            ['Dose (Gy)', interval(estimate.dose)],
            [
              'Triage category (ISO 21243)',
              `${report.triage.category}${report.triage.resolved ? '' : ' (the interval spans a category threshold)'}`,
            ],
          ],
        },
      ],
    }),
    section('limits', 'Decision threshold and detection limit', {
      paragraphs: [
        `Background: ${limits.background.kind === 'control' ? `${limits.background.aberrations} dicentrics in ${limits.background.cells} cells` : `${fixed(limits.rate, 5)} per cell`} (${limits.backgroundFrom === 'option' ? 'given for this report' : limits.backgroundFrom === 'curve-control' ? 'the 0-Gy point of the calibration' : 'the curve’s intercept C'}); exact Poisson test, α = ${limits.alpha}, β = ${limits.beta} (ISO 19238).`,
        belowStatement,
      ],
      tables: [
        {
          caption: `Characteristic limits for ${table.cells} cells`,
          header: ['quantity', 'value'],
          rows: [
            ['Decision threshold y_d (dicentrics)', lt.decisionThreshold ?? '—'],
            ['Detection limit y_z (dicentrics)', fixed(lt.detectionLimit)],
            ['Minimum resolvable dose (Gy)', fixed(lt.minimumResolvableDose)],
            ['Dose at the detection limit (Gy)', fixed(lt.doseAtDetectionLimit)],
            ['Case against background: p-value', fixed(limits.test.pValue, 4)],
          ],
        },
      ],
    }),
    section('software', 'Software and model', {
      tables: [
        {
          caption: 'Provenance',
          header: ['item', 'value'],
          rows: [
            ['Software', `dicentra ${report.toolVersion}`],
            ['Model bundle', report.model ? report.model.name : NOT_RECORDED],
            ['Model bundle sha256', report.model ? report.model.sha256 : NOT_RECORDED],
            [
              'Members (epochs)',
              report.model ? report.model.memberEpochs.join(', ') : NOT_RECORDED,
            ],
            ['Detections', report.files.detections ?? NOT_RECORDED],
          ],
        },
      ],
    }),
    section('signatures', 'Signatures', {
      tables: [
        {
          caption: 'Scored, reviewed and authorised by',
          header: ['role', 'name', 'signature', 'date'],
          rows: [
            ['Scorer', '', '', ''],
            ['Reviewer', '', '', ''],
            ['Authorised by', '', '', ''],
          ],
        },
      ],
    }),
  ];
  const page: Report = {
    title: `Biological dosimetry report — case ${orNot(metadata.caseId)}`,
    subtitle: `Dicentric assay (ISO 19238; triage ISO 21243) · ${orNot(metadata.laboratory)}`,
    sections,
    footer: `dicentra ${report.toolVersion} · ${report.createdAt}`,
  };
  return renderHtmlReport(page);
}

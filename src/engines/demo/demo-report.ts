import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { CurveFile } from '../../formats/curve.js';
import type { Detections } from '../../formats/detections.js';
import type { Truth } from '../../formats/truth.js';
import { renderVegaLiteSvg } from '../figures/render-plot.js';
import { formatDuration } from '../../cores/format-duration.js';
import { drawDetections } from '../../imaging/detection-overlay.js';
import type { Report, ReportFigure, ReportSection } from '../figures/html-report.js';
import type { DemoPlan } from './demo-plan.js';

/** A case of the dose result from images (`dicentra dose --images --out`): the fields the report uses. */
export interface DoseCase {
  readonly id: string;
  readonly table: { readonly cells: number; readonly aberrations: number; readonly mean: number };
  readonly statisticalDose: Interval;
  readonly detector: { readonly sd: number; readonly count: number };
  readonly dose: Interval;
}

type Interval = { readonly estimate: number; readonly lower: number; readonly upper: number };

export interface DemoOutputs {
  readonly plan: DemoPlan;
  readonly ensembleOrigin: string;
  readonly bundlePath: string;
  readonly curve: CurveFile;
  readonly calibrationFigureSvg: string;
  readonly calibrationTruth: Truth;
  readonly personsTruth: Truth;
  readonly doseCases: readonly DoseCase[];
  readonly detections: Detections;
  readonly detectionsDir: string;
  readonly testTruth: Truth;
  readonly evaluationDir: string;
  readonly seconds: number;
  readonly reusedSteps: readonly string[];
}

const gy = (value: number) => value.toFixed(2);

function trueDoseOf(caseId: string, truth: Truth): number {
  const image = truth.images.find((i) => i.sampleId === caseId);
  if (!image) throw new RangeError(`no person "${caseId}" in the persons' truth`);
  return image.doseGy;
}

async function doseFigure(cases: readonly DoseCase[], persons: Truth): Promise<string> {
  const values = cases.map((c) => ({
    person: c.id,
    trueDose: trueDoseOf(c.id, persons),
    estimate: c.dose.estimate,
    lower: c.dose.lower,
    upper: c.dose.upper,
  }));
  const top = Math.max(4, ...values.map((v) => v.upper)) * 1.05;
  const spec: TopLevelSpec = {
    title: 'Estimated dose (95% interval) against the true dose',
    width: 360,
    height: 300,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: top, y: top },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: 'true dose (Gy)',
            scale: { domain: [0, top] },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: 'estimated dose (Gy)',
            scale: { domain: [0, top] },
          },
        },
      },
      {
        data: { values },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'trueDose', type: 'quantitative' },
          y: { field: 'lower', type: 'quantitative' },
          y2: { field: 'upper' },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'trueDose', type: 'quantitative' },
          y: { field: 'estimate', type: 'quantitative' },
          color: { field: 'person', type: 'nominal' },
        },
      },
    ],
  };
  return renderVegaLiteSvg(spec);
}

/** Example test images with the most true aberrations, drawn with their detections. */
async function exampleFigures(outputs: DemoOutputs): Promise<ReportFigure[]> {
  const truthById = new Map(outputs.testTruth.images.map((image) => [image.id, image]));
  const ranked = [...outputs.detections.images]
    .map((image) => ({ image, truth: truthById.get(image.id)! }))
    .filter((entry) => entry.truth !== undefined)
    .sort(
      (a, b) =>
        b.truth.counts.dicentric +
        b.truth.counts.fragment -
        (a.truth.counts.dicentric + a.truth.counts.fragment),
    )
    .slice(0, outputs.plan.exampleImages);
  return Promise.all(
    ranked.map(async ({ image, truth }) => {
      const points: Record<string, [number, number][]> = { dicentric: [], fragment: [] };
      for (const object of truth.objects) {
        if (
          'points' in object &&
          (object.type === 'dicentric' ||
            object.type === 'tricentric' ||
            object.type === 'fragment')
        ) {
          const key = object.type === 'fragment' ? 'fragment' : 'dicentric';
          points[key]!.push(...(object.points as [number, number][]));
        }
      }
      const png = await drawDetections(join(outputs.detectionsDir, image.path), image, {
        classes: outputs.detections.classes,
        truth: points,
      });
      const found = outputs.detections.classes
        .map((name) => `${image.counts[name] ?? 0} ${name}`)
        .join(', ');
      return {
        caption: `${image.id}: detected ${found}; true ${truth.counts.dicentric} dicentric, ${truth.counts.fragment} fragment (crosses)`,
        png,
      };
    }),
  );
}

function calibrationRows(outputs: DemoOutputs): (string | number)[][] {
  const trueByDose = new Map<number, number>();
  for (const image of outputs.calibrationTruth.images) {
    trueByDose.set(image.doseGy, (trueByDose.get(image.doseGy) ?? 0) + image.counts.dicentric);
  }
  const [c, alpha, beta] = outputs.plan.trueCurve;
  return outputs.curve.countTable.rows.map((row) => [
    gy(row.doseGy),
    row.cells,
    row.aberrations,
    (row.aberrations / row.cells).toFixed(3),
    trueByDose.get(row.doseGy) ?? 0,
    ((trueByDose.get(row.doseGy) ?? 0) / row.cells).toFixed(3),
    (c + alpha * row.doseGy + beta * row.doseGy ** 2).toFixed(3),
  ]);
}

export async function buildDemoReport(outputs: DemoOutputs): Promise<Report> {
  const { curve, plan } = outputs;
  const coefficient = (name: string) => curve.coefficients.find((c) => c.name === name);
  const fitted = ['C', 'alpha', 'beta'].map((name, i) => {
    const c = coefficient(name);
    return [
      name === 'alpha' ? 'α' : name === 'beta' ? 'β' : 'C',
      c ? `${c.estimate.toFixed(4)} ± ${c.stdError.toFixed(4)}` : '—',
      plan.trueCurve[i]!.toFixed(4),
    ];
  });
  const doseRows = outputs.doseCases.map((c) => {
    const truth = trueDoseOf(c.id, outputs.personsTruth);
    const covered = truth >= c.dose.lower && truth <= c.dose.upper;
    return [
      c.id,
      gy(truth),
      c.table.cells,
      c.table.aberrations,
      c.table.mean.toFixed(3),
      `${gy(c.dose.estimate)} [${gy(c.dose.lower)}, ${gy(c.dose.upper)}]`,
      `[${gy(c.statisticalDose.lower)}, ${gy(c.statisticalDose.upper)}]`,
      c.detector.sd.toFixed(3),
      covered ? 'yes' : 'no',
    ];
  });
  const evaluationSvg = (name: string) => readFile(join(outputs.evaluationDir, name), 'utf8');
  const sections: ReportSection[] = [
    {
      id: 'doses',
      heading: 'Dose estimates of the simulated persons',
      paragraphs: [
        `Each person is ${plan.personCells} synthetic metaphases at a known whole-body dose. Dicentrics are counted by the ensemble with the calibration's counting rule; the dose is ${plan.doseMethod === 'merkle' ? "Merkle's 83%–83% interval" : "the delta method's 95% interval"} widened by the detector's spread over sub-ensembles (docs/dosimetry.md).`,
      ],
      tables: [
        {
          caption: 'Dose estimates',
          header: [
            'person',
            'true dose (Gy)',
            'cells',
            'dicentrics',
            'yield',
            'dose (Gy) [95%]',
            'counting + curve only',
            'detector sd (Gy)',
            'true dose inside',
          ],
          rows: doseRows,
        },
      ],
      figures: [
        {
          caption: 'Estimates with their 95% intervals; the dashed line is estimate = truth.',
          svg: await doseFigure(outputs.doseCases, outputs.personsTruth),
        },
      ],
    },
    {
      id: 'calibration',
      heading: 'Calibration curve from automated counts',
      paragraphs: [
        `${plan.calibrationCells} synthetic cells at each of ${plan.calibrationDoses.length} doses, counted by the ensemble and fitted by Poisson maximum likelihood (family chosen automatically: ${curve.family}).`,
      ],
      tables: [
        {
          caption: 'Fitted coefficients against the generator’s true curve',
          header: ['coefficient', 'fitted ± SE', 'true'],
          rows: fitted,
        },
        {
          caption: 'Counts per dose: automated (as fitted) and true',
          header: [
            'dose (Gy)',
            'cells',
            'automated dicentrics',
            'automated yield',
            'true dicentrics',
            'true yield',
            'true curve',
          ],
          rows: calibrationRows(outputs),
        },
      ],
      figures: [
        {
          caption:
            'Automated calibration curve with its band against the true curve (paper Fig. 10 style).',
          svg: outputs.calibrationFigureSvg,
        },
      ],
    },
    {
      id: 'detection',
      heading: 'Detection quality on labelled benchmark images',
      paragraphs: [
        `${plan.testImages} labelled synthetic images, counted the paper's way (Fig. 2).`,
      ],
      preformatted: [await readFile(join(outputs.evaluationDir, 'tables.md'), 'utf8')],
      figures: [
        {
          caption: 'Precision and recall against T_C with the q5–q95 band (paper Fig. 3).',
          svg: await evaluationSvg('pr-vs-tc.svg'),
        },
        {
          caption: 'Precision by vote fraction: does agreement predict correctness?',
          svg: await evaluationSvg('reliability.svg'),
        },
      ],
    },
    {
      id: 'examples',
      heading: 'Example detections',
      paragraphs: [
        `Circles: detections of the ${outputs.detections.bundle.memberEpochs.length}-member ensemble at T_C ${outputs.detections.thresholds.dicentric?.tc ?? '—'}, T_A ${outputs.detections.thresholds.dicentric?.ta ?? '—'} (orange dicentric, blue fragment), opaque when every member agreed and faint when few did. Crosses: the true positions.`,
      ],
      figures: await exampleFigures(outputs),
    },
  ];
  return {
    title: 'dicentra demo: from synthetic metaphases to a dose',
    subtitle: `${outputs.ensembleOrigin}. Plan "${plan.name}": ${plan.size} frames; seeds ${plan.seeds.test} (test), ${plan.seeds.calibration} (calibration), ${plan.seeds.persons} (persons).`,
    sections,
    footer: `Made in ${formatDuration(outputs.seconds)}${outputs.reusedSteps.length > 0 ? `, reusing ${outputs.reusedSteps.join(', ')} from an earlier run` : ''}. Bundle: ${outputs.bundlePath}. Synthetic data only; no real patient.`,
  };
}

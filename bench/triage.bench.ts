/**
 * Triage by simulation (docs/triage.md): persons with true doses uniform in
 * 0–5 Gy, cells with exact Poisson dicentric counts at the curve's yield. For
 * each person the sequential rule (stop when the anytime-valid dose interval
 * lies in one category, or at 50 cells or 30 dicentrics) against the fixed rule
 * of ISO 21243 (50 cells or 30 dicentrics, the category of the estimate), and
 * a naive sequential rule that looks at an ordinary 95% interval after every
 * cell (what repeated looks do to an interval not built for them).
 *
 *   npm run bench -- triage [--persons 20000] [--seed 1] [--alpha 0.05]
 *
 * Two curves: the reference's manual-scoring curve (Barquinero 1995, as Biodose
 * Tools fits it), and the automated curve of the shipped demo ensemble
 * (docs/dosimetry.md, "Ensemble on images": C 0.086, α −0.037, β 0.028): its
 * counts carry the detector's false positives and missed dicentrics, and a
 * case scored by the ensemble is Poisson at that curve's yield.
 */
import { parseArgs } from 'node:util';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { yieldAtDose, type CalibrationCurve } from '../src/cores/dosimetry/calibration-curve.js';
import { exactPoissonLimits } from '../src/cores/dosimetry/whole-body-merkle.js';
import { CurveInversion } from '../src/cores/triage/curve-inversion.js';
import {
  DEFAULT_TRIAGE_RULE,
  TriageScoring,
  categoryOf,
  triagePlan,
  type TriageRule,
} from '../src/cores/triage/triage-rule.js';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    alpha: { type: 'string', default: '0.05' },
  },
});
const persons = Number(values.persons);
const seed = Number(values.seed);
const rule: TriageRule = { ...DEFAULT_TRIAGE_RULE, alpha: Number(values.alpha) };
const fixed: TriageRule = { ...rule, sequential: false };

const curves: { name: string; curve: CalibrationCurve }[] = [
  {
    name: 'manual scoring (Barquinero 1995 fit)',
    curve: {
      coefficients: [0.0012803190139270176, 0.021038724328020023, 0.0630325340436019],
      varCov: [
        [2.2222314035235048e-7, -9.949043810417633e-7, 4.3799444985566825e-7],
        [-9.949043810417633e-7, 2.660101269943239e-5, -1.5104938204460767e-5],
        [4.3799444985566825e-7, -1.5104938204460767e-5, 1.6059139496172697e-5],
      ],
    },
  },
  {
    name: 'shipped demo ensemble (automated curve)',
    curve: {
      coefficients: [0.086, -0.037, 0.028],
      varCov: [
        [0.019 ** 2, 0, 0],
        [0, 0.034 ** 2, 0],
        [0, 0, 0.01 ** 2],
      ],
    },
  },
];

interface Tally {
  wrong: number;
  cells: number;
  resolved: number;
  wrongResolved: number;
  missedAnyLook: number;
}
const empty = (): Tally => ({
  wrong: 0,
  cells: 0,
  resolved: 0,
  wrongResolved: 0,
  missedAnyLook: 0,
});

/** The naive rule: stop when an exact-Poisson 95% interval, read on the bare curve, lies in one category. */
function naive(bare: CurveInversion, counts: readonly number[]) {
  let x = 0;
  for (let n = 1; n <= counts.length; n++) {
    x += counts[n - 1]!;
    const [low, high] = exactPoissonLimits(x, 0.95);
    const lower = bare.dose(low / n, 'estimate');
    const upper = bare.dose(high / n, 'estimate');
    const category = categoryOf(lower, rule.thresholds);
    const done = category === categoryOf(upper, rule.thresholds);
    if (done || n >= rule.maxCells || x >= rule.maxAberrations) {
      return {
        cells: n,
        resolved: done,
        category: categoryOf(bare.dose(x / n, 'estimate'), rule.thresholds),
      };
    }
  }
  throw new RangeError('ran out of cells');
}

for (const { name, curve } of curves) {
  const started = Date.now();
  const tallies = { sequential: empty(), fixed: empty(), naive: empty() };
  const plans = { sequential: triagePlan(curve, rule), fixed: triagePlan(curve, fixed) };
  for (let p = 0; p < persons; p++) {
    const random = new SeededRandom(seed, p);
    const dose = random.between(0, 5);
    const truth = categoryOf(dose, rule.thresholds);
    const rate = yieldAtDose(curve, dose);
    const counts = Array.from({ length: rule.maxCells }, () => random.poisson(rate));
    for (const kind of ['sequential', 'fixed'] as const) {
      const scoring = new TriageScoring(plans[kind]);
      let missed = false;
      for (const count of counts) {
        const stopped = scoring.add(count);
        const look = scoring.outcome()!.look;
        if (!(look.dose.lower <= dose && dose <= look.dose.upper)) missed = true;
        if (stopped) break;
      }
      const { look, stop } = scoring.outcome()!;
      const tally = tallies[kind];
      tally.cells += look.cells;
      if (look.category !== truth) tally.wrong++;
      if (stop === 'resolved') {
        tally.resolved++;
        if (look.resolvedCategory !== truth) tally.wrongResolved++;
      }
      if (missed) tally.missedAnyLook++;
    }
    const plain = naive(plans.sequential.estimate, counts);
    tallies.naive.cells += plain.cells;
    if (plain.category !== truth) tallies.naive.wrong++;
    if (plain.resolved) {
      tallies.naive.resolved++;
      if (plain.category !== truth) tallies.naive.wrongResolved++;
    }
  }
  console.log(
    `\n### ${name}: C ${curve.coefficients.join(', ')}; ${persons} persons, U(0, 5) Gy, seed ${seed}, α ${rule.alpha}`,
  );
  console.log(
    '| rule | misclassified | mean cells | stopped resolved | wrong among resolved | interval ever missed the dose |',
  );
  console.log('|---|---|---|---|---|---|');
  const pct = (k: number, n: number) => (n === 0 ? '—' : `${((100 * k) / n).toFixed(2)}%`);
  for (const [kind, label] of [
    ['sequential', 'sequential, anytime-valid interval'],
    ['fixed', 'fixed: 50 cells or 30 dicentrics'],
    ['naive', 'naive: ordinary 95% interval after every cell'],
  ] as const) {
    const t = tallies[kind];
    console.log(
      `| ${label} | ${pct(t.wrong, persons)} | ${(t.cells / persons).toFixed(1)} | ${pct(t.resolved, persons)} | ${pct(t.wrongResolved, t.resolved)} | ${kind === 'naive' ? '—' : pct(t.missedAnyLook, persons)} |`,
    );
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

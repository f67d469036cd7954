/**
 * The triage rule's error-rate guarantee (docs/triage.md), checked on simulated
 * persons with exact Poisson counts: true doses uniform in 0–5 Gy, cells drawn
 * at the curve's yield, the rule looking after every cell. Truth is the dose
 * each person was drawn at, not anything the rule computes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  projectYield,
  yieldAtDose,
  type CalibrationCurve,
} from '../src/cores/dosimetry/calibration-curve.js';
import { exactPoissonLimits } from '../src/cores/dosimetry/whole-body-merkle.js';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { poissonRateConfidenceSequence } from '../src/cores/triage/poisson-confidence-sequence.js';
import { CurveInversion } from '../src/cores/triage/curve-inversion.js';
import {
  DEFAULT_TRIAGE_RULE,
  TriageScoring,
  categoryOf,
  triagePlan,
} from '../src/cores/triage/triage-rule.js';

/** Biodose Tools' fit of the Barquinero 1995 counts (test/fixtures/refs/biodosetools). */
const BARQUINERO: CalibrationCurve = {
  coefficients: [0.0012803190139270176, 0.021038724328020023, 0.0630325340436019],
  varCov: [
    [2.2222314035235048e-7, -9.949043810417633e-7, 4.3799444985566825e-7],
    [-9.949043810417633e-7, 2.660101269943239e-5, -1.5104938204460767e-5],
    [4.3799444985566825e-7, -1.5104938204460767e-5, 1.6059139496172697e-5],
  ],
};
/** The same coefficients known exactly: no band, the whole α goes to the counts. */
const EXACT: CalibrationCurve = {
  coefficients: BARQUINERO.coefficients,
  varCov: [0, 1, 2].map(() => [0, 0, 0]),
};

const PERSONS = 1000;
const ALPHA = 0.05;

function simulate(curve: CalibrationCurve, seed: number) {
  const plan = triagePlan(curve, { ...DEFAULT_TRIAGE_RULE, alpha: ALPHA });
  // projectYield on the exact curve (the inversion is checked against it above)
  const bare = new CurveInversion(curve, { g: 1, confCurve: 0 });
  let everMissed = 0;
  let resolved = 0;
  let wrongResolved = 0;
  let naiveEverMissed = 0;
  for (let p = 0; p < PERSONS; p++) {
    const random = new SeededRandom(seed, p);
    const dose = random.between(0, 5);
    const rate = yieldAtDose(curve, dose);
    const counts = Array.from({ length: 50 }, () => random.poisson(rate));
    // every look of all 50 (Ville's inequality covers them all, not only up to the stop)
    const scoring = new TriageScoring({
      ...plan,
      rule: { ...plan.rule, sequential: false, maxAberrations: Infinity },
    });
    let missed = false;
    let naiveMissed = false;
    let total = 0;
    counts.forEach((count, i) => {
      scoring.add(count);
      const { dose: interval } = scoring.outcome()!.look;
      if (!(interval.lower <= dose && dose <= interval.upper)) missed = true;
      total += count;
      // an ordinary 95% interval on the counts so far, on the exact curve
      const [low, high] = exactPoissonLimits(total, 0.95);
      const naiveLow = bare.dose(low / (i + 1), 'estimate');
      const naiveHigh = bare.dose(high / (i + 1), 'estimate');
      if (!(naiveLow <= dose && dose <= naiveHigh)) naiveMissed = true;
    });
    if (missed) everMissed++;
    if (naiveMissed) naiveEverMissed++;
    // the rule as used: stop at the first resolved look (or 50 cells, 30 dicentrics)
    const sequential = new TriageScoring(plan);
    for (const count of counts) if (sequential.add(count)) break;
    const outcome = sequential.outcome()!;
    if (outcome.stop === 'resolved') {
      resolved++;
      if (outcome.look.resolvedCategory !== categoryOf(dose, plan.rule.thresholds)) wrongResolved++;
    }
  }
  return { everMissed, resolved, wrongResolved, naiveEverMissed };
}

test('the confidence sequence matches its closed form with no dicentric: λ_U = (ln(1/α) + ln(n + 1))/n', () => {
  for (const n of [1, 10, 50]) {
    const [lower, upper] = poissonRateConfidenceSequence(0, n, 0.05);
    assert.equal(lower, 0);
    assert.ok(Math.abs(upper - (Math.log(20) + Math.log(n + 1)) / n) < 1e-9, `n ${n}: ${upper}`);
  }
  // and bounds X/n from both sides otherwise
  const [lower, upper] = poissonRateConfidenceSequence(12, 40, 0.05);
  assert.ok(lower < 12 / 40 && 12 / 40 < upper);
});

test('the tabulated inversion gives projectYield’s doses', () => {
  const random = new SeededRandom(3);
  for (const confCurve of [0, 0.975]) {
    const inversion = new CurveInversion(BARQUINERO, { g: 1, confCurve });
    for (let i = 0; i < 200; i++) {
      const y = random.between(0, 2);
      for (const bound of ['lower', 'estimate', 'upper'] as const) {
        const expected = projectYield(BARQUINERO, y, bound, { g: 1, confCurve });
        assert.ok(Math.abs(inversion.dose(y, bound) - expected) < 1e-9, `${bound} ${y}`);
      }
    }
  }
});

for (const [name, curve, seed] of [
  ['a fitted curve (band at 97.5%, sequence at α/2)', BARQUINERO, 11],
  ['an exactly known curve (sequence at α)', EXACT, 12],
] as const) {
  test(`on ${PERSONS} simulated persons, ${name}: the interval holds the true dose at every look with probability ≥ 1 − α`, (t) => {
    const { everMissed, resolved, wrongResolved, naiveEverMissed } = simulate(curve, seed);
    t.diagnostic(
      `ever missed ${everMissed}, resolved ${resolved} (wrong ${wrongResolved}), naive ever missed ${naiveEverMissed}`,
    );
    // the guarantee: P(the true dose leaves the interval at any of the 50 looks) ≤ α
    assert.ok(everMissed / PERSONS <= ALPHA, `ever missed ${everMissed}/${PERSONS}`);
    // hence an early stop names the wrong category at most that often
    assert.ok(resolved > PERSONS * 0.3, `resolved ${resolved}`);
    assert.ok(wrongResolved / PERSONS <= ALPHA, `wrong ${wrongResolved}/${resolved}`);
    // the check can fail: an ordinary 95% interval read after every cell misses far more often
    assert.ok(naiveEverMissed / PERSONS > ALPHA, `naive ever missed ${naiveEverMissed}/${PERSONS}`);
  });
}

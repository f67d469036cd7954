/**
 * What the demo generates and scores. `standard` is the README's demo (a few
 * minutes on two cores); `quick` is the same pipeline at toy size, for tests.
 */
export interface DemoPlan {
  readonly name: 'standard' | 'quick';
  /** Frame size and length scale of every synthetic image (the shipped ensemble was trained on 768×672 at scale 1). */
  readonly size: string;
  readonly scale: number;
  /** Labelled benchmark images (all in the test split) for the precision/recall figures. */
  readonly testImages: number;
  /** The paper's calibration doses (Gy) and cells scored per dose. */
  readonly calibrationDoses: readonly number[];
  readonly calibrationCells: number;
  /** Simulated persons: their true whole-body doses, and cells scored per person. */
  readonly personDoses: readonly number[];
  readonly personCells: number;
  readonly seeds: { readonly test: number; readonly calibration: number; readonly persons: number };
  /** The generator's true curve: Y = C + αD + βD² (its defaults). */
  readonly trueCurve: readonly [number, number, number];
  /** Example images drawn with their detections in the report. */
  readonly exampleImages: number;
  /**
   * Ensemble members used (the bundle's last ones): the voting ensemble and the pool the
   * sub-ensembles of the detector uncertainty are drawn from. Inference cost grows with it.
   */
  readonly members: number;
  /** Members per sub-ensemble (drawn from the pool, seeded). */
  readonly subEnsembleSize: number;
  /**
   * Whole-body method: Merkle 83%–83% (the field's default), or the delta method, whose
   * interval stays bounded on toy-sized tables where Merkle's curve band may never reach
   * the upper yield (but collapses to [0, 0] for a yield below the curve's intercept).
   */
  readonly doseMethod: 'merkle' | 'delta';
}

const PAPER_DOSES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1, 1.5, 2, 3, 4];

export const DEMO_PLANS: Record<DemoPlan['name'], DemoPlan> = {
  standard: {
    name: 'standard',
    size: '768x672',
    scale: 1,
    testImages: 30,
    calibrationDoses: PAPER_DOSES,
    calibrationCells: 50,
    personDoses: [0.5, 1.5, 3],
    personCells: 200,
    seeds: { test: 101, calibration: 202, persons: 303 },
    trueCurve: [0.001, 0.02, 0.06],
    exampleImages: 4,
    members: 6,
    subEnsembleSize: 5,
    doseMethod: 'merkle',
  },
  quick: {
    name: 'quick',
    size: '768x672',
    scale: 1,
    testImages: 4,
    calibrationDoses: [0.5, 1, 2, 4],
    calibrationCells: 40,
    personDoses: [0.5, 1.5, 3],
    personCells: 25,
    seeds: { test: 101, calibration: 202, persons: 303 },
    trueCurve: [0.001, 0.02, 0.06],
    exampleImages: 2,
    members: 4,
    subEnsembleSize: 3,
    doseMethod: 'delta',
  },
};

/**
 * How the shipped ensemble (models/demo) was made, and what `dicentra demo
 * --train` repeats: the generator's medium training set, then `dicentra train
 * --preset cpu` on two single-thread processes (docs/training.md).
 */
export const DEMO_TRAINING = {
  synthArgs: [
    ...['--count', '2600', '--seed', '31', '--size', '768x672', '--scale', '1'],
    ...['--difficulty', 'medium', '--split', '0.9,0.05,0.05'],
  ],
  trainArgs: ['--preset', 'cpu', '--seed', '1', '--nproc', '2', '--threads', '1'],
} as const;

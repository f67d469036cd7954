export type CurveModel = 'lq' | 'linear';

export const COEFFICIENT_NAMES = ['C', 'alpha', 'beta'] as const;

/** Names of the model's coefficients, in design-column order. */
export function coefficientNames(model: CurveModel): readonly ('C' | 'alpha' | 'beta')[] {
  return model === 'lq' ? COEFFICIENT_NAMES : COEFFICIENT_NAMES.slice(0, 2);
}

/** Design row of a dose with `exposure` cells: exposure·(1, D, D²), truncated for a linear model. */
export function designRow(model: CurveModel, dose: number, exposure: number): number[] {
  const row = [exposure, exposure * dose, exposure * dose * dose];
  return model === 'lq' ? row : row.slice(0, 2);
}

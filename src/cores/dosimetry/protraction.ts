/**
 * Lea–Catcheside dose-protraction factor G(x) = (2/x²)(x − 1 + e^{−x}), x = t/t₀,
 * which multiplies β for an exposure of duration t with repair time t₀.
 * G → 1 for an acute exposure and 0 for a highly protracted one.
 */
export function leaCatchesideG(durationHours: number, repairTimeHours: number): number {
  if (!(durationHours >= 0) || !(repairTimeHours > 0)) {
    throw new RangeError(
      `leaCatchesideG: duration must be ≥ 0 and repair time > 0, got ${durationHours}, ${repairTimeHours}`,
    );
  }
  const x = durationHours / repairTimeHours;
  if (x === 0) return 1;
  // expm1 keeps precision for short exposures, where x − 1 + e^{−x} ≈ x²/2.
  return (2 / (x * x)) * (x + Math.expm1(-x));
}

export type Exposure =
  | { readonly kind: 'acute' }
  | {
      readonly kind: 'protracted';
      readonly durationHours: number;
      readonly repairTimeHours: number;
    }
  | { readonly kind: 'highly-protracted' };

export function protractionFactor(exposure: Exposure): number {
  switch (exposure.kind) {
    case 'acute':
      return 1;
    case 'protracted':
      return leaCatchesideG(exposure.durationHours, exposure.repairTimeHours);
    case 'highly-protracted':
      return 0;
  }
}

import type { QcReason, QcRules } from '../../formats/qc.js';
import type { MetaphaseMeasures } from './measure-metaphase.js';

/**
 * The default rules (docs/qc.md): 46 ± 2 centromere-equivalents as the
 * cytogeneticist's rule; the others calibrated on synthetic frames so that
 * scorable ones pass (`npm run bench -- qc`).
 */
export const DEFAULT_QC_RULES: QcRules = {
  chromosomes: 46,
  tolerance: 2,
  maxBorderObjects: 1,
  maxClusteredFraction: 0.3,
  maxNucleiOverSpread: 0,
  maxSpreadCoverage: 0.7,
  minFocus: 1,
  minContrast: 0.3,
};

/** Every rule a frame fails; none: scorable. */
export function qcReasons(measures: MetaphaseMeasures, rules: QcRules): QcReason[] {
  const reasons: QcReason[] = [];
  if (measures.chromosomes < rules.chromosomes - rules.tolerance)
    reasons.push('too-few-chromosomes');
  if (measures.chromosomes > rules.chromosomes + rules.tolerance)
    reasons.push('too-many-chromosomes');
  if (measures.borderObjects > rules.maxBorderObjects) reasons.push('incomplete-spread');
  if (measures.clusteredFraction > rules.maxClusteredFraction) reasons.push('clumped');
  if (measures.nucleiOverSpread > rules.maxNucleiOverSpread) reasons.push('nucleus-over-spread');
  if (measures.spreadCoverage > rules.maxSpreadCoverage) reasons.push('spread-too-wide');
  if (measures.focus < rules.minFocus) reasons.push('out-of-focus');
  if (measures.contrast < rules.minContrast) reasons.push('low-contrast');
  return reasons;
}

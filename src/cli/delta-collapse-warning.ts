/** What `dose` says when a delta interval collapses to [0, 0] below the curve's intercept. */
export function deltaCollapseWarning(caseId: string): string {
  return (
    `${caseId}: the yield is below the curve's intercept C, where the delta method (as Biodose ` +
    'Tools computes it) reports [0, 0]; that interval carries no information, not a dose known ' +
    'to be zero. Use --method merkle for an upper limit.'
  );
}

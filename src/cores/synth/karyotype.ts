/**
 * The human karyotype as the generator needs it: each chromosome's length
 * relative to chromosome 1 and its centromere index (short-arm length over
 * total length). Values are approximate classical metaphase measurements
 * (relative lengths as % of the haploid set, centromere indices as in the
 * ISCN descriptions); acrocentrics are 13–15, 21, 22 and Y.
 */
export interface ChromosomeType {
  readonly name: string;
  /** % of the haploid autosomal set + X. */
  readonly relativeLength: number;
  /** Short arm / whole length, in (0, 0.5]. */
  readonly centromereIndex: number;
  readonly acrocentric: boolean;
}

function type(
  name: string,
  relativeLength: number,
  centromereIndex: number,
  acrocentric = false,
): ChromosomeType {
  return { name, relativeLength, centromereIndex, acrocentric };
}

export const HUMAN_CHROMOSOMES: readonly ChromosomeType[] = [
  type('1', 8.44, 0.48),
  type('2', 8.02, 0.39),
  type('3', 6.83, 0.47),
  type('4', 6.3, 0.29),
  type('5', 6.08, 0.29),
  type('6', 5.9, 0.39),
  type('7', 5.36, 0.39),
  type('8', 4.93, 0.34),
  type('9', 4.8, 0.35),
  type('10', 4.59, 0.33),
  type('11', 4.61, 0.4),
  type('12', 4.66, 0.3),
  type('13', 3.74, 0.17, true),
  type('14', 3.56, 0.18, true),
  type('15', 3.46, 0.19, true),
  type('16', 3.36, 0.41),
  type('17', 3.25, 0.34),
  type('18', 2.93, 0.31),
  type('19', 2.67, 0.47),
  type('20', 2.56, 0.45),
  type('21', 1.9, 0.27, true),
  type('22', 2.04, 0.29, true),
  type('X', 5.12, 0.4),
  type('Y', 2.15, 0.27, true),
];

const byName = new Map(HUMAN_CHROMOSOMES.map((c) => [c.name, c]));

/** Chromosome 1's relative length: lengths in pixels are given as a fraction of it. */
export const LONGEST_RELATIVE_LENGTH = HUMAN_CHROMOSOMES[0]!.relativeLength;

/**
 * The chromosomes of one cell: the 22 autosome pairs plus XX or XY for 46,
 * trimmed (smallest first) or extended (by repeating the autosomes) when the
 * cell is asked for another number.
 */
export function cellKaryotype(count: number, male: boolean): ChromosomeType[] {
  const diploid: ChromosomeType[] = [];
  for (let n = 1; n <= 22; n++) {
    const chromosome = byName.get(String(n))!;
    diploid.push(chromosome, chromosome);
  }
  diploid.push(byName.get('X')!, byName.get(male ? 'Y' : 'X')!);
  if (count <= diploid.length) {
    return [...diploid]
      .sort((a, b) => b.relativeLength - a.relativeLength)
      .slice(0, count)
      .sort((a, b) => diploid.indexOf(a) - diploid.indexOf(b));
  }
  const out = [...diploid];
  for (let i = 0; out.length < count; i++) out.push(diploid[i % 44]!);
  return out;
}

/** A care category's name from the thresholds: "< 1 Gy", "1–2 Gy", "> 2 Gy". */
export function categoryLabel(category: number, thresholds: readonly number[]): string {
  if (category === 0) return `< ${thresholds[0]} Gy`;
  if (category >= thresholds.length) return `> ${thresholds[thresholds.length - 1]} Gy`;
  return `${thresholds[category - 1]}–${thresholds[category]} Gy`;
}

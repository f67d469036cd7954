import type { Detection } from '../../formats/detections.js';
import { labelComponents } from './pixel-set.js';
import { countVotes, decide, type VoteStack } from './vote-stack.js';

/**
 * The ensemble's detections in one class of one image: the 8-connected
 * components of D = 1[S > T_A], S = Σ_j 1[φ_j > T_C,j], with per-detection
 * statistics. `stride` converts heatmap pixels to input pixels: heatmap pixel
 * (u, v) covers input pixels [u·s, (u+1)·s) × [v·s, (v+1)·s), so its centre is
 * ((u + ½)·s, (v + ½)·s).
 */
export function detectObjects(
  stack: VoteStack,
  memberTc: readonly number[],
  ta: number,
  stride: number,
): Detection[] {
  const votes = countVotes(stack, memberTc);
  const { labels, count } = labelComponents(stack.set, decide(votes, ta));
  const m = stack.memberCount;
  const width = stack.set.width;
  const sumX = new Float64Array(count);
  const sumY = new Float64Array(count);
  const size = new Int32Array(count);
  const best = new Int32Array(count);
  const sumValue = new Float64Array(count);
  const maxValue = new Float64Array(count);
  const memberPeak = new Float64Array(count * m);
  stack.set.pixels.forEach((index, p) => {
    const label = labels[p]!;
    if (label < 0) return;
    const x = index % width;
    sumX[label]! += x + 0.5;
    sumY[label]! += (index - x) / width + 0.5;
    size[label]!++;
    if (votes[p]! > best[label]!) best[label] = votes[p]!;
    for (let j = 0; j < m; j++) {
      const value = stack.values[p * m + j]!;
      sumValue[label]! += value;
      if (value > maxValue[label]!) maxValue[label] = value;
      if (value > memberPeak[label * m + j]!) memberPeak[label * m + j] = value;
    }
  });
  const detections: Detection[] = [];
  for (let label = 0; label < count; label++) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += memberPeak[label * m + j]! / m;
    let variance = 0;
    for (let j = 0; j < m; j++) variance += (memberPeak[label * m + j]! - mean) ** 2 / m;
    detections.push({
      x: (sumX[label]! / size[label]!) * stride,
      y: (sumY[label]! / size[label]!) * stride,
      area: size[label]! * stride * stride,
      votes: best[label]!,
      voteFraction: best[label]! / m,
      meanValue: sumValue[label]! / (size[label]! * m),
      maxValue: maxValue[label]!,
      spread: Math.sqrt(variance),
    });
  }
  return detections;
}

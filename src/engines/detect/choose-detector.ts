import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { CountingRule } from '../../cores/dosimetry/cell-counts.js';
import type { MemberSelection } from '../../cores/ensemble/member-selection.js';
import { chooseMembers } from './choose-members.js';
import type { ClassTc } from './detect-images.js';
import { parseMemberSelection, parseTa, parseTc } from './ensemble-options.js';
import { primaryDetectorOfCurve } from './image-detectors.js';

/** The detector options of `detect` as given on its command line (`--curve` replaces the others). */
export interface DetectorRequest {
  readonly members?: string;
  readonly tc?: string;
  readonly ta?: string;
  readonly curve?: string;
}

/** Who votes, at which thresholds, and the counting rule to record (with `--curve`). */
export interface ChosenDetector {
  readonly members: readonly BundleMember[];
  readonly selection: MemberSelection;
  readonly tc: Record<string, ClassTc>;
  readonly ta: Record<string, number>;
  readonly counting?: CountingRule;
}

/** The detector a calibrated curve prescribes (`--curve`). */
async function curveDetector(request: DetectorRequest, loaded: LoadedBundle) {
  const given = (['members', 'tc', 'ta'] as const).filter((name) => request[name] !== undefined);
  if (given.length > 0) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--curve sets the members, T_C and T_A; it cannot be combined with ${given.map((name) => `--${name}`).join(', ')}`,
      { field: '--curve', hint: `drop ${given.map((name) => `--${name}`).join(', ')}` },
    );
  }
  const curvePath = request.curve!;
  const curve = await readCurveFile(curvePath);
  if (!curve.detector) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `curve ${curvePath} was fitted to a count table, not calibrated from images: it records no detector`,
      {
        file: curvePath,
        field: 'detector',
        hint: 'use a curve written by `dicentra calibrate` with this bundle',
      },
    );
  }
  const primary = primaryDetectorOfCurve(curve.detector, loaded.bundle, loaded.sha256, {
    curve: curvePath,
    bundle: loaded.path,
  });
  const adaptive = curve.detector.thresholdRule.kind === 'adaptive';
  const tc: Record<string, ClassTc> = Object.fromEntries(
    loaded.bundle.classes.map((name) => [
      name,
      { kind: 'per-member', memberTc: primary.memberTc[name]!, adaptive },
    ]),
  );
  const selection: MemberSelection = {
    mode: 'epochs',
    epochs: primary.members.map((member) => member.epoch),
  };
  return {
    members: primary.members,
    selection,
    tc,
    ta: primary.ta,
    counting: curve.detector.counting,
  };
}

/** The detector given by --members, --tc and --ta (with their defaults). */
function chosenDetector(
  request: DetectorRequest,
  loaded: LoadedBundle,
  log: (line: string) => void,
) {
  const { bundle } = loaded;
  const rule = request.members ?? 'last:10';
  const selection = parseMemberSelection(rule);
  if (selection.mode === 'last' && selection.count > bundle.members.length) {
    log(`the bundle has ${bundle.members.length} members; all of them vote`);
  }
  const members = chooseMembers(bundle.members, selection, '--members', rule);
  const tc = parseTc(request.tc ?? '0.5', bundle.classes);
  const ta = parseTa(
    request.ta ?? String(Math.min(4, members.length - 1)),
    bundle.classes,
    members.length,
  );
  return { members, selection, tc, ta };
}

/**
 * The detector of `dicentra detect`: the curve's (its members, per-member
 * T_C, T_A and counting rule) with `--curve`, else --members, --tc and --ta.
 */
export async function chooseDetector(
  request: DetectorRequest,
  loaded: LoadedBundle,
  log: (line: string) => void,
): Promise<ChosenDetector> {
  return request.curve ? curveDetector(request, loaded) : chosenDetector(request, loaded, log);
}

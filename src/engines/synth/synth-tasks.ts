import type { Point } from '../../formats/dataset.js';
import type { SynthParameters, TruthImage } from '../../formats/truth.js';
import type { ImageIdentity } from '../../cores/synth/cell-truth.js';

/** What every rendering thread is started with. */
export interface SynthWorkerData {
  readonly seed: number;
  readonly params: SynthParameters;
  readonly doseRange: readonly [number, number];
  readonly minAberrations: number;
}

/** One image to render: its stream index, fixed dose (calibration) and where it goes. */
export interface SynthTask {
  readonly index: number;
  readonly doseGy?: number;
  readonly identity: ImageIdentity;
  /** Absolute path of the PNG to write. */
  readonly file: string;
}

export interface SynthTaskResult {
  readonly index: number;
  readonly sha256: string;
  readonly truth: TruthImage;
  readonly points: { dicentric: Point[]; fragment: Point[] };
}

export type SynthWorkerReply =
  | { readonly ok: true; readonly result: SynthTaskResult }
  | {
      readonly ok: false;
      readonly index: number;
      readonly message: string;
      readonly range: boolean;
    };

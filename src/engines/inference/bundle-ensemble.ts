import type { BundleMember } from '../../formats/bundle.js';
import { verifyBundleMembers, type LoadedBundle } from '../../formats/bundle-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { GreyImage } from '../../imaging/grey-image.js';
import { prepareModelInput, type ModelInput } from '../../imaging/model-input.js';
import { EnsembleSession } from './ensemble-session.js';

/** Every member's heatmaps for one image, on the padded heatmap grid. */
export interface MemberHeatmaps {
  /** One C×gridHeight×gridWidth array per member, in member order. */
  readonly members: Float32Array[];
  readonly classes: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Seconds inside onnxruntime per member. */
  readonly seconds: readonly number[];
}

/**
 * The chosen members of a verified bundle, ready to run on grey images with
 * the bundle's own input rule. Opening verifies every member's sha256.
 */
export class BundleEnsemble {
  private constructor(
    readonly loaded: LoadedBundle,
    readonly members: readonly BundleMember[],
    private readonly session: EnsembleSession,
  ) {}

  static async open(
    loaded: LoadedBundle,
    members: readonly BundleMember[],
    options: { intraOpThreads?: number } = {},
  ): Promise<BundleEnsemble> {
    const bytes = await verifyBundleMembers(loaded, members);
    const labels = members.map((m) => `member epoch ${m.epoch} (${m.file})`);
    const session = await EnsembleSession.open(bytes, { ...options, labels });
    session.inputs.forEach((ports, index) => {
      const outputs = session.outputPorts[index]!.map((port) => port.name);
      if (ports.length !== 1 || !outputs.includes('heatmap')) {
        void session.close();
        throw new DicentraError(
          'DCN_E_MODEL_INVALID',
          `${labels[index]} of bundle ${loaded.path} has inputs [${ports
            .map((p) => p.name)
            .join(
              ', ',
            )}] and outputs [${outputs.join(', ')}]; the contract is one input "image" and an output "heatmap"`,
          { file: loaded.path, hint: 're-export the checkpoint with the dicentra trainer' },
        );
      }
    });
    return new BundleEnsemble(loaded, members, session);
  }

  /** Normalises, pads and runs every member (or the given member indices) on one image. */
  predict(image: GreyImage, memberIndices?: readonly number[]): Promise<MemberHeatmaps> {
    return this.predictInput(prepareModelInput(image, this.loaded.bundle.input), memberIndices);
  }

  /** Runs members on an input already prepared by the bundle's input rule. */
  async predictInput(
    input: ModelInput,
    memberIndices?: readonly number[],
  ): Promise<MemberHeatmaps> {
    const { bundle } = this.loaded;
    const result = await this.session.run(
      input.data,
      [1, 1, input.paddedHeight, input.paddedWidth],
      memberIndices,
    );
    const [n, classes, gridHeight, gridWidth] = result.dims as [number, number, number, number];
    const expected = [
      1,
      bundle.classes.length,
      input.paddedHeight / bundle.outputStride,
      input.paddedWidth / bundle.outputStride,
    ];
    if ([n, classes, gridHeight, gridWidth].some((value, i) => value !== expected[i])) {
      throw new DicentraError(
        'DCN_E_MODEL_INVALID',
        `bundle ${this.loaded.path}: heatmap has shape [${result.dims.join(', ')}] for a ` +
          `${input.paddedHeight}×${input.paddedWidth} input; expected [${expected.join(', ')}] ` +
          `(${bundle.classes.length} classes, outputStride ${bundle.outputStride})`,
        {
          file: this.loaded.path,
          hint: 'bundle.json and its ONNX members disagree; re-export the bundle',
        },
      );
    }
    return { members: result.outputs, classes, gridWidth, gridHeight, seconds: result.seconds };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

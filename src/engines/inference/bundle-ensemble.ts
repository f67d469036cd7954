import type { BundleMember } from '../../formats/bundle.js';
import { verifyBundleMembers, type LoadedBundle } from '../../formats/bundle-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { EnsembleSession } from './ensemble-session.js';

/** A normalised, padded network input (a whole image or a tile of one), row-major. */
export interface NetworkInput {
  readonly data: Float32Array;
  readonly paddedWidth: number;
  readonly paddedHeight: number;
}

/** One member's outputs on one input (the N = 1 slices). */
export interface MemberOutputs {
  /** classes × (paddedHeight / outputStride) × (paddedWidth / outputStride). */
  readonly heatmap: Float32Array;
  /** featureChannels × (paddedHeight / featuresStride) × (paddedWidth / featuresStride); null unless opened with features. */
  readonly features: Float32Array | null;
}

/**
 * The chosen members of a verified bundle, ready to run on inputs prepared by
 * the bundle's input rule. Opening verifies every member's sha256 and the
 * model contract (one input; a "heatmap" output, and "features" if asked).
 */
export class BundleEnsemble {
  private constructor(
    readonly loaded: LoadedBundle,
    readonly members: readonly BundleMember[],
    readonly withFeatures: boolean,
    private readonly session: EnsembleSession,
  ) {}

  static async open(
    loaded: LoadedBundle,
    members: readonly BundleMember[],
    options: { intraOpThreads?: number; features?: boolean } = {},
  ): Promise<BundleEnsemble> {
    const bytes = await verifyBundleMembers(loaded, members);
    const labels = members.map((m) => `member epoch ${m.epoch} (${m.file})`);
    const wanted = options.features ? ['heatmap', 'features'] : ['heatmap'];
    const session = await EnsembleSession.open(bytes, {
      intraOpThreads: options.intraOpThreads ?? 0,
      outputs: wanted,
      labels,
    });
    session.inputs.forEach((ports, index) => {
      const outputs = session.outputPorts[index]!.map((port) => port.name);
      if (ports.length !== 1 || wanted.some((name) => !outputs.includes(name))) {
        void session.close();
        throw new DicentraError(
          'DCN_E_MODEL_INVALID',
          `${labels[index]} of bundle ${loaded.path} has inputs [${ports
            .map((p) => p.name)
            .join(', ')}] and outputs [${outputs.join(', ')}]; the contract is one input ` +
            `"image" and the outputs ${wanted.map((name) => `"${name}"`).join(' and ')}`,
          { file: loaded.path, hint: 're-export the checkpoint with the dicentra trainer' },
        );
      }
    });
    return new BundleEnsemble(loaded, members, options.features === true, session);
  }

  /** Runs member `member` (an index into `members`) on one input. */
  async run(input: NetworkInput, member: number): Promise<MemberOutputs> {
    const { bundle } = this.loaded;
    const result = await this.session.run(
      input.data,
      [1, 1, input.paddedHeight, input.paddedWidth],
      [member],
    );
    const expected = (channels: number, stride: number) => [
      1,
      channels,
      input.paddedHeight / stride,
      input.paddedWidth / stride,
    ];
    const shapes = [
      { name: 'heatmap', dims: expected(bundle.classes.length, bundle.outputStride) },
      ...(this.withFeatures
        ? [
            {
              name: 'features',
              dims: expected(bundle.architecture.featureChannels, bundle.featuresStride),
            },
          ]
        : []),
    ];
    shapes.forEach(({ name, dims }, k) => {
      const actual = result.dims[k]!;
      if (actual.length !== dims.length || actual.some((value, i) => value !== dims[i])) {
        throw new DicentraError(
          'DCN_E_MODEL_INVALID',
          `bundle ${this.loaded.path}: ${name} has shape [${actual.join(', ')}] for a ` +
            `${input.paddedHeight}×${input.paddedWidth} input; expected [${dims.join(', ')}] ` +
            `(${bundle.classes.length} classes, outputStride ${bundle.outputStride}, ` +
            `featureChannels ${bundle.architecture.featureChannels}, featuresStride ${bundle.featuresStride})`,
          {
            file: this.loaded.path,
            hint: 'bundle.json and its ONNX members disagree; re-export the bundle',
          },
        );
      }
    });
    const [heatmap, features] = result.outputs[0]!;
    return { heatmap: heatmap!, features: features ?? null };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

import type { BundleMember } from '../../formats/bundle.js';
import { verifyBundleMembers, type LoadedBundle } from '../../formats/bundle-file.js';
import { resolveImagePath } from '../../formats/dataset-file.js';
import type { DatasetImage } from '../../formats/dataset.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { prepareModelInput } from '../../imaging/model-input.js';
import { readGreyImage } from '../../imaging/read-image.js';
import { cellOf, type FeatureLocation } from '../../cores/dynamics/feature-locations.js';
import { gatherFeatureVectors } from '../../cores/dynamics/feature-map.js';
import { EnsembleSession } from '../inference/ensemble-session.js';

/** A location whose features are read but which is not fitted (a detection). */
export interface QueryPoint {
  readonly imageIndex: number;
  readonly x: number;
  readonly y: number;
}

export interface ExtractedFeatures {
  readonly dims: number;
  /** Per member (in member order): locations × dims. */
  readonly locations: Float64Array[];
  /** Per member: queries × dims. */
  readonly queries: Float64Array[];
}

/**
 * Runs each chosen member's `features` output on every image once and keeps
 * the feature vectors at the given locations and query points (the paper's
 * bags f_{a,b}^i). Members run one at a time per image so that only one
 * feature map (F × H/stride × W/stride floats) is in memory. `onImage` is
 * called after each image; a throw there (Ctrl-C) stops the extraction.
 */
export async function extractFeatureBags(request: {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  readonly datasetPath: string;
  readonly images: readonly DatasetImage[];
  readonly locations: readonly FeatureLocation[];
  readonly queries: readonly QueryPoint[];
  readonly onImage?: (done: number, total: number) => void;
}): Promise<ExtractedFeatures> {
  const { loaded, members, images, locations, queries } = request;
  const { bundle } = loaded;
  const dims = bundle.architecture.featureChannels;
  const stride = bundle.featuresStride;
  const labels = members.map((m) => `member epoch ${m.epoch} (${m.file})`);
  const session = await EnsembleSession.open(await verifyBundleMembers(loaded, members), {
    output: 'features',
    labels,
  });
  try {
    session.outputPorts.forEach((ports, index) => {
      if (!ports.some((port) => port.name === 'features')) {
        throw new DicentraError(
          'DCN_E_MODEL_INVALID',
          `${labels[index]} of bundle ${loaded.path} has no "features" output ` +
            `(outputs: ${ports.map((p) => p.name).join(', ')})`,
          { file: loaded.path, hint: 're-export the checkpoint with the dicentra trainer' },
        );
      }
    });
    const locationData = members.map(() => new Float64Array(locations.length * dims));
    const queryData = members.map(() => new Float64Array(queries.length * dims));
    for (let imageIndex = 0; imageIndex < images.length; imageIndex++) {
      const image = images[imageIndex]!;
      const rows = locations.flatMap((l, row) => (l.imageIndex === imageIndex ? [row] : []));
      const queryRows = queries.flatMap((q, row) => (q.imageIndex === imageIndex ? [row] : []));
      if (rows.length + queryRows.length > 0) {
        const input = prepareModelInput(
          await readGreyImage(resolveImagePath(request.datasetPath, image)),
          bundle.input,
        );
        const cells = [
          ...rows.map((row) => locations[row]!),
          ...queryRows.map((row) => {
            const [u, v] = cellOf(
              queries[row]!.x,
              queries[row]!.y,
              image.width,
              image.height,
              stride,
            );
            return { u, v };
          }),
        ];
        const gathered = new Float64Array(cells.length * dims);
        for (let member = 0; member < members.length; member++) {
          const result = await session.run(
            input.data,
            [1, 1, input.paddedHeight, input.paddedWidth],
            [member],
          );
          const expected = [1, dims, input.paddedHeight / stride, input.paddedWidth / stride];
          if (result.dims.some((value, i) => value !== expected[i])) {
            throw new DicentraError(
              'DCN_E_MODEL_INVALID',
              `${labels[member]} of bundle ${loaded.path}: features have shape ` +
                `[${result.dims.join(', ')}], expected [${expected.join(', ')}] ` +
                `(featureChannels ${dims}, featuresStride ${stride})`,
              {
                file: loaded.path,
                hint: 'bundle.json and its ONNX members disagree; re-export the bundle',
              },
            );
          }
          gatherFeatureVectors(
            { channels: dims, height: expected[2]!, width: expected[3]!, data: result.outputs[0]! },
            cells,
            gathered,
            0,
          );
          const scatter = (target: Float64Array, targetRows: number[], offset: number) =>
            targetRows.forEach((row, i) =>
              target.set(
                gathered.subarray((offset + i) * dims, (offset + i + 1) * dims),
                row * dims,
              ),
            );
          scatter(locationData[member]!, rows, 0);
          scatter(queryData[member]!, queryRows, rows.length);
        }
      }
      request.onImage?.(imageIndex + 1, images.length);
    }
    return { dims, locations: locationData, queries: queryData };
  } finally {
    await session.close();
  }
}

import type { ProblemDetail } from './dicentra-error.js';
import type { Dataset } from './dataset.js';

/**
 * Every consistency problem of a schema-valid dataset that can be found without
 * opening the images: duplicate ids or classes, unknown classes, points outside
 * their image. All of them, in document order, each with its JSON path.
 */
export function findConsistencyProblems(dataset: Dataset, file: string): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const classSeen = new Set<string>();
  dataset.classes.forEach((name, index) => {
    if (classSeen.has(name)) {
      problems.push({
        code: 'DCN_E_SCHEMA_INVALID',
        file,
        field: `classes[${index}]`,
        message: `class "${name}" is listed twice`,
      });
    }
    classSeen.add(name);
  });
  const firstIndexOfId = new Map<string, number>();
  dataset.images.forEach((image, index) => {
    const at = `images[${index}]`;
    const earlier = firstIndexOfId.get(image.id);
    if (earlier === undefined) firstIndexOfId.set(image.id, index);
    else {
      problems.push({
        code: 'DCN_E_DUPLICATE_ID',
        file,
        field: `${at}.id`,
        message: `id "${image.id}" of ${image.path} is already used by images[${earlier}] (${dataset.images[earlier]!.path}); ids must be unique`,
      });
    }
    for (const [className, points] of Object.entries(image.points ?? {})) {
      if (!classSeen.has(className)) {
        problems.push({
          code: 'DCN_E_CLASS_UNKNOWN',
          file,
          field: `${at}.points.${className}`,
          message: `class "${className}" is not in classes [${dataset.classes.join(', ')}]; add it there or rename the points`,
        });
      }
      points.forEach(([x, y], pointIndex) => {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
          problems.push({
            code: 'DCN_E_POINT_OUT_OF_BOUNDS',
            file,
            field: `${at}.points.${className}[${pointIndex}]`,
            message: `point (${x}, ${y}) lies outside the ${image.width}×${image.height} image "${image.id}"`,
          });
        }
      });
    }
  });
  return problems;
}

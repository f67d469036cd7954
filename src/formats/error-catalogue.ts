import { ExitCode, type ExitCodeValue } from './exit-codes.js';

interface CatalogueEntry {
  readonly exit: ExitCodeValue;
  /** One line: what this code means. Mirrored in docs/errors.md (a test keeps them in step). */
  readonly summary: string;
}

/**
 * Every stable error code dicentra can report. Codes never change meaning once
 * published; retire a code rather than reuse it.
 */
export const errorCatalogue = {
  DCN_E_USAGE: {
    exit: ExitCode.usage,
    summary: 'A command-line argument or flag is missing, unknown or malformed.',
  },
  DCN_E_UNKNOWN_COMMAND: { exit: ExitCode.usage, summary: 'The subcommand does not exist.' },
  DCN_E_OPTION_INVALID: {
    exit: ExitCode.usage,
    summary: 'An option value is out of range or has the wrong form.',
  },
  DCN_E_JSON_INVALID: { exit: ExitCode.usage, summary: 'An input JSON file is not valid JSON.' },
  DCN_E_SCHEMA_INVALID: {
    exit: ExitCode.usage,
    summary: 'An input file does not match its schema (field missing, wrong type or unknown key).',
  },
  DCN_E_VERSION_UNSUPPORTED: {
    exit: ExitCode.usage,
    summary: 'A file declares a format version this dicentra cannot read.',
  },
  DCN_E_DATASET_INVALID: {
    exit: ExitCode.usage,
    summary:
      'A dataset (or an import) has one or more problems; each is listed with its own code and location.',
  },
  DCN_E_DUPLICATE_ID: { exit: ExitCode.usage, summary: 'Two images in a dataset share one id.' },
  DCN_E_CLASS_UNKNOWN: {
    exit: ExitCode.usage,
    summary: 'Points or labels name a class the dataset does not list.',
  },
  DCN_E_POINT_OUT_OF_BOUNDS: { exit: ExitCode.usage, summary: 'A point lies outside its image.' },
  DCN_E_IMAGE_SIZE_MISMATCH: {
    exit: ExitCode.usage,
    summary: 'The width or height recorded for an image differs from the decoded file.',
  },
  DCN_E_CSV_INVALID: {
    exit: ExitCode.usage,
    summary: 'A CSV table is malformed (missing column, bad number, unknown image).',
  },
  DCN_E_YOLO_INVALID: {
    exit: ExitCode.usage,
    summary: 'A YOLO label file is malformed or uses an unmapped class id.',
  },
  DCN_E_COUNTS_INVALID: {
    exit: ExitCode.usage,
    summary:
      'An aberration count table is malformed (negative, non-integer or missing count, missing dose).',
  },
  DCN_E_CURVE_NOT_INVERTIBLE: {
    exit: ExitCode.checkFailed,
    summary:
      'The calibration curve (or its confidence band) cannot be inverted at the observed yield.',
  },
  DCN_E_METHOD_NOT_APPLICABLE: {
    exit: ExitCode.usage,
    summary: 'The chosen dose-estimation method cannot be applied to these counts.',
  },
  DCN_E_FIT_FAILED: {
    exit: ExitCode.checkFailed,
    summary: 'The dose-effect curve could not be fitted to the count table.',
  },
  DCN_E_CURVE_MISMATCH: {
    exit: ExitCode.usage,
    summary:
      'The curve was not calibrated from images, or with another model bundle, so it cannot score these images.',
  },
  DCN_E_DYNAMICS_TOO_FEW: {
    exit: ExitCode.usage,
    summary:
      'The training-dynamics analysis needs two epochs and locations of two classes; the input has fewer.',
  },
  DCN_E_SVM_FAILED: {
    exit: ExitCode.checkFailed,
    summary: "The SVM on an epoch's embedding failed (libsvm ran out of memory or aborted).",
  },
  DCN_E_QC_IMAGE_MISSING: {
    exit: ExitCode.usage,
    summary: 'The qc.json given with --qc has no verdict for an image being scored.',
  },
  DCN_E_FILE_NOT_FOUND: {
    exit: ExitCode.inputOutput,
    summary: 'An input file or folder does not exist.',
  },
  DCN_E_FILE_READ: {
    exit: ExitCode.inputOutput,
    summary:
      'An input file exists but could not be read, or is not a regular file (a folder, FIFO or device).',
  },
  DCN_E_FILE_WRITE: { exit: ExitCode.inputOutput, summary: 'An output file could not be written.' },
  DCN_E_OUTPUT_PATH: {
    exit: ExitCode.usage,
    summary:
      'An output path is an input or another output (after resolving links), or a file where a folder is written (or the reverse); nothing was written.',
  },
  DCN_E_IMAGE_MISSING: {
    exit: ExitCode.inputOutput,
    summary: 'A dataset refers to an image file that does not exist.',
  },
  DCN_E_IMAGE_DECODE: {
    exit: ExitCode.inputOutput,
    summary: 'An image file could not be decoded.',
  },
  DCN_E_IMAGE_TOO_LARGE: {
    exit: ExitCode.inputOutput,
    summary:
      'An image has more pixels than the limit (DICENTRA_MAX_PIXELS, default 8192 × 8192); it was not decoded.',
  },
  DCN_E_NO_IMAGES: {
    exit: ExitCode.inputOutput,
    summary: 'A folder holds no image of a supported type (PNG, TIFF, JPEG).',
  },
  DCN_E_BUNDLE_TAMPERED: {
    exit: ExitCode.model,
    summary: 'A bundle member file does not match the sha256 recorded in bundle.json.',
  },
  DCN_E_BUNDLE_MEMBER_MISSING: {
    exit: ExitCode.model,
    summary: 'A bundle member file named in bundle.json is missing or unreadable.',
  },
  DCN_E_MODEL_INVALID: {
    exit: ExitCode.model,
    summary:
      'A model file cannot be loaded or its inputs and outputs differ from the bundle contract.',
  },
  DCN_E_INFERENCE_FAILED: {
    exit: ExitCode.model,
    summary: 'Running a model on an image failed.',
  },
  DCN_E_IMAGES_FAILED: {
    exit: ExitCode.inputOutput,
    summary:
      'Some images could not be processed; the others were, and the output lists the failures.',
  },
  DCN_E_PYTHON_MISSING: {
    exit: ExitCode.usage,
    summary: 'No Python with PyTorch was found to run the training worker.',
  },
  DCN_E_RUN_STATE: {
    exit: ExitCode.usage,
    summary:
      'A training run folder does not fit the request (already used, nothing to resume, or a changed setting).',
  },
  DCN_E_TRAINING_DIVERGED: {
    exit: ExitCode.model,
    summary: 'The training loss became NaN or infinite; the run stopped before writing that epoch.',
  },
  DCN_E_TRAINING_FAILED: {
    exit: ExitCode.model,
    summary: 'The training worker failed; its log says why.',
  },
  DCN_E_DEMO_STEP_FAILED: {
    exit: ExitCode.checkFailed,
    summary:
      "A step of the demo pipeline failed; the exit code is that step's, and its error is printed above.",
  },
  DCN_E_DETECT_STEP_FAILED: {
    exit: ExitCode.checkFailed,
    summary:
      "The `dicentra detect` run of `review --init` failed; the exit code is detect's, and its error is printed above.",
  },
  DCN_E_CASE_PATH: {
    exit: ExitCode.usage,
    summary:
      'A file of a review case leaves the case folder (`..`, an absolute path, or a link resolving outside); it is not served.',
  },
  DCN_E_REVIEW_LOCKED: {
    exit: ExitCode.usage,
    summary: 'Another review server (a live process) already has this case open.',
  },
  DCN_E_REVIEW_CORRUPT: {
    exit: ExitCode.inputOutput,
    summary: 'review.sqlite is not a readable review store; it was left untouched.',
  },
  DCN_E_REVIEW_MISMATCH: {
    exit: ExitCode.usage,
    summary: "review.sqlite was made for another detections.json than the case's.",
  },
  DCN_E_PDF_UNAVAILABLE: {
    exit: ExitCode.usage,
    summary: 'A PDF was asked for but Chromium or playwright-core is not installed.',
  },
  DCN_E_PDF_FAILED: {
    exit: ExitCode.checkFailed,
    summary: 'Chromium could not print the report to PDF (the HTML report is written).',
  },
  DCN_E_QUEUE_UNREACHABLE: {
    exit: ExitCode.inputOutput,
    summary:
      'The Redis server of the case queue (--queue) cannot be reached: refused, unknown host or timed out.',
  },
  DCN_E_QUEUE_JOBS_FAILED: {
    exit: ExitCode.checkFailed,
    summary:
      'Some case jobs awaited by `submit --wait` failed; each failure reason carries the case’s own error code.',
  },
  DCN_E_INTERRUPTED: {
    exit: ExitCode.interrupted,
    summary: 'The run was interrupted (Ctrl-C); finished work was kept, nothing half-written.',
  },
  DCN_E_INTERNAL: {
    exit: ExitCode.checkFailed,
    summary: 'An unexpected internal error; please report it with the command line.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

import { z } from 'zod';

/**
 * The JSON-lines events the Python training worker writes on stdout
 * (python/dicentra_train/events.py). Checked at this trust boundary; a line
 * that is not one of these is logged, never trusted.
 */
const perClass = z.record(z.string(), z.number().nullable());

export const trainerEventSchema = z.discriminatedUnion('event', [
  z
    .object({
      event: z.literal('check'),
      torch: z.string(),
      cuda: z.boolean(),
      gpus: z.array(z.string()),
      threads: z.number(),
      python: z.string(),
    })
    .strict(),
  z
    .object({
      event: z.literal('decode'),
      split: z.string(),
      done: z.number().int(),
      total: z.number().int(),
    })
    .strict(),
  z
    .object({
      event: z.literal('started'),
      classes: z.array(z.string()),
      train: z.number().int(),
      val: z.number().int(),
      epochs: z.number().int(),
      startEpoch: z.number().int(),
      warmup: z.number().int(),
      device: z.string(),
      precision: z.string(),
      channelsLast: z.boolean(),
      world: z.number().int(),
      parameters: z.number().int(),
      zeroLoss: z.number().nullable(),
      seed: z.number().int(),
      shuffleSeed: z.number().int(),
    })
    .strict(),
  z
    .object({
      event: z.literal('batch'),
      epoch: z.number().int(),
      batch: z.number().int(),
      batches: z.number().int(),
      loss: z.number(),
    })
    .strict(),
  z
    .object({
      event: z.literal('epoch'),
      epoch: z.number().int(),
      epochs: z.number().int(),
      trainLoss: z.number(),
      valLoss: z.number().nullable(),
      zeroLoss: z.number().nullable(),
      tc: z.number(),
      precision: perClass.nullable(),
      recall: perClass.nullable(),
      member: z.string().nullable(),
      seconds: z.number(),
    })
    .strict(),
  z
    .object({
      event: z.literal('member'),
      epoch: z.number().int(),
      file: z.string(),
      sha256: z.string(),
    })
    .strict(),
  z
    .object({
      event: z.literal('interrupted'),
      epoch: z.number().int().nullable(),
      finishedEpoch: z.number().int().nullable(),
    })
    .strict(),
  z
    .object({
      event: z.literal('done'),
      epochs: z.number().int(),
      members: z.number().int(),
      bundle: z.string(),
    })
    .strict(),
  z
    .object({
      event: z.literal('error'),
      code: z.string(),
      message: z.string(),
      file: z.string().optional(),
      field: z.string().optional(),
      hint: z.string().optional(),
    })
    .strict(),
]);
export type TrainerEvent = z.infer<typeof trainerEventSchema>;
export type TrainerEventOf<K extends TrainerEvent['event']> = Extract<TrainerEvent, { event: K }>;

/** Parses one stdout line; undefined when it is not a known event. */
export function parseTrainerEvent(line: string): TrainerEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const result = trainerEventSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}

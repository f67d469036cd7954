/**
 * One trunk, many voters: the shipped members distilled into one network with
 * a shared trunk and a head per member (bench/distil-student.py), judged
 * against its teachers on frames neither saw:
 * - agreement: the student ensemble's detections against the teachers' (same
 *   votes, T_C 0.5 per member, T_A 4), matched within 8 px; the vote-fraction
 *   error on matched detections;
 * - precision/recall of both against the generator's points (within 12 px);
 * - throughput: the student against the members, both on one single-thread
 *   session per core, each on its own frames (session-lanes.ts).
 *
 *   npm run bench -- distillation [-- --model BUNDLE --train-frames 160
 *     --test-frames 60 --steps 600 --seed 1 --work DIR]
 *
 * The training takes most of the time (about 9 minutes for 600 steps on two
 * cores); --work keeps the frames, the teacher heatmaps and each student between runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectObjects } from '../src/cores/ensemble/detect-objects.js';
import { voteStackFromSparse, type VoteStack } from '../src/cores/ensemble/vote-stack.js';
import { memberPath, readBundleFile } from '../src/formats/bundle-file.js';
import type { Detection } from '../src/formats/detections.js';
import { readTruthFile } from '../src/formats/truth-file.js';
import { EnsembleSession } from '../src/engines/inference/ensemble-session.js';
import { CACHE_FLOOR } from '../src/engines/inference/heatmap-cache.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { prepareModelInput, type ModelInput } from '../src/imaging/model-input.js';
import { readGreyImage } from '../src/imaging/read-image.js';
import { cpuModel } from './cpu-model.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'distillation'),
  options: {
    model: { type: 'string', default: join(root, 'models', 'demo', 'bundle.json') },
    'train-frames': { type: 'string', default: '160' },
    'test-frames': { type: 'string', default: '60' },
    steps: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
  },
});
const seed = Number(args.seed);
const work = args.work ?? join(tmpdir(), `dicentra-distillation-${seed}`);
await mkdir(work, { recursive: true });
const loaded = await readBundleFile(args.model!);
const { bundle } = loaded;
const classes = bundle.classes.length;
const memberBytes = await Promise.all(
  bundle.members.map((member) => readFile(memberPath(loaded, member))),
);
const M = memberBytes.length;
const TC = 0.5;
const TA = Math.min(4, M - 1);
console.log(`CPU: ${cpuModel()}; bundle ${loaded.path}: ${M} members; work ${work}`);

/** Frames of the shipped model's training kind (768×672 medium, scale 1). */
function synth(out: string, count: string, synthSeed: number): void {
  if (existsSync(join(out, 'truth.json'))) return;
  execFileSync(
    process.execPath,
    [
      join(root, 'dist', 'src', 'cli', 'main.js'),
      'synth',
      ...['--out', out, '--count', count, '--seed', String(synthSeed)],
      ...['--size', '768x672', '--scale', '1', '--split', '1,0,0', '-q'],
    ],
    { stdio: 'inherit' },
  );
}

const dimsOf = (input: ModelInput) =>
  [1, 1, input.paddedHeight, input.paddedWidth] as [number, number, number, number];

/** Runs `work` on every item, on one single-thread session per core, each on its own items. */
async function onLanes<T>(
  models: readonly Uint8Array[],
  items: readonly T[],
  work: (session: EnsembleSession, item: T, index: number) => Promise<void>,
): Promise<void> {
  const lanes = Math.min(4, availableParallelism());
  const sessions = await Promise.all(
    Array.from({ length: lanes }, () => EnsembleSession.open(models, { intraOpThreads: 1 })),
  );
  await Promise.all(
    sessions.map(async (session, lane) => {
      for (let i = lane; i < items.length; i += lanes) await work(session, items[i]!, i);
    }),
  );
  await Promise.all(sessions.map((session) => session.close()));
}

// 1. training frames and the members' heatmaps on them
const trainDir = join(work, 'train');
synth(trainDir, args['train-frames']!, seed);
const teacherDir = join(work, 'teachers');
if (!existsSync(join(teacherDir, 'frames.json'))) {
  await mkdir(teacherDir, { recursive: true });
  const truth = await readTruthFile(join(trainDir, 'truth.json'));
  const started = performance.now();
  const frames: object[] = [];
  await onLanes(memberBytes, truth.images, async (session, image, i) => {
    const input = prepareModelInput(await readGreyImage(join(trainDir, image.path)), bundle.input);
    const result = await session.run(input.data, dimsOf(input));
    const levels = new Uint16Array(M * result.outputs[0]![0]!.length);
    result.outputs.forEach(([heatmap], j) =>
      heatmap!.forEach((value, k) => {
        levels[j * heatmap!.length + k] = Math.round(Math.min(1, Math.max(0, value)) * 65535);
      }),
    );
    await writeFile(join(teacherDir, `${i}.input.f32`), Buffer.from(input.data.buffer));
    await writeFile(join(teacherDir, `${i}.teacher.u16`), Buffer.from(levels.buffer));
    frames[i] = {
      input: `${i}.input.f32`,
      teacher: `${i}.teacher.u16`,
      height: input.paddedHeight,
      width: input.paddedWidth,
    };
  });
  await writeFile(join(teacherDir, 'frames.json'), JSON.stringify({ members: M, classes, frames }));
  console.log(
    `teacher heatmaps on ${frames.length} frames: ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

// 2. the student
const studentPath = join(work, `student-${args.steps}.onnx`);
if (!existsSync(studentPath)) {
  const started = performance.now();
  execFileSync(
    '/usr/bin/python3',
    [
      join(root, 'bench', 'distil-student.py'),
      join(loaded.folder, 'weights.pt'),
      teacherDir,
      studentPath,
      args.steps!,
      String(seed),
    ],
    { stdio: 'inherit' },
  );
  console.log(
    `student trained: ${args.steps} steps of 8 crops of 256² in ${((performance.now() - started) / 60000).toFixed(1)} min`,
  );
}
const studentBytes = await readFile(studentPath);

// 3. on new frames: teachers (the product's inference loop) against the student
const testDir = join(work, 'test');
synth(testDir, args['test-frames']!, seed + 1000);
const testTruth = await readTruthFile(join(testDir, 'truth.json'));
const testImages = testTruth.images.map((image) => ({
  id: image.id,
  file: join(testDir, image.path),
}));
const stride = bundle.outputStride;
const teacherDetections: Detection[][][] = [];
let started = performance.now();
await forEachImageStacks(
  { loaded, members: bundle.members, images: testImages, cacheDir: null },
  (index, stacks) => {
    teacherDetections[index] = stacks.map((stack) =>
      detectObjects(stack, Array(M).fill(TC), TA, stride),
    );
  },
);
const teacherSeconds = (performance.now() - started) / 1000;

const studentDetections: Detection[][][] = [];
started = performance.now();
await onLanes([studentBytes], testImages, async (session, image, i) => {
  const input = prepareModelInput(await readGreyImage(image.file), bundle.input);
  const output = (await session.run(input.data, dimsOf(input))).outputs[0]![0]!;
  const frame = testTruth.images[i]!;
  const grid = { width: Math.ceil(frame.width / stride), height: Math.ceil(frame.height / stride) };
  const paddedGrid = { width: input.paddedWidth / stride, height: input.paddedHeight / stride };
  const plane = paddedGrid.width * paddedGrid.height;
  const stacks: VoteStack[] = [];
  for (let c = 0; c < classes; c++) {
    const members = Array.from({ length: M }, (_, j) => {
      const pixels: number[] = [];
      const values: number[] = [];
      const offset = (j * classes + c) * plane;
      for (let v = 0; v < grid.height; v++) {
        for (let u = 0; u < grid.width; u++) {
          const value = output[offset + v * paddedGrid.width + u]!;
          if (value > CACHE_FLOOR) {
            pixels.push(v * grid.width + u);
            values.push(value);
          }
        }
      }
      return { pixels, values };
    });
    stacks.push(voteStackFromSparse(members, grid, CACHE_FLOOR));
  }
  studentDetections[i] = stacks.map((stack) => detectObjects(stack, Array(M).fill(TC), TA, stride));
});
const studentSeconds = (performance.now() - started) / 1000;

/** Greedy one-to-one matching of points within `radius`, closest pairs first. */
function matchPairs(
  a: readonly { x: number; y: number }[],
  b: readonly { x: number; y: number }[],
  radius: number,
): [number, number][] {
  const candidates: [number, number, number][] = [];
  a.forEach((p, i) =>
    b.forEach((q, j) => {
      const d = Math.hypot(p.x - q.x, p.y - q.y);
      if (d <= radius) candidates.push([d, i, j]);
    }),
  );
  candidates.sort((x, y) => x[0] - y[0]);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: [number, number][] = [];
  for (const [, i, j] of candidates) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    pairs.push([i, j]);
  }
  return pairs;
}

const pct = (n: number, d: number) => (d > 0 ? ((100 * n) / d).toFixed(1) : '—');
console.log(
  `test: ${testImages.length} new 768×672 medium frames; T_C ${TC} per member, T_A ${TA}; the student's heads vote as the members do`,
);
bundle.classes.forEach((name, c) => {
  let teachers = 0;
  let students = 0;
  let matched = 0;
  let fractionError = 0;
  const truthCounts = { teacher: { tp: 0, det: 0 }, student: { tp: 0, det: 0 }, truth: 0 };
  testTruth.images.forEach((image, i) => {
    const t = teacherDetections[i]![c]!;
    const s = studentDetections[i]![c]!;
    teachers += t.length;
    students += s.length;
    const pairs = matchPairs(t, s, 8);
    matched += pairs.length;
    for (const [a, b] of pairs) fractionError += Math.abs(t[a]!.voteFraction - s[b]!.voteFraction);
    const points = image.objects
      .filter((object) => 'points' in object && object.type === name)
      .flatMap((object) => ('points' in object ? object.points : []))
      .map(([x, y]) => ({ x, y }));
    truthCounts.truth += points.length;
    truthCounts.teacher.tp += matchPairs(points, t, 12).length;
    truthCounts.teacher.det += t.length;
    truthCounts.student.tp += matchPairs(points, s, 12).length;
    truthCounts.student.det += s.length;
  });
  console.log(
    `  ${name}: the student finds ${pct(matched, teachers)}% of the teachers' ${teachers} detections; ` +
      `${pct(students - matched, students)}% of its ${students} are not theirs; vote fraction off by ` +
      `${matched > 0 ? (fractionError / matched).toFixed(3) : '—'} on average`,
  );
  console.log(
    `  ${name} against the generator's ${truthCounts.truth} points (12 px): teachers P/R ` +
      `${pct(truthCounts.teacher.tp, truthCounts.teacher.det)}/${pct(truthCounts.teacher.tp, truthCounts.truth)}, ` +
      `student P/R ${pct(truthCounts.student.tp, truthCounts.student.det)}/${pct(truthCounts.student.tp, truthCounts.truth)}`,
  );
});
console.log(
  `throughput: members ${(teacherSeconds / testImages.length).toFixed(2)} s/frame (the product's loop), ` +
    `student ${(studentSeconds / testImages.length).toFixed(2)} s/frame (both reading and decoding the frames): ` +
    `${(teacherSeconds / studentSeconds).toFixed(1)}×`,
);

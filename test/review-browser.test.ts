import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { makeTempDir, REPO_ROOT } from './support/paths.js';
import { writeReviewCase } from './support/review-case.js';
import { CLI, runCli } from './support/run-cli.js';

/** Starts `dicentra review` as a user would and waits for the address it prints. */
function startServer(caseDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'review', '--case', caseDir, '--reviewer', 'tester'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((text) => text.startsWith('http://127.0.0.1:'));
      if (line) resolve({ child, url: line.trim() });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

const stopped = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });

const panelText = (page: Page, field: string) =>
  page.locator(`[data-case="P1"] .${field}`).textContent();

/**
 * Waits until `selector` reads `text` (every change redraws the page after its reply); 20 s
 * because a machine busy with other work can take seconds to answer and redraw.
 */
async function waitText(page: Page, selector: string, text: string): Promise<void> {
  const until = Date.now() + 20000;
  let seen: string | null = null;
  while (Date.now() < until) {
    seen = await page.locator(selector).textContent();
    if (seen === text) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`${selector} reads "${seen}", not "${text}"`);
}

const expectDistribution = (page: Page, distribution: string) =>
  waitText(page, '[data-case="P1"] .distribution', distribution);

/** The dose shown: "D Gy [L, U]" → D, with L < D < U. */
async function shownDose(page: Page): Promise<number> {
  const text = (await panelText(page, 'dose'))!;
  const match = /^([\d.]+) Gy \[([\d.]+), ([\d.]+)\]$/.exec(text);
  assert.ok(match, `dose text "${text}"`);
  const [estimate, lower, upper] = match.slice(1).map(Number) as [number, number, number];
  assert.ok(lower < estimate && estimate < upper, text);
  return estimate;
}

test('review in Chromium: keyboard decisions, an added dicentric and an excluded cell survive a SIGKILL; exports equal the decisions', async () => {
  const dir = await makeTempDir('review-browser');
  const caseDir = join(dir, 'case');
  await writeReviewCase(caseDir);
  let server = await startServer(caseDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    // before review: c1 2, c2 1, c3 0, c4 1 dicentrics → C0…C2 = 1, 2, 1; Y = 1
    assert.equal(await panelText(page, 'distribution'), '1, 2, 1');
    assert.equal(await panelText(page, 'cells'), '4');
    // D = [−α + √(α² + 4β(Y − C))]/2β with C 0.00128, α 0.021, β 0.063: 3.8184 Gy at Y = 1
    assert.equal(await shownDose(page), 3.818);
    assert.equal(await page.locator('#progress').textContent(), '0/5');
    // the most doubtful candidate first: c2's dicentric with 1 vote of 4
    assert.match(
      (await page.locator('#tile-info').textContent())!,
      /dicentric in cell c2 · votes 1/,
    );

    await page.keyboard.press('r');
    await expectDistribution(page, '2, 1, 1'); // c2 rejected: 2, 0, 0, 1
    await page.keyboard.press('a'); // c1's 2-vote dicentric
    await waitText(page, '#progress', '2/5');
    await page.keyboard.press('z'); // undo brings it back to unreviewed
    await waitText(page, '#progress', '1/5');
    assert.match(
      (await page.locator('#tile-info').textContent())!,
      /in cell c1 · votes 2 .* frame resized ×0\.80 · unreviewed/,
    );
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('a');
      await waitText(page, '#progress', `${i + 2}/5`);
    }
    assert.equal(await panelText(page, 'accepted-dicentric'), '3');
    assert.equal(await panelText(page, 'accepted-fragment'), '1');

    // the whole of c4 (the last candidate's cell), then back to c3, which has no candidate
    await page.keyboard.press('c');
    await waitText(page, '#cell-name', 'c4');
    await page.keyboard.press('[');
    await waitText(page, '#cell-name', 'c3');
    await page.keyboard.press('m'); // add a missed aberration of the selected class (dicentric)
    const box = (await page.locator('#cell-image').boundingBox())!;
    await page.mouse.click(box.x + (20.5 / 32) * box.width, box.y + (12.5 / 32) * box.height);
    await expectDistribution(page, '1, 2, 1'); // c3 now 1: 2, 0, 1, 1
    await page.keyboard.press('[');
    await waitText(page, '#cell-name', 'c2');
    await page.keyboard.press('x'); // exclude c2 (reason: the first of the list)
    await expectDistribution(page, '0, 2, 1'); // c1 2, c3 1, c4 1 over 3 cells; Y = 4/3
    assert.equal(await panelText(page, 'cells'), '3');
    assert.equal(await panelText(page, 'excluded-cells'), '1');
    assert.equal(await shownDose(page), 4.435); // 4.4346 Gy at Y = 4/3
    await page.keyboard.press('[');
    await waitText(page, '#cell-name', 'c1');
    const screenshot = process.env.DICENTRA_UPDATE_SCREENSHOTS
      ? join(REPO_ROOT, 'docs', 'img', 'review.png')
      : join(dir, 'review.png');
    await mkdir(join(screenshot, '..'), { recursive: true });
    await page.screenshot({ path: screenshot });
    assert.deepEqual(failures, []);

    // kill -9 the server: every acknowledged change is already on disk
    await stopped(server.child, 'SIGKILL');
    server = await startServer(caseDir);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await panelText(page, 'distribution'), '0, 2, 1');
    assert.equal(await page.locator('#progress').textContent(), '5/5');
    const token = new URL(server.url).searchParams.get('token')!;
    const response = await fetch(new URL('/api/case', server.url), {
      headers: { 'x-dicentra-token': token },
    });
    const state = (await response.json()) as {
      candidates: { id: string; decision: string }[];
      images: { id: string; included: boolean; reason: string | null }[];
      added: { image: string; class: string; x: number; y: number; reviewer: string }[];
    };
    assert.deepEqual(Object.fromEntries(state.candidates.map((c) => [c.id, c.decision])), {
      'c2/dicentric/0': 'rejected',
      'c1/dicentric/0': 'accepted',
      'c1/fragment/0': 'accepted',
      'c1/dicentric/1': 'accepted',
      'c4/dicentric/0': 'accepted',
    });
    assert.deepEqual(
      state.images.map((image) => [image.id, image.included, image.reason]),
      [
        ['c1', true, null],
        ['c2', false, 'not a scorable metaphase'],
        ['c3', true, null],
        ['c4', true, null],
      ],
    );
    assert.equal(state.added.length, 1);
    const [added] = state.added;
    assert.equal(added!.image, 'c3');
    assert.equal(added!.class, 'dicentric');
    assert.equal(added!.reviewer, 'tester');
    assert.ok(Math.abs(added!.x - 20.5) < 0.6 && Math.abs(added!.y - 12.5) < 0.6, `${added!.x}`);

    // the exports, while the server runs and after it stops (Ctrl-C: exit 130)
    const csv = join(dir, 'case.csv');
    const counts = await runCli([
      ...['counts', '--detections', join(caseDir, 'detections.json')],
      ...['--review', caseDir, '--out', csv],
    ]);
    assert.equal(counts.code, 0, counts.stderr);
    assert.equal(await readFile(csv, 'utf8'), 'ID,C0,C1,C2\nP1,0,2,1\n');
    assert.equal(await stopped(server.child, 'SIGINT'), 130);
    const out = join(dir, 'reviewed', 'dataset.json');
    const exported = await runCli(['review', 'export', '--case', caseDir, '--dataset', out]);
    assert.equal(exported.code, 0, exported.stderr);
    const dataset = JSON.parse(await readFile(out, 'utf8')) as {
      images: { id: string; path: string; points: Record<string, [number, number][]> }[];
    };
    assert.deepEqual(
      dataset.images.map((image) => [
        image.id,
        image.points.dicentric!.length,
        image.points.fragment,
      ]),
      [
        ['c1', 2, [[22, 6]]],
        ['c3', 1, []],
        ['c4', 1, []],
      ],
    );
    assert.deepEqual(dataset.images[0]!.points.dicentric, [
      [6, 6],
      [14, 6],
    ]);
    // the images stay in the case folder, outside the dataset's: absolute paths
    assert.equal(dataset.images[0]!.path, join(await realpath(caseDir), 'images', 'c1.png'));
  } finally {
    await browser.close();
    server.child.kill('SIGKILL');
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './support/browser.js';
import { makeTempDir, REPO_ROOT } from './support/paths.js';
import { runCli } from './support/run-cli.js';

interface DemoDocument {
  ok: boolean;
  report: string;
  doses: {
    id: string;
    trueDoseGy: number;
    dose: { estimate: number; lower: number; upper: number };
  }[];
  reusedSteps: string[];
}

test('the demo runs end to end with the shipped ensemble, its report opens offline and shows three dose estimates, and a rerun reuses every step', async () => {
  const out = await makeTempDir('demo');
  const args = [
    'demo',
    '--quick',
    '--out',
    out,
    '--model',
    join(REPO_ROOT, 'models', 'demo', 'bundle.json'),
    '--json',
  ];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  const document = JSON.parse(first.stdout) as DemoDocument;
  assert.equal(document.ok, true);
  assert.deepEqual(
    document.doses.map((d) => [d.id, d.trueDoseGy]),
    [
      ['dose-0.5', 0.5],
      ['dose-1.5', 1.5],
      ['dose-3', 3],
    ],
  );
  for (const { dose } of document.doses)
    assert.ok(dose.lower <= dose.estimate && dose.estimate <= dose.upper);
  assert.match(first.stderr, /Ensemble shipped with dicentra/);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => failures.push(request.url()));
    await page.goto(pathToFileURL(document.report).href);
    const rows = page.locator('#doses table tbody tr');
    assert.equal(await rows.count(), 3);
    for (const [index, { id, dose }] of document.doses.entries()) {
      const cells = await rows.nth(index).locator('td').allTextContents();
      assert.equal(cells[0], id);
      assert.equal(
        cells[5],
        `${dose.estimate.toFixed(2)} [${dose.lower.toFixed(2)}, ${dose.upper.toFixed(2)}]`,
      );
    }
    assert.ok((await page.locator('#calibration svg').count()) >= 1, 'calibration figure');
    assert.ok((await page.locator('#detection svg').count()) >= 2, 'precision/recall figures');
    assert.ok((await page.locator('#examples img').count()) >= 1, 'example detections');
    assert.deepEqual(failures, []);
  } finally {
    await browser.close();
  }

  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  const again = JSON.parse(second.stdout) as DemoDocument;
  assert.deepEqual(again.reusedSteps, [
    'synth-test',
    'synth-calibration',
    'synth-persons',
    'calibrate',
    'dose',
    'evaluate',
    'detect',
  ]);
  assert.deepEqual(again.doses, document.doses);
});

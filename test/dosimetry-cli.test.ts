import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './support/run-cli.js';
import { makeTempDir, REFS } from './support/paths.js';
import { fitReferenceCurve } from './support/reference-curve.js';

const DATA = join(REFS, 'biodosetools', 'data');

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

test('curve fit then dose: the reference calibration and cases end to end', async () => {
  const dir = await makeTempDir('dosimetry-cli');
  const curvePath = join(dir, 'curve.json');
  const fit = await runCli([
    'curve',
    'fit',
    '--counts',
    join(DATA, 'count-data-barquinero-1995.csv'),
    '--out',
    curvePath,
    '--json',
  ]);
  assert.equal(fit.code, 0, fit.stderr);
  const fitDocument = JSON.parse(fit.stdout);
  assert.equal(fitDocument.curve.family, 'poisson');
  const curve = JSON.parse(await readFile(curvePath, 'utf8'));
  assert.equal(curve.version, '1.1');
  assert.equal(curve.irradiation, undefined);
  assert.deepEqual(
    curve.coefficients.map((c: { estimate: number }) => Number(c.estimate.toFixed(4))),
    [0.0013, 0.021, 0.063],
  );
  assert.equal(curve.countTable.rows.length, 11);

  const dose = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
    '--json',
  ]);
  assert.equal(dose.code, 0, dose.stderr);
  const document = JSON.parse(dose.stdout);
  assert.equal(document.method, 'merkle');
  assert.deepEqual(document.confidence, [0.83, 0.83]);
  const example1 = document.cases[0].dose;
  // Biodose Tools' Merkle 83%–83% for example1: (1.541, 1.931, 2.421) Gy.
  assert.deepEqual(
    [example1.lower, example1.estimate, example1.upper].map((v: number) => Number(v.toFixed(3))),
    [1.541, 1.931, 2.421],
  );

  const human = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
    '--method',
    'dolphin',
  ]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /example1: N 361, X 100/);
  assert.match(human.stdout, /dose 4\.138 \[3\.493, 4\.783\] Gy/);

  const protracted = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
    '--exposure',
    'protracted',
    '--time-h',
    '4',
    '--method',
    'delta',
    '--json',
  ]);
  assert.equal(protracted.code, 0, protracted.stderr);
  const slow = JSON.parse(protracted.stdout);
  assert.ok(slow.exposure.g < 1);
  assert.ok(slow.cases[0].dose.estimate > example1.estimate, 'a protracted dose is higher');
});

test('malformed count tables are refused with line, column and a fix; nothing is written', async () => {
  const dir = await makeTempDir('dosimetry-bad');
  const table = join(dir, 'bad.csv');
  await writeFile(table, 'D , C0, C1\n0, 100, -1\n , 50, 2\n1, 7.5, 3\n');
  const out = join(dir, 'curve.json');
  const run = await runCli(['curve', 'fit', '--counts', table, '--out', out, '--json']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_COUNTS_INVALID/);
  assert.match(run.stderr, /line 2, column C1: negative count -1/);
  assert.match(run.stderr, /line 3, column D: missing dose/);
  assert.match(run.stderr, /line 4, column C0: count 7\.5 is not a whole number/);
  assert.match(run.stderr, /hint: /);
  assert.equal(JSON.parse(run.stdout).error.code, 'DCN_E_COUNTS_INVALID');
  assert.equal(await exists(out), false);

  await writeFile(table, 'D,C0,C2\n0,100,1\n');
  const gap = await runCli(['curve', 'fit', '--counts', table, '--out', out]);
  assert.equal(gap.code, 2);
  assert.match(gap.stderr, /not a known count-table layout/);

  const caseAsCalibration = await runCli([
    'curve',
    'fit',
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
    '--out',
    out,
  ]);
  assert.equal(caseAsCalibration.code, 2);
  assert.match(caseAsCalibration.stderr, /is a case table/);
});

test('a curve that cannot reach the observed yield exits 1 naming the case', async () => {
  const dir = await makeTempDir('dosimetry-invert');
  const curvePath = join(dir, 'falling.json');
  const zero = { statistic: 1, pValue: 0.5 };
  await writeFile(
    curvePath,
    JSON.stringify({
      version: '1.0',
      aberration: 'dicentric',
      model: 'lq',
      family: 'poisson',
      familyChoice: 'poisson',
      method: 'glm',
      coefficients: [
        { name: 'C', estimate: 0.001, stdError: 1e-4, ...zero },
        { name: 'alpha', estimate: 0.01, stdError: 1e-4, ...zero },
        { name: 'beta', estimate: -0.001, stdError: 1e-5, ...zero },
      ],
      varCov: [
        [1e-8, 0, 0],
        [0, 1e-8, 0],
        [0, 0, 1e-10],
      ],
      correlation: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      dispersion: null,
      pearsonDispersion: 1,
      statistics: { logLik: null, deviance: 0, df: 1, aic: null, bic: null },
      countTable: { layout: 'aggregated', rows: [{ doseGy: 0, cells: 10, aberrations: 0 }] },
      warnings: [],
    }),
  );
  const run = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
    '--method',
    'delta',
  ]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /DCN_E_CURVE_NOT_INVERTIBLE/);
  assert.match(run.stderr, /case "example1"/);
});

test('delta below the curve intercept: the reference [0, 0] is kept, with a warning; Merkle gives an upper limit', async () => {
  const dir = await makeTempDir('dosimetry-delta-zero');
  const curvePath = await fitReferenceCurve(dir);
  // no dicentric in 500 cells: yield 0, below the fitted C = 0.00128
  const cases = join(dir, 'cases.csv');
  await writeFile(cases, 'ID,C0,C1\nclean,500,0\nexposed,480,20\n');
  const delta = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    cases,
    '--method',
    'delta',
    '--json',
  ]);
  assert.equal(delta.code, 0, delta.stderr);
  const byId = Object.fromEntries(
    JSON.parse(delta.stdout).cases.map((c: { id: string; dose: object }) => [c.id, c.dose]),
  );
  assert.deepEqual(byId.clean, { lower: 0, estimate: 0, upper: 0 });
  assert.match(delta.stderr, /clean: the yield is below the curve's intercept C/);
  assert.doesNotMatch(delta.stderr, /exposed:/);
  const merkle = await runCli(['dose', '--curve', curvePath, '--counts', cases, '--json']);
  assert.equal(merkle.code, 0, merkle.stderr);
  const clean = JSON.parse(merkle.stdout).cases[0].dose;
  assert.equal(clean.estimate, 0);
  assert.ok(clean.upper > 0, `Merkle's upper limit ${clean.upper}`);
  assert.doesNotMatch(merkle.stderr, /intercept/);
});

test('curve.json is validated strictly on load', async () => {
  const dir = await makeTempDir('dosimetry-schema');
  const curvePath = join(dir, 'curve.json');
  await writeFile(curvePath, JSON.stringify({ version: '1.0', model: 'lq', extra: 1 }));
  const run = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_SCHEMA_INVALID/);
  await writeFile(curvePath, JSON.stringify({ version: '2.0' }));
  const newer = await runCli([
    'dose',
    '--curve',
    curvePath,
    '--counts',
    join(DATA, 'cases-data-partial.csv'),
  ]);
  assert.match(newer.stderr, /DCN_E_VERSION_UNSUPPORTED/);
});

test('curve fit --irradiation keeps the conditions in curve.json; a misspelt field is refused and nothing written', async () => {
  const dir = await makeTempDir('dosimetry-irradiation');
  const conditions = {
    radiationQuality: '60Co gamma rays',
    doseRateGyPerMin: 0.27,
    temperatureC: 37,
  };
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify(conditions));
  const counts = join(DATA, 'count-data-barquinero-1995.csv');
  const fit = await runCli([
    'curve',
    'fit',
    '--counts',
    counts,
    '--irradiation',
    good,
    '--out',
    join(dir, 'curve.json'),
  ]);
  assert.equal(fit.code, 0, fit.stderr);
  assert.deepEqual(
    JSON.parse(await readFile(join(dir, 'curve.json'), 'utf8')).irradiation,
    conditions,
  );

  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ ...conditions, doseRate: 0.27 }));
  const refused = await runCli([
    'curve',
    'fit',
    '--counts',
    counts,
    '--irradiation',
    bad,
    '--out',
    join(dir, 'refused.json'),
  ]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /bad\.json/);
  assert.match(refused.stderr, /doseRate/);
  assert.equal(await exists(join(dir, 'refused.json')), false);
});

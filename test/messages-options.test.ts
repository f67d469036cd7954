import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { runCli } from './support/run-cli.js';

test('a misspelt flag of a command with required options gets "did you mean", exit 2', async () => {
  for (const [command, typo, meant] of [
    ['detect', '--modle', '--model'],
    ['dose', '--curv', '--curve'],
    ['synth', '--outt', '--out'],
    ['evaluate', '--modle', '--model'],
  ] as const) {
    const run = await runCli([command, typo, 'x']);
    assert.equal(run.code, 2, `${command}: ${run.stderr}`);
    assert.match(run.stderr, /^error\[DCN_E_USAGE\]/, command);
    assert.ok(
      run.stderr.includes(`unknown option '${typo}' (Did you mean ${meant}?)`),
      `${command}: ${run.stderr}`,
    );
  }
});

test('a missing required option is still reported once the flags are known', async () => {
  const run = await runCli(['detect', '--images', 'x', '--out', 'y']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /DCN_E_USAGE.*required option '--model/);
});

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

test('--help shows every default as it would be typed, never as JSON', () => {
  const program = buildProgram(new AbortController().signal);
  const helps = allCommands(program).map((command) => command.helpInformation());
  assert.ok(helps.length > 12);
  for (const help of helps) assert.doesNotMatch(help, /\(default: [[{]/);
  const synth = program.commands.find((command) => command.name() === 'synth')!;
  const text = synth.helpInformation();
  assert.match(text, /--size <WxH> .*\(default: 1008x888\)/);
  assert.match(text, /--dose-range <low,high> .*\(default: 0,5\)/);
  assert.match(text, /--split <train,val,test> .*\(default: 0\.8,0\.1,0\.1\)/);
});

test('the default written in --help is the value used', () => {
  const program = buildProgram(new AbortController().signal);
  const synth = program.commands.find((command) => command.name() === 'synth')!;
  synth.parseOptions([]);
  const limits = program.commands.find((command) => command.name() === 'limits')!;
  limits.parseOptions([]);
  assert.deepEqual(synth.opts().size, { width: 1008, height: 888 });
  assert.deepEqual(synth.opts().doseRange, [0, 5]);
  assert.deepEqual(synth.opts().split, { train: 0.8, val: 0.1, test: 0.1 });
  assert.deepEqual(limits.opts().cells, [20, 50, 100, 200, 500, 1000]);
});

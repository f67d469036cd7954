import type { Command, Option } from 'commander';

/**
 * commander checks required options before unknown ones, so `detect --modle b`
 * would say "required option '--model' not specified" and never "did you mean
 * --model?". This moves the required-option check of every command into a
 * preAction hook, which runs after the unknown-option check.
 */
export function deferRequiredOptions(program: Command): void {
  const required = new Set<Option>();
  const visit = (command: Command): void => {
    for (const option of command.options) {
      if (!option.mandatory) continue;
      option.mandatory = false;
      required.add(option);
    }
    command.commands.forEach(visit);
  };
  visit(program);
  program.hook('preAction', (_program, action) => {
    for (const option of action.options) {
      if (required.has(option) && action.getOptionValue(option.attributeName()) === undefined) {
        action.error(`error: required option '${option.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
      }
    }
  });
}

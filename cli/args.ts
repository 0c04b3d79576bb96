/** Command-line parsing shared by the `attrib` commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AttribError } from '../common/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly (unknown options and stray values are
 * refused); a mistake becomes one `bad_parameter` line pointing at the
 * command's --help, exit code 2.
 */
export function parseCommand<const T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, strict: true, options }).values;
  } catch (e) {
    throw new AttribError('bad_parameter', `${(e as Error).message.split('\n')[0]}. Run 'attrib ${command} --help'`);
  }
}

/** A numeric option's value; undefined when absent. @throws AttribError `bad_parameter` naming the option. */
export function numberOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new AttribError('bad_parameter', `--${name} must be a number, got '${v}'`);
  return n;
}

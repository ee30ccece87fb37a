import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './usage-error.js';

/**
 * Runs node's `parseArgs` (strict), turning its errors into one-line {@link CliUsageError}s
 * that name the option and never its value (a mistyped `--token-file=…` or a key path
 * must not end up in a log as given).
 *
 * @param command - the subcommand, for messages (`check`, `agent`)
 * @throws {@link CliUsageError} for an unknown option, a missing value, a value given to a switch
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
  allowPositionals: boolean,
): ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    // "Unknown option '--x'", "Option '-i, --key <value>' argument missing": the long name when there is one.
    const option = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1];
    const see = ` (see hostgrid ${command} --help)`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new CliUsageError(`${command}: unknown option ${option ?? '(unreadable)'}${see}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new CliUsageError(`${command}: takes no arguments besides its options${see}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
      throw new CliUsageError(/does not take/.test(message) ? `${command}: ${option} takes no value${see}` : `${command}: ${option} needs a value${see}`);
    }
    throw new CliUsageError(`${command}: cannot read the command line${see}`);
  }
}

/**
 * A whole number option within bounds.
 *
 * @throws {@link CliUsageError} naming the option and the value (use only for numbers, never secrets)
 */
export function wholeNumber(command: string, option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new CliUsageError(`${command}: --${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/**
 * A number of seconds, positive and at most `max`, returned in ms.
 *
 * @throws {@link CliUsageError} naming the option and the value
 */
export function seconds(command: string, option: string, text: string | undefined, fallbackS: number, max: number): number {
  if (text === undefined) return fallbackS * 1000;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0 && value <= max)) throw new CliUsageError(`${command}: --${option} must be a positive number of seconds up to ${max}, got "${text}"`);
  return Math.ceil(value * 1000);
}

/**
 * A file or folder option, which must not be blank. Its value is a path, safe to name.
 *
 * @throws {@link CliUsageError} when it is blank
 */
export function pathOption(command: string, option: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw new CliUsageError(`${command}: --${option} needs a path`);
  return text;
}

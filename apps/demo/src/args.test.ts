import { describe, expect, it } from 'vitest';
import { USAGE, UsageError, parseCliArgs } from './args.js';
import { DEFAULT_CONFIG } from './config.js';

describe('parseCliArgs', () => {
  it('fills in the defaults', () => {
    expect(parseCliArgs([])).toEqual({ help: false, config: DEFAULT_CONFIG, transport: 'local', sequential: false, display: false });
  });

  it('reads every flag', () => {
    const cli = parseCliArgs([
      '--replicas', '6', '--rounds', '7', '--sweeps', '3', '--size', '8', '--tmin', '1.5', '--tmax=4',
      '--seed', '0', '--transport', 'local', '--out', 'out', '--display', '--sequential',
    ]);
    expect(cli).toEqual({
      help: false,
      config: { replicas: 6, rounds: 7, sweeps: 3, size: 8, tmin: 1.5, tmax: 4, seed: 0 },
      transport: 'local',
      sequential: true,
      display: true,
      out: 'out',
    });
  });

  it('recognises --help and -h', () => {
    expect(parseCliArgs(['--help']).help).toBe(true);
    expect(parseCliArgs(['-h']).help).toBe(true);
    expect(USAGE).toContain('--replicas');
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--replicas'], /argument missing/],
    [['--replicas', 'four'], /--replicas must be a whole number from 2 to 256, got "four"/],
    [['--replicas', '1'], /--replicas/],
    [['--rounds', '0'], /--rounds must be a whole number at least 1/],
    [['--sweeps', '2.5'], /--sweeps/],
    [['--size', '1'], /--size/],
    [['--tmin', '0'], /--tmin must be a positive number, got "0"/],
    [['--tmin=-1'], /--tmin must be a positive number, got "-1"/],
    [['--tmax', 'hot'], /--tmax must be a positive number/],
    [['--tmin', '3', '--tmax', '2'], /--tmax \(2\) must not be lower than --tmin \(3\)/],
    [['--seed', '4294967296'], /--seed/],
    [['--transport', 'ssh'], /transport ssh is not available yet/],
    [['positional'], /unexpected argument 'positional'/],
    [['--display=yes'], /--display/],
  ])('refuses %j with a one-line message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
    try {
      parseCliArgs(argv);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

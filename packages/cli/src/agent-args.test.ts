import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from './agent-args.js';

const BASE = ['--connect', 'ws://controller:7000', '--host', 'gpu1', '--slots', '8'];

describe('hostgrid agent command line', () => {
  it('hands the options to hostgrid-worker --connect', () => {
    expect(parseAgentArgs([...BASE, '--token-file', '/run/secrets/hg', '--ca', 'ca.pem', '--retry-for', '60'], {})).toEqual({
      help: false,
      workerArgs: [...BASE, '--token-file', '/run/secrets/hg', '--ca', 'ca.pem', '--retry-for', '60'],
    });
    expect(parseAgentArgs(BASE, { HOSTGRID_TOKEN: 'from-the-environment' })).toEqual({ help: false, workerArgs: BASE });
  });

  it('refuses --token, never echoing it', () => {
    for (const args of [[...BASE, '--token', 'hunter2hunter2hunter2'], [...BASE, '--token=hunter2hunter2hunter2']]) {
      expect(() => parseAgentArgs(args, {})).toThrow(expect.objectContaining({ message: expect.stringContaining('--token is not taken') }));
      expect(() => parseAgentArgs(args, {})).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
    }
  });

  it.each([
    [[...BASE.slice(2)], '--connect is needed'],
    [[...BASE.slice(0, 4)], '--slots is needed'],
    [BASE, 'no token: give --token-file FILE'],
    [[...BASE, '--token-fd', '3'], 'unknown option --token-fd'],
    [[...BASE, '--ticket=abc'], 'unknown option --ticket'],
    [[...BASE, 'extra'], 'takes no arguments besides its options'],
  ])('refuses %j', (args, message) => {
    expect(() => parseAgentArgs(args, {})).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';
import { DEFAULT_RETRY_FOR_SEC } from './connect-args.js';

describe('parseCliArgs --connect', () => {
  it('reads a slot worker\'s --token-fd (the agent hands it the token on a pipe), and refuses it beside another token source', () => {
    expect(parseCliArgs(['--connect', 'ws://c:1', '--host', 'h', '--slot', '0', '--ticket', 't', '--token-fd', '3'])).toMatchObject({ role: 'slot', tokenFd: 3 });
    expect(parseCliArgs(['--connect', 'ws://c:1', '--host', 'h', '--slot', '0', '--ticket', 't', '--token-fd', '3', '--token-file', 'f'])).toMatchObject({ kind: 'error' });
    expect(parseCliArgs(['--connect', 'ws://c:1', '--host', 'h', '--slot', '0', '--ticket', 't', '--token-fd', '1'])).toMatchObject({ kind: 'error' });
  });

  it('reads a host agent: url, host, slots, and the optional CA, retry time and token file', () => {
    expect(parseCliArgs(['--connect', 'ws://10.0.0.1:7000', '--host', 'gpu1', '--slots', '8'])).toEqual({
      kind: 'connect',
      url: 'ws://10.0.0.1:7000',
      host: 'gpu1',
      role: 'agent',
      slots: 8,
      slot: 0,
      ticket: '',
      retryForSec: DEFAULT_RETRY_FOR_SEC,
    });
    expect(parseCliArgs(['--connect=wss://ctl:7000', '--host=h', '--slots=2', '--ca', 'ca.pem', '--retry-for', '2.5', '--token-file', '/run/token'])).toMatchObject({
      url: 'wss://ctl:7000',
      role: 'agent',
      ca: 'ca.pem',
      retryForSec: 2.5,
      tokenFile: '/run/token',
    });
    expect(parseCliArgs(['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--token', 's3cret-s3cret-s3'])).toMatchObject({ token: 's3cret-s3cret-s3' });
  });

  it('reads a slot worker started by an agent: --slot and --ticket instead of --slots', () => {
    expect(parseCliArgs(['--connect', 'ws://c:1', '--host', 'h', '--slot', '3', '--ticket', 'abc', '--ca', '/x/ca.pem'])).toMatchObject({ role: 'slot', slot: 3, ticket: 'abc', ca: '/x/ca.pem' });
  });

  it('says --help wins over everything', () => {
    expect(parseCliArgs(['--connect', 'ws://c:1', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--connect', 'http://c:1', '--host', 'h', '--slots', '1'], '--connect needs a ws:// or wss:// URL, got "http://c:1"'],
    [['--connect', 'ws://c:1', '--slots', '1'], '--connect needs --host <name>: the name of this host in the grid'],
    [['--connect', 'ws://c:1', '--host', 'h'], '--connect needs --slots <n>: how many workers this host runs'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '0'], '--slots needs an integer from 1 to 65535, got "0"'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', 'x'], '--slots needs an integer from 1 to 65535, got "x"'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slot', '1'], '--slot and --ticket go together (an agent passes both to the workers it starts)'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--slot', '1', '--ticket', 't'], 'give --slots (an agent) or --slot with --ticket (a slot worker), not both'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--retry-for', '-1'], '--retry-for needs a number of seconds >= 0, got "-1"'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--token', 'a', '--token-file', 'f'], 'give one of --token and --token-file'],
    [['--connect', 'ws://c:1', '--host', '--slots', '1'], '--host needs a value'],
    [['--connect', 'ws://c:1', '--host', 'h', '--host', 'i', '--slots', '1'], '--host is given twice'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--fd', '3'], 'unknown argument "--fd" with --connect'],
    [['--connect', 'ws://c:1', '--host', 'h', '--slots', '1', '--tokn=s3cret-token'], 'unknown argument "--tokn" with --connect'],
  ])('refuses %j with one clear message', (args, message) => {
    expect(parseCliArgs(args)).toEqual({ kind: 'error', message });
  });
});

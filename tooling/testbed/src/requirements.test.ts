import { describe, expect, it } from 'vitest';
import { Requirements, which } from './requirements.js';

describe('Requirements', () => {
  it('passes when every piece is there (as root)', () => {
    const needs = new Requirements('provision.sh');
    expect(needs.command('sh', 'dash')).toBe(which('sh'));
    expect(needs.executable('/bin/sh', 'dash')).toBe('/bin/sh');
    needs.need(true, 'anything', 'some-package');
    expect(() => needs.check()).not.toThrow();
  });

  it('throws one MissingInfrastructureError naming every missing piece, its packages and the provision script', () => {
    const needs = new Requirements('provision-slurm.sh');
    expect(needs.command('hostgrid-no-such-command', 'no-such-package')).toBe('hostgrid-no-such-command');
    needs.executable('/nonexistent/hostgrid-daemon', 'no-such-daemon', 'hostgrid-daemon');
    needs.need(false, 'the nobody-else user', 'no-such-package');
    expect(() => needs.check()).toThrow(
      expect.objectContaining({
        name: 'MissingInfrastructureError',
        missing: [
          'hostgrid-no-such-command (no-such-package)',
          'hostgrid-daemon (no-such-daemon)',
          'the nobody-else user (no-such-package)',
        ],
        packages: ['no-such-package', 'no-such-daemon'],
        script: 'provision-slurm.sh',
      }),
    );
    expect(() => needs.check()).toThrow(/tooling\/testbed\/scripts\/provision-slurm\.sh.*apt-get install -y no-such-package no-such-daemon /);
  });
});

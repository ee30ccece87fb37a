import { resolveHosts } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { hostSettings } from './options.js';

const [host] = resolveHosts([{ name: 'h1' }]);

describe('ssh host settings', () => {
  it('refuses a negative or NaN connectTimeoutMs with a RangeError naming the host and the option', () => {
    for (const connectTimeoutMs of [-1, Number.NaN]) {
      expect(() => hostSettings(host!, { connectTimeoutMs }, '/home/u', 'u')).toThrow(new RangeError(`[hostgrid] ssh host "h1": "connectTimeoutMs" must be a number of ms >= 0, got ${connectTimeoutMs}`));
    }
    expect(hostSettings(host!, {}, '/home/u', 'u').connectTimeoutMs).toBe(20_000);
  });
});

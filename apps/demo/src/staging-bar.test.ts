import { describe, expect, it } from 'vitest';
import { formatStaging } from './staging-bar.js';

describe('formatStaging', () => {
  it('draws files and bytes done of total as a bar', () => {
    expect(formatStaging({ host: 'h1', filesDone: 1, filesTotal: 4, bytesDone: 512, bytesTotal: 2048 })).toBe(
      'staging h1           [######..................]  1/4 files  0.5 kB of 2.0 kB',
    );
  });

  it('shows a full bar when there was nothing to send', () => {
    expect(formatStaging({ host: 'h1', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 })).toContain(`[${'#'.repeat(24)}]  0/0 files`);
  });
});

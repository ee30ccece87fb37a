import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from './html.js';
import { linearScale, niceTicks, tickLabel } from './svg.js';

describe('niceTicks', () => {
  it('gives round steps covering the range', () => {
    expect(niceTicks(0, 50, 8)).toMatchObject({ lo: 0, hi: 50, step: 10 });
    expect(niceTicks(0, 50, 10)).toMatchObject({ lo: 0, hi: 50, step: 5 });
    expect(niceTicks(-1.93, -0.41, 8)).toMatchObject({ lo: -2, hi: -0.4, step: 0.2 });
    expect(niceTicks(0, 1, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('widens a flat range and survives non-finite input', () => {
    const flat = niceTicks(3, 3);
    expect(flat.lo).toBeLessThan(3);
    expect(flat.hi).toBeGreaterThan(3);
    expect(niceTicks(Number.NaN, 1).ticks).toEqual([0, 1]);
  });

  it('labels ticks with the decimals the step needs', () => {
    expect(tickLabel(0.4, 0.2)).toBe('0.4');
    expect(tickLabel(10, 5)).toBe('10');
    expect(tickLabel(0.05, 0.01)).toBe('0.05');
  });
});

describe('linearScale', () => {
  it('maps a domain onto a range, a flat domain to its middle', () => {
    expect(linearScale(0, 10, 100, 200)(5)).toBe(150);
    expect(linearScale(0, 10, 200, 100)(10)).toBe(100);
    expect(linearScale(1, 1, 0, 10)(1)).toBe(5);
  });
});

describe('escaping', () => {
  it('escapes HTML and keeps JSON in a script element inert', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const tricky = { name: '</script><script>alert(1)</script>', sep: '\u2028' };
    const text = jsonForScript(tricky);
    expect(text).not.toContain('</script');
    expect(text).not.toContain('\u2028');
    expect(JSON.parse(text)).toEqual(tricky);
  });
});

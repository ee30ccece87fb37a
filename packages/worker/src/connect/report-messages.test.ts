import { decode, encode, parseAgentReport } from '@hostgrid/protocol';
import { describe, expect, it } from 'vitest';
import { reportMessages } from './report-messages.js';

const LIMIT = 1024;
const reports = (messages: Uint8Array[]) => messages.map((message) => parseAgentReport(decode(message)));

describe('reportMessages', () => {
  it('sends a report that fits as it is', () => {
    const report = { type: 'output', slot: 1, stream: 'stdout', text: 'hello' } as const;
    expect(reportMessages(report, LIMIT)).toEqual([encode(report)]);
  });

  it('splits output over the limit into messages that each fit and together carry the text, pairs kept whole', () => {
    const text = `${'a'.repeat(999)}${'😀'.repeat(2000)}é`;
    const messages = reportMessages({ type: 'output', slot: 0, stream: 'stderr', text }, LIMIT);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(message.byteLength).toBeLessThanOrEqual(LIMIT);
    const pieces = reports(messages).map((report) => (report.type === 'output' ? report.text : ''));
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  });

  it('answers a reply over the limit with an error naming both sizes', () => {
    const messages = reportMessages({ type: 'reply', id: 7, value: new Uint8Array(4 * LIMIT) }, LIMIT);
    expect(reports(messages)).toEqual([{ type: 'reply', id: 7, error: { name: 'Error', message: expect.stringMatching(/answer is \d+ bytes, over the controller's message limit of 1024 bytes/) } }]);
  });
});

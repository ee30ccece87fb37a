import { encode, type AgentReport } from '@hostgrid/protocol';

/** Room left beside an output report's text for the rest of it (type, slot, stream). */
const ENVELOPE_BYTES = 256;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair, 2 units, takes 4). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Encodes a host agent's report as WebSocket messages of at most `maxBytes` each (the
 * `maxFrameBytes` of the controller's `welcome`: it closes the connection, 1009, on a
 * larger one, and the host is lost). Output text too long for one message is sent in
 * pieces, never splitting a surrogate pair; a reply too large is answered with an error
 * naming both sizes instead, so that the request fails and the link stays up.
 */
export function reportMessages(report: AgentReport, maxBytes: number): Uint8Array[] {
  const body = encode(report);
  if (body.byteLength <= maxBytes) return [body];
  switch (report.type) {
    case 'output': {
      const units = Math.max(2, Math.floor((maxBytes - ENVELOPE_BYTES) / MAX_BYTES_PER_UNIT));
      const messages: Uint8Array[] = [];
      for (let at = 0; at < report.text.length; ) {
        let end = Math.min(report.text.length, at + units);
        const last = report.text.charCodeAt(end - 1);
        if (end < report.text.length && last >= 0xd800 && last <= 0xdbff) end--;
        messages.push(encode({ ...report, text: report.text.slice(at, end) }));
        at = end;
      }
      return messages;
    }
    case 'reply':
      return [
        encode({
          type: 'reply',
          id: report.id,
          error: { name: 'Error', message: `the answer is ${body.byteLength} bytes, over the controller's message limit of ${maxBytes} bytes` },
        }),
      ];
    case 'exited':
      return [body];
    default:
      return report satisfies never;
  }
}

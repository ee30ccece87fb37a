/**
 * The raw floor's framing: 4-byte big-endian length, then the body. Chunks of an
 * incomplete frame are held and joined once, so a large frame costs one copy.
 */
export function frameReader(onFrame: (body: Buffer) => void): (chunk: Buffer) => void {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let needed = 4;
  return (chunk) => {
    if (heldBytes > 0) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < needed) return;
      chunk = Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
    }
    let at = 0;
    needed = 4;
    while (chunk.length - at >= 4) {
      const end = at + 4 + chunk.readUInt32BE(at);
      if (end > chunk.length) {
        needed = end - at;
        break;
      }
      onFrame(chunk.subarray(at + 4, end));
      at = end;
    }
    if (at < chunk.length) {
      held = [chunk.subarray(at)];
      heldBytes = chunk.length - at;
    }
  };
}

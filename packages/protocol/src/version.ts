/**
 * The wire protocol's version. Both ends send it in the handshake (`hello` and
 * `ready`); a peer that speaks another version is refused before any call is made.
 * Bump it on any change to the message shapes or the codec's options.
 * Version 3 added the join handshake and the host agent's channel (the WebSocket transport);
 * version 4 the frame limit agreed in `hello`/`ready` (`maxFrameBytes`).
 */
export const PROTOCOL_VERSION = 4;

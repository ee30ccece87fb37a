/**
 * WebSocket close codes of connections that dial in to a controller (the WebSocket
 * transport), so that both ends, and people reading logs, can tell why a connection
 * ended. 1000–1015 are WebSocket's own (1009: a message over the size limit).
 */
export const CloseCode = {
  /** The controller's grid was terminated (its transport closed). An agent waits for the next one. */
  GridClosed: 4000,
  /** A frame or message after the join was malformed; the connection cannot go on. */
  Protocol: 4400,
  /** The join was refused: wrong or missing token, bad or used ticket, or not a join first. The reason tells nothing more, on purpose. */
  Unauthorized: 4401,
  /** A static grid that does not include this host name. */
  UnknownHost: 4404,
  /** Nothing (or no complete join) arrived within the authentication deadline. */
  AuthTimeout: 4408,
  /** Another agent is connected under this host name. */
  HostTaken: 4409,
  /** The controller declared the link lost: no word from the peer for the heartbeat window. */
  LinkLost: 4411,
  /** The peer speaks another protocol version. */
  Version: 4426,
} as const;

/** One of the {@link CloseCode} numbers. */
export type CloseCodeNumber = (typeof CloseCode)[keyof typeof CloseCode];

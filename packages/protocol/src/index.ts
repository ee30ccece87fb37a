/**
 * Hostgrid's wire protocol: the messages a controller and a worker exchange, the codec
 * that turns them into bytes, and the framing that carries them over byte streams.
 *
 * @example
 * ```ts
 * import { encode, decode, parseWorkerMessage, FrameWriter, FrameDecoder } from '@hostgrid/protocol';
 *
 * const writer = new FrameWriter((chunks) => { for (const c of chunks) socket.write(c); });
 * writer.write(encode({ type: 'ping' }));
 *
 * const frames = new FrameDecoder();
 * socket.on('data', (chunk) => frames.push(chunk, (f) => handle(parseWorkerMessage(decode(f)))));
 * ```
 *
 * @packageDocumentation
 */
export { PROTOCOL_VERSION } from './version.js';
export {
  MessageType,
  type MessageTypeName,
  type Message,
  type ControllerMessage,
  type WorkerMessage,
  type HelloMessage,
  type ReadyMessage,
  type Construction,
  type CreateMessage,
  type CreatedMessage,
  type CallMessage,
  type CancelMessage,
  type ResultMessage,
  type FailureKind,
  type FailureMessage,
  type DestroyMessage,
  type DoneMessage,
  type PingMessage,
  type ShutdownMessage,
} from './messages.js';
export { type WireError, toWireError } from './wire-error.js';
export { InvalidMessageError, parseControllerMessage, parseWorkerMessage } from './validate.js';
export { UnsendableValueError, encode, decode, isSendable } from './codec.js';
export { FRAME_HEADER_BYTES, DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter, STREAM_PREAMBLE, PreambleScanner } from './framing.js';
export { MessageBatcher, unpackFrames } from './message-batcher.js';
export { CloseCode, type CloseCodeNumber } from './close-codes.js';
export { WORKER_MARK, type WorkerMark, markWorkerProcess, isWorkerProcess } from './worker-marker.js';
export {
  AgentMessageType,
  type ChallengeMessage,
  type JoinRole,
  type JoinMessage,
  type WelcomeMessage,
  type StartMessage,
  type KillMessage,
  type LinkMessage,
  type MakeTempDirMessage,
  type MakeDirMessage,
  type OpenMessage,
  type WriteMessage,
  type CommitMessage,
  type AbortMessage,
  type ReadMessage,
  type RemoveMessage,
  type ReplyMessage,
  type OutputMessage,
  type ExitedMessage,
  type FileRequest,
  type AgentRequest,
  type AgentReport,
} from './agent-messages.js';
export { parseChallenge, parseJoin, parseWelcome, parseAgentRequest, parseAgentReport } from './agent-validate.js';
export { type JoinClaim, makeNonce, joinProof, verifyJoinProof } from './join-proof.js';

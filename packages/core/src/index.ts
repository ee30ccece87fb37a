export { type HostSpec, type ResolvedHost, resolveHosts } from './host-spec.js';
export type { Transport, Channel, ChannelHandlers, ChannelClosedInfo, SpawnRequest } from './transport.js';

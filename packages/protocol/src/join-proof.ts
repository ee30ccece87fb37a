import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JoinRole } from './agent-messages.js';

/** What a join proof covers besides the nonce. */
export interface JoinClaim {
  readonly role: JoinRole;
  readonly host: string;
  readonly slot: number;
  readonly ticket: string;
}

/** A fresh 32-byte challenge nonce. */
export function makeNonce(): Uint8Array {
  return randomBytes(32);
}

/**
 * The proof a peer sends in `join`: `HMAC-SHA256(token, nonce ‖ 0 ‖ role ‖ 0 ‖ host ‖ 0 ‖
 * slot ‖ 0 ‖ ticket)`. The token itself never crosses the wire, a proof is good for one
 * nonce only, and it binds who the peer claims to be.
 */
export function joinProof(token: string, nonce: Uint8Array, claim: JoinClaim): Uint8Array {
  return createHmac('sha256', token).update(nonce).update(`\0${claim.role}\0${claim.host}\0${claim.slot}\0${claim.ticket}`).digest();
}

/** Whether `proof` is the proof for this nonce and claim, compared in constant time. */
export function verifyJoinProof(token: string, nonce: Uint8Array, claim: JoinClaim, proof: Uint8Array): boolean {
  const expected = joinProof(token, nonce, claim);
  return proof.byteLength === expected.byteLength && timingSafeEqual(proof, expected);
}

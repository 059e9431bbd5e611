/**
 * The MCP protocol versions and the two eras: the stateless era from 2026-07-28 (negotiated with
 * `server/discover`) and the session era of the versions before it (the `initialize` handshake).
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle#version-negotiation
 */

/** The first protocol version of the stateless era (negotiated with `server/discover`). */
export const STATELESS_ERA_VERSION = '2026-07-28';

/**
 * How the protocol version was chosen: the 2026-07-28 era (stateless requests, found by
 * `server/discover`) or the session era of the versions before it (the `initialize` handshake).
 */
export interface Negotiation {
  protocolVersion?: string;
  era: 'stateless-2026' | 'session';
  negotiatedBy: 'discover' | 'initialize';
  /** The version the user pinned, when one was. */
  pinned?: string;
}

/** A protocol version as the spec spells them (YYYY-MM-DD). */
export function isProtocolVersion(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(v);
}

/** Versions of the stateless era compare as dates, so a later revision is in it too. */
export function isStatelessEraVersion(v: string): boolean {
  return v >= STATELESS_ERA_VERSION;
}

/**
 * One server as every panel's header shows it. Its own module because the panel protocols
 * (protocol.ts and the per-panel protocol files it imports) all name it: kept here, none of them
 * imports another back (scripts/lint-boundaries.mjs fails on import cycles).
 */
export interface ServerSummary {
  id: string;
  name: string;
  url: string;
  state: 'disconnected' | 'connecting' | 'connected' | 'sign-in-required' | 'error';
  error?: string;
  signedIn: boolean;
  issuer?: string;
  scopes: string[];
  /** Epoch seconds. */
  expiresAt?: number;
  /** The negotiated MCP protocol version and era, e.g. "MCP 2026-07-28, stateless (server/discover)". */
  protocol?: string;
}

/**
 * Revocation state for JWT access tokens (RFC 9068).
 *
 * A JWT access token is self-contained: once signed, the authorization server keeps no record of
 * it, so oidc-provider can neither revoke nor introspect it (it answers `unsupported_token_type`).
 * A resource server that only checks the signature would keep accepting a revoked token until it
 * expires. The demo closes that gap the way a real deployment would with a revocation list:
 *
 * - every issued access token is remembered by `jti` under its grant (`access_token.issued` event);
 * - revoking a refresh token revokes its grant (oidc-provider default) → every access token of that
 *   grant is listed as revoked (`grant.revoked` event);
 * - revoking the access token itself at the revocation endpoint lists its `jti` (see authServer.ts);
 * - the MCP server consults `isRevoked(jti)` on every request, after verifying the signature.
 *
 * Entries are dropped once the token has expired anyway.
 * @see https://www.rfc-editor.org/rfc/rfc7009 OAuth 2.0 Token Revocation
 */
export class AccessTokenRevocations {
  /** grantId → (jti → exp, epoch seconds) */
  readonly #issuedByGrant = new Map<string, Map<string, number>>();
  /** jti → exp, epoch seconds */
  readonly #revoked = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#now = now;
  }

  trackIssued(grantId: string | undefined, jti: string, exp: number): void {
    this.#prune();
    if (!grantId) return;
    let tokens = this.#issuedByGrant.get(grantId);
    if (!tokens) {
      tokens = new Map();
      this.#issuedByGrant.set(grantId, tokens);
    }
    tokens.set(jti, exp);
  }

  revokeGrant(grantId: string): void {
    const tokens = this.#issuedByGrant.get(grantId);
    if (!tokens) return;
    for (const [jti, exp] of tokens) this.#revoked.set(jti, exp);
    this.#issuedByGrant.delete(grantId);
  }

  revokeToken(jti: string, exp: number): void {
    this.#revoked.set(jti, exp);
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  #prune(): void {
    const now = this.#now();
    for (const [jti, exp] of this.#revoked) if (exp < now) this.#revoked.delete(jti);
    for (const [grantId, tokens] of this.#issuedByGrant) {
      for (const [jti, exp] of tokens) if (exp < now) tokens.delete(jti);
      if (tokens.size === 0) this.#issuedByGrant.delete(grantId);
    }
  }
}

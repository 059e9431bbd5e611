/**
 * The OAuth state machine for one MCP server: discovery (cached), client registration (stored),
 * tokens (stored, refreshed single-flight), challenges from 401/403 and tool results (authorize,
 * refresh or step up, at most `maxAttempts` authorizations per operation), recovery from
 * `invalid_client` / `invalid_grant`, and sign-out. It knows nothing about MCP messages beyond the
 * operation key callers give it, and nothing about VS Code.
 *
 * The state machine only: what to ask for and when to give up is stepUp.ts (pure policy); where and
 * how the state is kept is credentialStore.ts; each wire step is its own module. Over ~450 lines on
 * purpose: its transitions (load, challenge, authorize, refresh, sign out) read and write the same
 * few fields — discovery, client, tokens, state, the single-flight promises — which a split would
 * have to hand around or expose.
 */
import type * as oauth from 'oauth4webapi';
import { InspectorError, isInspectorError } from '../errors';
import { checkUrl, displayHost } from '../http/urlPolicy';
import type { Browser, Prompt, SecretStore } from '../ports';
import { authorizeWithCode } from './authorizationCode';
import { bearerChallenge, parseChallenges, splitScopes, type BearerChallenge } from './challenge';
import type { OAuthContext } from './context';
import { admitStoredDiscovery, canonicalResource, discover, type DiscoveryResult } from './discovery';
import { CredentialStore, type CredentialKeys } from './credentialStore';
import { dpopAlgFor, DpopKeys, isDpopTokenType } from './dpop';
import { clientCredentialsGrant, crossAppAccessGrant, workloadIdentityGrant, type CrossAppAccessConfig, type WorkloadIdentityConfig } from './grants';
import type { RedirectReceiverFactory } from './redirect/redirectReceiver';
import { type ClientConfig, type RegisteredClient } from './registration';
import { AttemptBudget, attemptsExhaustedError, authorizationNeededError, DEFAULT_MAX_ATTEMPTS, isAuthChallenge, isStepUp, scopesNeeded, scopesNotGranted, selectScope } from './stepUp';
import { isExpiring, refreshTokens, revokeToken, type TokenSet } from './tokens';
import { externalTokenSet } from './externalToken';
import { STEP, type McpStep } from '../../shared/codes';

export type GrantKind = 'authorization_code' | 'client_credentials' | 'cross_app_access' | 'workload_identity';

export interface AuthManagerOptions {
  ctx: OAuthContext;
  serverUrl: URL;
  secrets: SecretStore;
  /** The browser for interactive sign-in (ignored for non-interactive grants). */
  browser: Browser;
  prompt?: Prompt;
  client: ClientConfig;
  grant?: GrantKind;
  /** Scopes the user asked for explicitly; they take precedence over what the server suggests. */
  scopes?: string[];
  crossApp?: CrossAppAccessConfig;
  /** The workload's JWT for the 'workload_identity' grant (RFC 7523 jwt-bearer). */
  workload?: WorkloadIdentityConfig;
  /** Authorization attempts per operation before giving up (MCP step-up guidance: 3). */
  maxAttempts?: number;
  authorizationTimeoutMs?: number;
  redirectHost?: '127.0.0.1' | 'localhost';
  /** A fixed loopback redirect port (pre-registered clients with exact redirect URI matching); default ephemeral. */
  redirectPort?: number;
  startReceiver?: RedirectReceiverFactory;
}

export type AuthState = 'signed-out' | 'signed-in' | 'authorizing' | 'refreshing';

/**
 * A sign-in waiting for the browser to come back: the authorization URL the browser was sent to and
 * the redirect URI the flow waits on. Neither holds a secret (the URL carries the PKCE challenge,
 * never the verifier; the code arrives only at the redirect URI), so a front end may show, copy or
 * re-open it.
 */
export interface PendingAuthorization {
  url: URL;
  redirectUri?: string;
  /** The host the user signs in at (`https://good.example@evil.example/` → `evil.example`). */
  host: string;
}

export interface ChallengeInfo {
  status: number;
  /** WWW-Authenticate header value(s) (or tool-level challenge strings). */
  header: string | null;
  /** A stable key for the operation being retried, e.g. "tools/call add_todo". */
  op: string;
  /** Whether the failed request carried our access token. */
  hadToken: boolean;
  /**
   * true: a request in the background (the GET event stream, the DELETE that ends the session):
   * refresh if that helps, but never discover, register or sign in, and leave the challenge
   * unanswered — not worth a browser window (after Sign Out it would sign the user straight back in).
   */
  background?: boolean;
  /**
   * false: do not start an authorization (no browser, no sign-in) for this challenge; throw
   * 'authorization_required' (no token) or 'insufficient_scope' (step-up) carrying the scopes the
   * server asks for, so the caller can offer the sign-in. Refreshing an expired token is still done
   * (it needs no person). Default: false while `withoutAuthorization(op, …)` runs, else true.
   */
  interactive?: boolean;
  /**
   * The access token the failed request carried, when the caller knows it (never logged or traced).
   * Lets a challenge to a token that another request has already replaced be answered by a retry.
   */
  sentToken?: string;
}

/**
 * What Sign Out did about revocation (RFC 7009): there were no tokens stored, so nothing to revoke;
 * the tokens were revoked; the authorization server offers no revocation endpoint; or revocation was
 * attempted and failed (`errors` says why). Every stored secret is deleted in every case.
 */
export type RevocationOutcome = 'nothing-stored' | 'revoked' | 'not-supported' | 'failed';

export interface SignOutResult {
  revocation: RevocationOutcome;
  /** At least one token was revoked. */
  revoked: boolean;
  /** Revocation failures, already redacted. */
  errors: string[];
}

/** The one-line summary of a Sign Out that the editor and the CLI show: what is true for `r`. */
export function signOutMessage(serverName: string, r: SignOutResult): string {
  const what: Record<RevocationOutcome, string> = {
    'nothing-stored': 'no tokens were stored, so there was nothing to revoke;',
    revoked: 'tokens revoked at the server and',
    'not-supported': 'the server offers no revocation;',
    failed: 'revocation at the server failed;',
  };
  return `Signed out of ${serverName}: ${what[r.revocation]} every stored secret deleted.${r.errors.length ? ` (${r.errors.join('; ')})` : ''}`;
}

export class AuthManager {
  /** This server's secrets and their layout (credentialStore.ts). */
  readonly credentials: CredentialStore;
  discovery?: DiscoveryResult;
  client?: RegisteredClient;
  tokens?: TokenSet;
  state: AuthState = 'signed-out';
  /** Hosts the user approved for sign-in in this session. */
  readonly knownHosts = new Set<string>();
  /** The sign-in waiting for the browser now, if any (set when the browser is sent, cleared when the flow ends). */
  pendingAuthorization?: PendingAuthorization;
  /** Milliseconds spent in finished authorizations (see `authorizationTime`). */
  private authorizationMs = 0;
  /** When the authorization in flight started (clock ms). */
  private authorizingSince?: number;

  private loaded?: Promise<void>;
  /** The `loaded` promise once `accessToken()` has seen it fulfilled (a `reload()` replaces `loaded`). */
  private loadSettled?: Promise<void>;
  private refreshing?: Promise<TokenSet>;
  private authorizing?: Promise<TokenSet>;
  private readonly attempts: AttemptBudget;
  private readonly listeners = new Set<() => void>();
  /** This client's DPoP key (in memory only) and oauth4webapi's proof/nonce handle for it. */
  readonly dpopKeys = new DpopKeys();

  constructor(readonly opts: AuthManagerOptions) {
    this.credentials = new CredentialStore(opts.secrets, canonicalResource(opts.serverUrl), opts.ctx.redactor);
    this.attempts = new AttemptBudget(opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  }

  /** The secret-store key layout of this server (tests and diagnostics; front ends ask `credentials`). */
  get keys(): CredentialKeys {
    return this.credentials.keys;
  }

  get ctx(): OAuthContext {
    return this.opts.ctx;
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(state?: AuthState): void {
    if (state) this.state = state;
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        /* listeners never break the flow */
      }
    }
  }

  /**
   * Restore cached discovery, the client and tokens from the secret store (once). A token set the
   * user pasted (useExternalTokens) is used instead of the signed-in one while it is kept.
   */
  load(): Promise<void> {
    this.loaded ??= this.loadStored().then(() => this.loadExternal());
    return this.loaded;
  }

  private async loadExternal(): Promise<void> {
    const external = await this.credentials.loadExternalTokens();
    if (!external) return;
    this.tokens = external;
    this.state = 'signed-in';
  }

  private async loadStored(): Promise<void> {
    const stored = await this.credentials.loadSession();
    if (!stored?.discovery?.as?.issuer) return;
    try {
      // The stored endpoints pass the URL policy as if just discovered (a session stored before a
      // policy change gets no exemption), and the guarded fetch learns where each came from.
      await admitStoredDiscovery(this.ctx, this.opts.serverUrl, stored.discovery as DiscoveryResult);
    } catch (err) {
      if (isInspectorError(err) && ['address_refused', 'url_scheme_refused', 'url_invalid'].includes(err.code)) {
        // Not restored: the next discovery runs afresh and reports the refusal where it happens.
        this.ctx.trace.note(STEP.authorizationServerMetadata, 'warn', `the stored discovery is not used: ${this.ctx.redactor.text(err.message)}`);
        return;
      }
      // Anything else (a name that does not resolve now, offline): restore as before; each request
      // to an endpoint still passes the guarded fetch's own gates.
      this.ctx.logger.debug(`stored discovery restored without re-checking its endpoints: ${this.ctx.redactor.text((err as Error)?.message ?? String(err))}`);
    }
    // Locals across the awaits: a reload() while this read is under way (several secrets written
    // in a row, e.g. by an audit) resets the fields this read would otherwise dereference.
    const discovery = stored.discovery as DiscoveryResult;
    this.discovery = discovery;
    const issuer = discovery.as.issuer;
    const client = await this.credentials.loadClient(issuer);
    if (client && this.clientStillFits(client)) this.client = client;
    const kept = this.client;
    if (kept) {
      const tokens = await this.credentials.loadTokens(issuer, kept.client_id);
      const bound = tokens && isDpopTokenType(tokens.token_type);
      const key = bound ? await this.credentials.loadDpopKey(issuer, kept.client_id) : undefined;
      if (tokens && tokens.resource === discovery.resource && bound && !(key && (await this.dpopKeys.restore(key)))) {
        // Bound to a key that is not stored with them (or is not usable): a new sign-in binds new ones (RFC 9449 §6).
        this.ctx.trace.note(STEP.tokenRefresh, 'info', 'the stored tokens are DPoP-bound to a key that is no longer stored with them; signing in again', 'RFC 9449 §6');
      } else if (tokens && tokens.resource === discovery.resource) {
        this.tokens = tokens;
        this.state = 'signed-in';
      }
    }
  }

  /**
   * Use a token the user brought (pasted) for this server instead of signing in: kept in the secret
   * store under the server's prefix (Sign Out deletes it), handed to the redactor first, and sent
   * like any other token — only to this resource (authFetch.ts). A sign-in or a refresh replaces it.
   * `persist: false` keeps it in memory only (the CLI's --token-stdin). `audienceMismatchAccepted`:
   * the caller showed the user that the token's `aud` names another resource and the user chose to
   * use it anyway; every request carrying it is then marked in the trace.
   */
  async useExternalTokens(input: { access_token: string; refresh_token?: string; audienceMismatchAccepted?: boolean }, opts: { persist?: boolean } = {}): Promise<TokenSet> {
    await this.load();
    const tokens = externalTokenSet(input, {
      now: this.ctx.clock.now(),
      issuer: this.discovery?.as.issuer,
      client_id: this.client?.client_id,
      resource: this.discovery?.resource ?? canonicalResource(this.opts.serverUrl),
    });
    // redacted before anything else can mention it
    this.ctx.redactor.addSecret(tokens.access_token);
    this.ctx.redactor.addSecret(tokens.refresh_token);
    if (opts.persist !== false) await this.credentials.storeExternalTokens(tokens);
    this.tokens = tokens;
    this.ctx.trace.note(
      STEP.tokenInspection,
      input.audienceMismatchAccepted ? 'warn' : 'info',
      `using a user-supplied access token for ${this.opts.serverUrl.href}${input.refresh_token ? ' (with a refresh token)' : ''}${opts.persist === false ? ', kept in memory only' : ', kept in the secret store'}${input.audienceMismatchAccepted ? '; its audience names another resource and the user chose to use it anyway' : ''}`,
      input.audienceMismatchAccepted ? 'RFC 8707 §2; RFC 9068 §4' : undefined,
    );
    this.changed('signed-in');
    return tokens;
  }

  /**
   * Forget what is in memory and read the secret store again — another window signed in or out.
   * Skipped while this manager is itself authorizing or refreshing (it is the writer then).
   */
  async reload(): Promise<void> {
    if (this.authorizing || this.refreshing) return;
    this.loaded = undefined;
    this.discovery = undefined;
    this.client = undefined;
    this.tokens = undefined;
    this.state = 'signed-out';
    await this.load();
    this.changed();
  }

  /** A stored client is reused only if it matches the configured registration policy. */
  private clientStillFits(client: RegisteredClient): boolean {
    const c = this.opts.client;
    if (c.policy === 'preregistered' || (c.policy === 'auto' && c.client_id)) return client.client_id === c.client_id;
    if (c.policy === 'auto' || c.policy === client.mode) return true;
    return false;
  }

  /**
   * The access token to send to the MCP server now, refreshed first when it is about to expire.
   * Undefined when not signed in. Never sent anywhere but the resource it was issued for (callers check).
   */
  async accessToken(): Promise<string | undefined> {
    // Every MCP request asks: once the store has been read, skip the await on the settled load.
    if (this.loaded === undefined || this.loaded !== this.loadSettled) {
      const loading = this.load();
      await loading;
      this.loadSettled = loading;
    }
    const t = this.tokens;
    if (!t) return undefined;
    if (isExpiring(t, this.ctx.clock.now()) && t.refresh_token) {
      try {
        return (await this.refresh()).access_token;
      } catch (err) {
        this.ctx.logger.warn(`token refresh before expiry failed: ${this.ctx.redactor.text((err as Error).message)}`);
        return this.tokens?.access_token;
      }
    }
    return t.access_token;
  }

  /**
   * The DPoP handle to present the current token with (RFC 9449 §7), or undefined for a Bearer
   * token. For the MCP request path: it signs a fresh proof per request and keeps the resource's nonce.
   */
  async resourceDpop(): Promise<oauth.DPoPHandle | undefined> {
    if (!this.tokens || !isDpopTokenType(this.tokens.token_type)) return undefined;
    const alg = this.discovery ? dpopAlgFor(this.discovery.as) : undefined;
    return alg ? this.dpopKeys.handle(alg) : undefined;
  }

  /**
   * Whether the MCP server takes DPoP-bound tokens: its protected resource metadata lists
   * `dpop_signing_alg_values_supported` or sets `dpop_bound_access_tokens_required` (RFC 9728 §2), or
   * it challenged with the DPoP scheme (RFC 9449 §7.1). An authorization server advertising DPoP is
   * not enough: many serve resource servers that only take Bearer tokens, and would get bound tokens
   * those refuse.
   */
  private resourceTakesDpop(): boolean {
    if (this.dpopChallengeSeen) return true;
    const raw = this.discovery?.resourceMetadata?.raw as Record<string, unknown> | undefined;
    const algs = raw?.dpop_signing_alg_values_supported;
    return (Array.isArray(algs) && algs.length > 0) || raw?.dpop_bound_access_tokens_required === true;
  }

  /** The MCP server answered with a `DPoP` challenge. */
  private dpopChallengeSeen = false;

  /**
   * The DPoP handle for token requests to `as` (RFC 9449 §5), when it supports DPoP and the MCP server
   * takes DPoP-bound tokens; else undefined (Bearer tokens).
   */
  private async dpopFor(as: oauth.AuthorizationServer): Promise<oauth.DPoPHandle | undefined> {
    const alg = dpopAlgFor(as);
    if (!alg || !this.resourceTakesDpop()) return undefined;
    const fresh = (await this.dpopKeys.thumbprint()) === undefined;
    const handle = await this.dpopKeys.handle(alg);
    if (fresh) {
      this.ctx.trace.note(STEP.authorizationServerMetadata, 'info', `the authorization server and the MCP server support DPoP (${alg}): token requests carry a proof of this client's key, and the tokens are bound to it`, 'RFC 9449 §5.1; RFC 9728 §2; MCP SEP-1932');
    }
    return handle;
  }

  grantedScopes(): string[] {
    return splitScopes(this.tokens?.scope);
  }

  /** Run discovery (cached unless `force` or a new resource_metadata URL arrives). */
  async ensureDiscovery(resourceMetadataUrl?: string, force = false): Promise<DiscoveryResult> {
    await this.load();
    if (this.discovery && !force && (!resourceMetadataUrl || resourceMetadataUrl === this.discovery.resourceMetadataUrl)) return this.discovery;
    const found = await discover(this.ctx, this.opts.serverUrl, resourceMetadataUrl);
    if (this.discovery && this.discovery.as.issuer !== found.as.issuer) {
      // Another authorization server now: the old client and its tokens are never used for it
      // (credentials are keyed by issuer). A client this server's new AS issued earlier is reused.
      const known = await this.credentials.loadClient(found.as.issuer);
      const reuse = known && known.issuer === found.as.issuer && this.clientStillFits(known) ? known : undefined;
      this.ctx.trace.note(
        STEP.authorizationServerMetadata,
        'warn',
        `the authorization server changed from ${this.discovery.as.issuer} to ${found.as.issuer}; ${reuse ? `using client ${reuse.client_id}, registered there earlier` : 'registering again'}; the old client's credentials and tokens stay with the old one`,
        'MCP authorization §security; MCP SEP-2352',
      );
      this.client = reuse;
      this.tokens = undefined;
    }
    this.discovery = found;
    await this.saveSession();
    return found;
  }

  /**
   * Handle a 401/403 (or a tool-level challenge). Resolves true when the caller should retry with the
   * (new) token, false when the response is not an auth challenge we can act on.
   */
  async handleChallenge(info: ChallengeInfo): Promise<boolean> {
    const challenges = await parseChallenges(info.header);
    if (challenges.some((c) => c.scheme === 'dpop')) this.dpopChallengeSeen = true;
    const ch: BearerChallenge = bearerChallenge(challenges) ?? { scheme: 'bearer' };
    if (!isAuthChallenge(info.status, ch)) return false;

    // Concurrent requests refused for the same reason: the first refreshes, signs in or steps up; the
    // others only need the token it obtained. Counting them as attempts of their own would start more
    // refreshes and sign-ins, and exhaust the per-operation limit with one user action.
    if (await this.tokenReplacedSince(info)) return true;
    // Step-up: a 403 insufficient_scope, or a 401 naming scopes the token we sent does not hold
    // (MCP authorization §scope challenge handling). A refresh cannot widen the scope (RFC 6749 §6),
    // so a 401 of that kind goes straight to an authorization with the union of the scopes.
    const newScopes = info.status === 401 ? scopesNotGranted(info.hadToken, this.tokens?.scope, ch.scope) : [];
    const stepUp = isStepUp(info.status, ch, newScopes);
    this.challengeFindings(info, challenges.length > 0, ch, stepUp);
    if (newScopes.length && ch.error !== 'insufficient_scope') {
      this.ctx.trace.note(STEP.stepUp, 'info', `the 401 challenge names scope${newScopes.length > 1 ? 's' : ''} the token does not hold (${newScopes.join(' ')}): stepping up instead of refreshing`, 'MCP authorization §scope challenge handling; RFC 6749 §6');
    }
    // A 401 on a request that carried a token: first try the refresh token (expired / revoked access token).
    if (!stepUp && info.hadToken && this.tokens?.refresh_token && !this.refreshedFor.has(info.op)) {
      this.refreshedFor.add(info.op);
      try {
        await this.refresh();
        return true;
      } catch (err) {
        if (isInspectorError(err, 'invalid_client')) {
          // refresh() has already forgotten the client and its tokens: fall through to register again
          // (per the registration policy), authorize, and let the caller retry the request once.
          this.ctx.trace.note(STEP.clientRegistration, 'warn', 'the authorization server no longer accepts the client (invalid_client on refresh); registering again and signing in', 'RFC 6749 §5.2; RFC 7591');
        } else if (isInspectorError(err, 'invalid_grant') || isInspectorError(err, 'refresh_failed')) {
          await this.dropTokens();
        } else {
          throw err;
        }
      }
    }

    if (info.background) return false;

    // A token the server used to accept is refused and refreshing did not help: the server may now
    // trust another authorization server under the same metadata URL. Discover again (cheap) rather
    // than signing in again at an authorization server whose tokens it no longer takes.
    const rediscover = !stepUp && info.hadToken;

    if (!(info.interactive ?? !this.deferredOps.has(info.op))) {
      const disc = await this.ensureDiscovery(ch.resource_metadata, rediscover);
      // without a token there is nothing to step up from: the caller needs a first sign-in
      throw this.authorizationNeeded(info.op, ch, disc, stepUp && !!this.tokens);
    }

    const n = this.attempts.take(info.op);
    const max = this.attempts.max;
    if (n === undefined) {
      this.ctx.trace.note(STEP.stepUp, 'fail', `gave up after ${max} authorization attempts for ${info.op}`, 'MCP authorization §scope challenge handling');
      throw attemptsExhaustedError(info.op, max, stepUp, ch.scope, this.opts.serverUrl.href);
    }

    const disc = await this.ensureDiscovery(ch.resource_metadata, rediscover);
    const scope = this.selectScope(disc, ch.scope, stepUp);
    if (stepUp) this.ctx.trace.note(STEP.stepUp, 'info', `the server needs scope "${ch.scope ?? '(unspecified)'}" for ${info.op}; authorizing again with "${scope ?? ''}" (attempt ${n} of ${max})`, 'MCP authorization §step-up');
    await this.authorize(scope);
    return true;
  }

  /**
   * What a challenge lacks, as findings for the flow (never a refusal: the client has fallbacks).
   * The step is the MCP request's own (`MCP <op>`), so the finding sits with the exchange.
   */
  private challengeFindings(info: ChallengeInfo, parsed: boolean, ch: BearerChallenge, stepUp: boolean): void {
    const step: McpStep = `MCP ${info.op}`;
    if (!info.header || !parsed) {
      this.ctx.trace.note(
        step,
        'warn',
        `HTTP ${info.status} without a ${info.header ? 'parsable ' : ''}WWW-Authenticate challenge (RFC 6750 §3 requires one): the client falls back to the well-known metadata URLs`,
        'RFC 6750 §3; MCP authorization §Authorization Server Discovery',
      );
    } else if (!ch.resource_metadata && !this.discovery) {
      this.ctx.trace.note(step, 'info', 'the challenge has no resource_metadata: the client looks for the protected resource metadata at the well-known URLs', 'RFC 9728 §5.1; MCP authorization §Protected Resource Metadata Discovery Requirements');
    }
    if (stepUp && parsed && !ch.scope) {
      this.ctx.trace.note(STEP.stepUp, 'warn', 'the insufficient_scope challenge names no scope: the client cannot tell which scope the operation needs', 'RFC 6750 §3.1; MCP authorization §Scope Challenge Handling');
    }
  }

  private readonly refreshedFor = new Set<string>();
  /** Operations whose challenges must not start an authorization (see `withoutAuthorization`). */
  private readonly deferredOps = new Map<string, number>();

  /**
   * Runs `fn` with authorization turned off for challenges of `op` (e.g. "tools/call add_todo"):
   * a 401/403 or tool-level challenge for it rejects with 'authorization_required' /
   * 'insufficient_scope' and the scopes needed instead of opening a browser. For front ends that
   * ask the user first ("Sign in and call"); the CLI and the conformance adapter never use it.
   */
  async withoutAuthorization<T>(op: string, fn: () => Promise<T>): Promise<T> {
    this.deferredOps.set(op, (this.deferredOps.get(op) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const n = (this.deferredOps.get(op) ?? 1) - 1;
      if (n > 0) this.deferredOps.set(op, n);
      else this.deferredOps.delete(op);
    }
  }

  /** The typed error of a challenge the caller did not want answered by signing in. */
  private authorizationNeeded(op: string, ch: BearerChallenge, disc: DiscoveryResult, stepUp: boolean): InspectorError {
    const needed = scopesNeeded(ch.scope, this.selectScope(disc, undefined, false), this.grantedScopes());
    const scopes = needed.scopes;
    const scopeText = scopes.length ? ` with scope "${scopes.join(' ')}"` : '';
    this.ctx.trace.note(
      stepUp ? STEP.stepUp : STEP.authorization,
      'info',
      `the server asks for a token${scopeText} for ${op}; not signing in (the caller asked to decide first)`,
      stepUp ? 'MCP authorization §step-up' : 'MCP authorization §authorization flow',
    );
    return authorizationNeededError(op, needed, stepUp, this.opts.serverUrl.href);
  }

  /**
   * Whether the token a refused request carried (or its lack of one) is no longer current, once any
   * refresh or authorization in flight has settled: then retrying with the current token is the answer.
   * False when the caller does not know which token the request carried.
   */
  private async tokenReplacedSince(info: ChallengeInfo): Promise<boolean> {
    if (info.hadToken && info.sentToken === undefined) return false;
    const inFlight = this.refreshing ?? this.authorizing;
    if (inFlight) await inFlight.catch(() => undefined);
    const current = this.tokens?.access_token;
    return current !== undefined && current !== (info.hadToken ? info.sentToken : undefined);
  }

  /** Forget per-operation retry counters after a success. */
  succeeded(op: string): void {
    this.attempts.reset(op);
    this.refreshedFor.delete(op);
  }

  /** Scope selection for this server's user and grant (stepUp.ts `selectScope`). */
  selectScope(disc: DiscoveryResult, challengeScope: string | undefined, stepUp: boolean): string | undefined {
    return selectScope(disc, challengeScope, stepUp, {
      userScopes: this.opts.scopes,
      granted: this.grantedScopes(),
      interactive: (this.opts.grant ?? 'authorization_code') === 'authorization_code',
    });
  }

  /** Obtain new tokens with the configured grant (single-flight: concurrent callers share one flow). */
  authorize(scope?: string, signal?: AbortSignal): Promise<TokenSet> {
    if (!this.authorizing) {
      const since = this.ctx.clock.now();
      this.authorizingSince = since;
      this.authorizing = this.doAuthorize(scope, signal).finally(() => {
        this.authorizing = undefined;
        this.authorizingSince = undefined;
        this.authorizationMs += Math.max(0, this.ctx.clock.now() - since);
      });
    }
    return this.authorizing;
  }

  /**
   * Milliseconds this manager has spent signing in (discovery, registration, the browser, the code
   * exchange), the one in flight included. A caller reads it before and after an operation: the
   * growth is the sign-in's share of the operation's time (a call's duration without the minutes a
   * person spent in the browser).
   */
  authorizationTime(): number {
    return this.authorizationMs + (this.authorizingSince === undefined ? 0 : Math.max(0, this.ctx.clock.now() - this.authorizingSince));
  }

  /**
   * Opens the waiting sign-in's authorization URL again, through the same Browser port (the tab was
   * closed, or the browser never came back). The URL is the one the engine built: a front end asks
   * for "open again", it never names a URL. False when no sign-in is waiting.
   */
  async reopenAuthorization(): Promise<boolean> {
    const pending = this.pendingAuthorization;
    if (!pending) return false;
    await this.opts.browser.open(new URL(pending.url.href), pending.redirectUri);
    return true;
  }

  /**
   * The Browser port as the authorization code flow sees it: before the browser opens, the URL passes
   * the URL policy, is recorded as the pending sign-in and goes into the trace (and so the log), so a
   * user whose browser never comes back can copy it or open it again.
   */
  private readonly signInBrowser: Browser = {
    open: async (url, redirectUri) => {
      const checked = checkUrl(url, 'authorization URL');
      this.pendingAuthorization = { url: new URL(checked.href), redirectUri, host: displayHost(checked) };
      this.ctx.trace.note(
        STEP.authorizationRequest,
        'info',
        `sign-in link (if no browser opened, or the sign-in does not come back, open it yourself): ${this.ctx.redactor.url(checked)}`,
        'RFC 6749 §4.1.1',
      );
      this.changed();
      await this.opts.browser.open(url, redirectUri);
    },
  };

  private async doAuthorize(scope: string | undefined, signal?: AbortSignal): Promise<TokenSet> {
    const disc = await this.ensureDiscovery();
    this.changed('authorizing');
    try {
      let tokens: TokenSet;
      const grant = this.opts.grant ?? 'authorization_code';
      const dpop = await this.dpopFor(disc.as);
      if (grant === 'client_credentials') {
        const client = await this.ensureNonInteractiveClient(disc.as);
        tokens = await clientCredentialsGrant(this.ctx, { as: disc.as, client, resource: disc.resource, scope, dpop });
      } else if (grant === 'cross_app_access') {
        if (!this.opts.crossApp) throw new InspectorError('config_invalid', 'cross-app access needs the identity provider settings', { step: STEP.crossAppAccess });
        const client = await this.ensureNonInteractiveClient(disc.as);
        tokens = await crossAppAccessGrant(this.ctx, { as: disc.as, client, resource: disc.resource, scope, idp: this.opts.crossApp, dpop });
      } else if (grant === 'workload_identity') {
        if (!this.opts.workload?.assertion) {
          throw new InspectorError('config_invalid', 'workload identity needs the workload JWT (the assertion)', { step: STEP.workloadIdentity, hint: "Pass the workload's JWT, e.g. a service account token" });
        }
        const client = await this.ensureNonInteractiveClient(disc.as);
        tokens = await workloadIdentityGrant(this.ctx, { as: disc.as, client, resource: disc.resource, scope, workload: this.opts.workload, dpop });
      } else {
        tokens = await this.authorizationCode(disc, scope, dpop, signal);
      }
      await this.saveTokens(tokens);
      this.changed('signed-in');
      return tokens;
    } catch (err) {
      this.changed(this.tokens ? 'signed-in' : 'signed-out');
      throw err;
    }
  }

  private async authorizationCode(disc: DiscoveryResult, scope: string | undefined, dpop: oauth.DPoPHandle | undefined, signal?: AbortSignal): Promise<TokenSet> {
    for (let round = 0; ; round++) {
      try {
        const { tokens, client } = await authorizeWithCode(this.ctx, {
          as: disc.as,
          resource: disc.resource,
          scope,
          client: this.client,
          clientConfig: this.opts.client,
          browser: this.signInBrowser,
          prompt: this.opts.prompt,
          backCompat: disc.backCompat,
          knownHosts: this.knownHosts,
          timeoutMs: this.opts.authorizationTimeoutMs,
          redirectHost: this.opts.redirectHost,
          redirectPort: this.opts.redirectPort,
          startReceiver: this.opts.startReceiver,
          signal,
          dpop,
          onClient: (c) => this.saveClient(c),
        });
        this.knownHosts.add(new URL(disc.as.authorization_endpoint!).host);
        return tokens;
      } catch (err) {
        // invalid_client: the stored registration is gone at the server. Forget it and register once more.
        if (round === 0 && isInspectorError(err, 'invalid_client') && this.client && this.client.mode === 'dcr') {
          this.ctx.trace.note(STEP.clientRegistration, 'warn', `the authorization server no longer knows client ${this.client.client_id}; registering again`, 'RFC 7591');
          await this.forgetClient();
          continue;
        }
        throw err;
      } finally {
        if (this.pendingAuthorization) {
          this.pendingAuthorization = undefined;
          this.changed();
        }
      }
    }
  }

  private async ensureNonInteractiveClient(as: oauth.AuthorizationServer): Promise<RegisteredClient> {
    if (this.client) return this.client;
    const c = this.opts.client;
    if (!c.client_id) {
      throw new InspectorError('config_invalid', `the ${this.opts.grant} grant needs a pre-registered client id`, { step: STEP.clientRegistration, hint: 'Pass the client id (and secret or private key)' });
    }
    const method = c.token_endpoint_auth_method ?? (c.private_key_pem ? 'private_key_jwt' : c.client_secret ? 'client_secret_basic' : 'none');
    const client: RegisteredClient = {
      mode: 'preregistered',
      issuer: as.issuer,
      client_id: c.client_id,
      client_secret: c.client_secret,
      token_endpoint_auth_method: method,
      private_key_pem: c.private_key_pem,
      signing_alg: c.signing_alg,
      registered_at: Math.floor(this.ctx.clock.now() / 1000),
    };
    await this.saveClient(client);
    return client;
  }

  /** Refresh now (single-flight: N concurrent callers → one refresh request). */
  refresh(): Promise<TokenSet> {
    this.refreshing ??= (async () => {
      await this.load();
      const disc = await this.ensureDiscovery();
      if (!this.tokens?.refresh_token || !this.client) throw new InspectorError('refresh_failed', 'there is no refresh token for this server', { step: STEP.tokenRefresh, hint: 'Sign in again' });
      this.changed('refreshing');
      try {
        const current = this.tokens;
        let next = await refreshTokens(this.ctx, disc.as, this.client, current, isDpopTokenType(current.token_type) ? await this.dpopFor(disc.as) : undefined);
        // a pasted refresh token refreshed with this client: the new set is kept as this client's own
        if (current.grant === 'external') next = { ...next, issuer: disc.as.issuer, client_id: this.client.client_id, audienceMismatchAccepted: undefined };
        await this.saveTokens(next);
        this.changed('signed-in');
        return next;
      } catch (err) {
        if (isInspectorError(err, 'invalid_grant')) {
          this.ctx.trace.note(STEP.tokenRefresh, 'warn', 'the refresh token was rejected (invalid_grant); the stored tokens are dropped and a new sign-in is needed', 'RFC 6749 §5.2');
          await this.dropTokens();
        } else if (isInspectorError(err, 'invalid_client')) {
          await this.forgetClient();
        }
        this.changed(this.tokens ? 'signed-in' : 'signed-out');
        throw err;
      }
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Revoke (when offered) and delete every stored secret of this server. */
  async signOut(): Promise<SignOutResult> {
    await this.load();
    const errors: string[] = [];
    let revoked = false;
    const disc = this.discovery;
    const hadTokens = !!(disc && this.client && this.tokens);
    const offered = !!disc?.as.revocation_endpoint;
    if (disc && this.client && this.tokens) {
      for (const [token, hint] of [
        [this.tokens.refresh_token, 'refresh_token'],
        [this.tokens.access_token, 'access_token'],
      ] as const) {
        if (!token) continue;
        try {
          revoked = (await revokeToken(this.ctx, disc.as, this.client, token, hint)) || revoked;
        } catch (err) {
          errors.push(this.ctx.redactor.text((err as Error).message));
        }
      }
    }
    await this.credentials.deleteAll();
    this.dpopKeys.clear();
    this.tokens = undefined;
    this.client = undefined;
    this.discovery = undefined;
    this.loaded = Promise.resolve();
    this.changed('signed-out');
    const revocation: RevocationOutcome = !hadTokens ? 'nothing-stored' : !offered ? 'not-supported' : errors.length ? 'failed' : 'revoked';
    return { revocation, revoked, errors };
  }

  async forgetClient(): Promise<void> {
    await this.load();
    if (this.discovery) await this.credentials.forgetClient(this.discovery.as.issuer, this.client?.client_id);
    this.dpopKeys.clear();
    this.client = undefined;
    this.tokens = undefined;
    this.changed('signed-out');
  }

  private async dropTokens(): Promise<void> {
    if (this.tokens?.grant === 'external') await this.credentials.dropExternalTokens();
    else if (this.discovery && this.client) await this.credentials.dropTokens(this.discovery.as.issuer, this.client.client_id);
    this.tokens = undefined;
  }

  private async saveClient(client: RegisteredClient): Promise<void> {
    this.client = client;
    await this.credentials.saveClient(client);
    await this.saveSession();
  }

  private async saveTokens(tokens: TokenSet): Promise<void> {
    // tokens this client obtained replace a token the user pasted
    if (this.tokens?.grant === 'external' && tokens.grant !== 'external') await this.credentials.dropExternalTokens();
    this.tokens = tokens;
    // A DPoP-bound token is kept with the key it is bound to (and only then), so it outlives the session.
    const key = isDpopTokenType(tokens.token_type) ? await this.dpopKeys.export() : undefined;
    await this.credentials.saveTokens(tokens, key);
    await this.saveSession();
  }

  private async saveSession(): Promise<void> {
    if (this.discovery) await this.credentials.saveSession(this.discovery, this.client?.client_id);
  }
}

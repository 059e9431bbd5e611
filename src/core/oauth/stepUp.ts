/**
 * Challenge and step-up policy, pure: which scopes to ask for, whether a 401/403 asks for more scope
 * than the token holds, how many authorizations one operation may start, and the errors that say
 * so. No I/O, no clock, no trace: the state machine (authManager.ts) asks, records and acts.
 *
 * Hand-written: oauth4webapi parses the WWW-Authenticate header (challenge.ts); what a client does
 * about a challenge is the MCP authorization specification's.
 *
 * @see https://modelcontextprotocol.io/specification/draft/basic/authorization (Scope Selection Strategy; Scope Challenge Handling)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (insufficient_scope)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6 (a refresh cannot widen the scope)
 */
import { InspectorError } from '../errors';
import { scopesToSuggest, splitScopes, unionScopes, type BearerChallenge } from './challenge';
import type { DiscoveryResult } from './discovery';
import { STEP } from '../../shared/codes';

/** Authorization attempts per operation before giving up (the MCP step-up guidance: 3). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** What scope selection needs to know besides the metadata and the challenge. */
export interface ScopeChoice {
  /** Scopes the user asked for explicitly; they take precedence over what the server suggests. */
  userScopes?: readonly string[];
  /** Scopes the current token holds (a step-up asks for their union with the new ones). */
  granted: readonly string[];
  /** The interactive authorization code grant, where a refresh token (`offline_access`) helps. */
  interactive: boolean;
}

/**
 * Scope selection (MCP authorization §scope selection): the user's explicit scopes, else the
 * challenge's `scope`, else the protected resource's `scopes_supported`, else omitted. A step-up
 * asks for the union with what is already granted. `offline_access` is requested only when the
 * authorization server's `scopes_supported` lists it: it is added then (only for the interactive
 * grant, where a refresh token helps), and dropped from what the MCP server suggests (its challenge,
 * its `scopes_supported`) otherwise — an authorization server that does not list it may refuse the
 * whole request. The user's explicit scopes and those already granted are kept as they are.
 * `openid` is asked for only when the user or the challenge names it (scopesToSuggest).
 */
export function selectScope(
  disc: Pick<DiscoveryResult, 'as' | 'resourceMetadata'>,
  challengeScope: string | undefined,
  stepUp: boolean,
  choice: ScopeChoice,
): string | undefined {
  const asScopes = disc.as.scopes_supported;
  const asOffersOffline = Array.isArray(asScopes) && asScopes.includes('offline_access');
  const suggested = (list: readonly string[]) => (asOffersOffline ? [...list] : list.filter((s) => s !== 'offline_access'));
  let scopes: string[];
  if (choice.userScopes?.length) scopes = unionScopes(choice.userScopes, suggested(splitScopes(challengeScope)));
  else if (challengeScope) scopes = suggested(splitScopes(challengeScope));
  else if (disc.resourceMetadata?.scopes_supported?.length) scopes = suggested(scopesToSuggest(disc.resourceMetadata.scopes_supported));
  else scopes = [];
  if (stepUp) scopes = unionScopes(choice.granted, scopes);
  if (scopes.length === 0) return undefined;
  if (choice.interactive && asOffersOffline && !scopes.includes('offline_access')) scopes.push('offline_access');
  return scopes.join(' ');
}

/** Whether a response is an authorization challenge the client acts on: a 401, or a 403 with `insufficient_scope`. */
export function isAuthChallenge(status: number, ch: BearerChallenge): boolean {
  if (status === 401) return true;
  return status === 403 && ch.error === 'insufficient_scope';
}

/**
 * The scopes a 401's challenge names that the token the request carried does not hold. Empty when
 * the request carried no token (a first sign-in, not a step-up), or when which scopes the token
 * holds is unknown (no `scope` in the token response nor in the request): then the refresh path is
 * kept, as refreshing cannot make things worse there.
 */
export function scopesNotGranted(hadToken: boolean, tokenScope: string | undefined, challengeScope: string | undefined): string[] {
  if (!hadToken || tokenScope === undefined) return [];
  const held = splitScopes(tokenScope);
  return splitScopes(challengeScope).filter((s) => !held.includes(s));
}

/**
 * Step-up: a 403 insufficient_scope, a 401 with `insufficient_scope`, or a 401 naming scopes the
 * token does not hold (`newScopes`, from `scopesNotGranted`). A refresh cannot widen the scope
 * (RFC 6749 §6), so a step-up goes straight to an authorization.
 */
export function isStepUp(status: number, ch: BearerChallenge, newScopes: readonly string[]): boolean {
  return status === 403 || ch.error === 'insufficient_scope' || newScopes.length > 0;
}

/** Authorizations started per operation, at most `max` each until the operation succeeds. */
export class AttemptBudget {
  private readonly attempts = new Map<string, number>();

  constructor(readonly max = DEFAULT_MAX_ATTEMPTS) {}

  /** Count one more authorization for `op`: its number (1-based), or undefined when the budget is spent. */
  take(op: string): number | undefined {
    const n = (this.attempts.get(op) ?? 0) + 1;
    if (n > this.max) return undefined;
    this.attempts.set(op, n);
    return n;
  }

  /** The operation succeeded: its next challenge starts a fresh budget. */
  reset(op: string): void {
    this.attempts.delete(op);
  }
}

/** The error when `op` is still refused after `max` authorizations. */
export function attemptsExhaustedError(op: string, max: number, stepUp: boolean, challengeScope: string | undefined, serverUrl: string): InspectorError {
  return new InspectorError(stepUp ? 'insufficient_scope' : 'unauthorized', `the server still refuses ${op} after ${max} authorization attempts${challengeScope ? ` (it asks for scope "${challengeScope}")` : ''}`, {
    step: stepUp ? STEP.stepUp : STEP.authorization,
    url: serverUrl,
    hint: stepUp
      ? 'The authorization server does not grant what the MCP server requires: check the scopes the user or client may obtain'
      : 'The MCP server rejects the tokens this authorization server issues: check that it accepts this issuer and that the token audience is the server URL (Inspect Token shows both)',
  });
}

/**
 * The scopes a deferred challenge needs (for "Sign in and call"): those the challenge names, else
 * what scope selection would ask for (`selected`) without `offline_access`, which no tool needs; and
 * which of them the token lacks.
 */
export function scopesNeeded(challengeScope: string | undefined, selected: string | undefined, granted: readonly string[]): { scopes: string[]; missing: string[] } {
  const asked = splitScopes(challengeScope);
  const scopes = asked.length ? asked : splitScopes(selected).filter((s) => s !== 'offline_access');
  return { scopes, missing: scopes.filter((s) => !granted.includes(s)) };
}

/**
 * The typed error of a challenge the caller did not want answered by signing in: `insufficient_scope`
 * for a step-up (there is a token to step up from), else `authorization_required`; both carry the
 * scopes, so a front end can offer the sign-in.
 */
export function authorizationNeededError(op: string, needed: { scopes: string[]; missing: string[] }, stepUp: boolean, serverUrl: string): InspectorError {
  const { scopes, missing } = needed;
  const scopeText = scopes.length ? ` with scope "${scopes.join(' ')}"` : '';
  return stepUp
    ? new InspectorError('insufficient_scope', `${op} needs more scope than the token holds${missing.length ? `: missing ${missing.join(' ')}` : ''}${scopeText ? ` (the server asks for "${scopes.join(' ')}")` : ''}`, {
        step: STEP.stepUp,
        url: serverUrl,
        scopes,
        hint: 'Sign in again to grant the missing scopes, then call again',
      })
    : new InspectorError('authorization_required', `${op} needs a signed-in token${scopeText}`, {
        step: STEP.authorization,
        url: serverUrl,
        scopes,
        hint: 'Sign in, then call again',
      });
}

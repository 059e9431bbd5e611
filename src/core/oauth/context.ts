/**
 * What every OAuth step needs: the one guarded fetch, the trace, the redactor, a logger and a clock.
 * Built once per server session; passed explicitly (no hidden globals, as oauth4webapi's customFetch).
 */
import * as oauth from 'oauth4webapi';
import type { GuardedFetch } from '../http/guardedFetch';
import type { Redactor } from '../http/redact';
import type { RequestPurpose, Trace } from '../http/trace';
import type { Clock, Logger } from '../ports';
import type { TraceStep } from '../../shared/codes';

export interface OAuthContext {
  fetch: GuardedFetch;
  trace: Trace;
  redactor: Redactor;
  logger: Logger;
  clock: Clock;
}

/**
 * oauth4webapi request options that route its request through our guarded fetch.
 * `allowInsecureRequests` only lifts oauth4webapi's own https check: the guarded fetch enforces the
 * real policy (https, or http on loopback / user-allowed hosts) before anything is sent.
 */
export function wire(ctx: OAuthContext, purpose: RequestPurpose, step: TraceStep) {
  // oauth4webapi always asks for `redirect: 'manual'`. Metadata may redirect within its own origin
  // (docs/SECURITY.md), so for metadata the guarded fetch's redirect policy decides; token, registration
  // and revocation requests keep 'manual' and the guarded fetch refuses any redirect there.
  const followSameOrigin = purpose === 'as-metadata' || purpose === 'resource-metadata' || purpose === 'jwks';
  return {
    [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) =>
      ctx.fetch(url, { ...(options as RequestInit), ...(followSameOrigin ? { redirect: 'follow' as const } : {}), purpose, step }),
    [oauth.allowInsecureRequests]: true,
  } as const;
}

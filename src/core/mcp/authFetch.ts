/**
 * The fetch handed to the MCP SDK's transports: adds the bearer token (only for the resource it was
 * issued for), and turns 401/403 challenges into discovery, sign-in, refresh or step-up followed by
 * one retry of the same request. Auth stays ours; the SDK only moves MCP messages.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import * as oauth from 'oauth4webapi';
import type { GuardedFetch } from '../http/guardedFetch';
import type { AuthManager } from '../oauth/authManager';
import { resourceMatchesServer } from '../oauth/discovery';
import type { McpStep } from '../../shared/codes';

/** A key for the MCP operation in a request body, used to count authorization attempts per operation. */
export function operationKey(method: string, body: unknown): string {
  if (typeof body !== 'string') return method === 'GET' ? 'GET event stream' : `${method} request`;
  try {
    const msg = JSON.parse(body) as { method?: unknown; params?: { name?: unknown; uri?: unknown } } | unknown[];
    if (Array.isArray(msg)) return 'batch';
    const m = typeof msg.method === 'string' ? msg.method : 'response';
    const name = typeof msg.params?.name === 'string' ? ` ${msg.params.name}` : typeof msg.params?.uri === 'string' ? ` ${msg.params.uri}` : '';
    return `${m}${name}`;
  } catch {
    return `${method} request`;
  }
}

export interface AuthFetchOptions {
  fetch: GuardedFetch;
  /** Undefined for servers without OAuth. */
  auth?: AuthManager;
  /**
   * Told about every 401/403 on a request without a token, so the UI knows the server wants auth;
   * with the operation (e.g. "tools/call list_todos") and the status, so a tool declared public that
   * is refused can be flagged.
   */
  onAuthRequired?: (op: string, status: number) => void;
}

export function createAuthFetch(opts: AuthFetchOptions): FetchLike {
  const mayGoTo = tokenPolicy();
  return async (input, init = {}) => {
    const target = new URL(input instanceof URL ? input.href : String(input));
    const method = (init.method ?? 'GET').toUpperCase();
    const op = operationKey(method, init.body);
    const auth = opts.auth;
    for (;;) {
      const headers = new Headers(init.headers);
      let token: string | undefined;
      // A token goes only to the resource it was obtained for: same origin, path within the resource.
      if (auth && mayGoTo(auth, target)) token = await auth.accessToken();
      // A DPoP-bound token (RFC 9449 §7.1) goes as `Authorization: DPoP` with a fresh proof per request.
      const dpop = token && auth ? await auth.resourceDpop?.() : undefined;
      if (token && !dpop) headers.set('authorization', `Bearer ${token}`);
      else headers.delete('authorization');
      // A pasted token the user chose to send although its aud names another resource: every request
      // that carries it says so where the exchange is recorded (RFC 8707 §2; AuthManager.useExternalTokens).
      const held = auth?.tokens;
      if (auth && token && held?.grant === 'external' && held.audienceMismatchAccepted && held.access_token === token) {
        auth.ctx.trace.note(`MCP ${op}`, 'warn', 'user-supplied token, audience mismatch accepted: this request carries a token whose aud names another resource', 'RFC 8707 §2; RFC 9068 §4');
      }
      const res =
        token && dpop && auth
          ? await fetchWithDpop(opts.fetch, auth, target, { ...init, method, headers }, token, dpop, `MCP ${op}`)
          : await opts.fetch(target, { ...init, method, headers, purpose: 'mcp', step: `MCP ${op}` });
      if ((res.status === 401 || res.status === 403) && auth && mayGoTo(auth, target)) {
        if (!token) opts.onAuthRequired?.(op, res.status);
        // Only MCP messages (POST) may start a sign-in; the GET event stream and the DELETE that
        // ends the session only refresh (see ChallengeInfo.background).
        const retry = await auth.handleChallenge({ status: res.status, header: res.headers.get('www-authenticate'), op, hadToken: !!token, sentToken: token, background: method !== 'POST' });
        if (retry) {
          await res.body?.cancel().catch(() => {});
          continue;
        }
      } else if (res.ok && auth && !op.startsWith('tools/call')) {
        // Not for tools/call: an HTTP 200 may carry a tool-level challenge, and resetting the attempt
        // counter here would let a server that always challenges loop sign-ins forever.
        // McpSession.callTool reports success once the result holds no challenge.
        auth.succeeded(op);
      }
      return res;
    }
  };
}

/**
 * One MCP request with a DPoP-bound token: oauth4webapi's `protectedResourceRequest` signs the proof
 * (`htm`, `htu`, `ath`, the resource's latest nonce) and sets `Authorization: DPoP`, through the
 * guarded fetch. A `use_dpop_nonce` challenge (RFC 9449 §9) is answered by sending the request once
 * more with the nonce the server just supplied; any other response — a challenge included — goes back
 * to the caller as it came.
 */
async function fetchWithDpop(fetch: GuardedFetch, auth: AuthManager, target: URL, init: RequestInit & { method: string; headers: Headers }, token: string, dpop: oauth.DPoPHandle, step: McpStep): Promise<Response> {
  const send = async (): Promise<{ res: Response; nonce: boolean }> => {
    const headers = new Headers(init.headers);
    headers.delete('dpop');
    try {
      const res = await oauth.protectedResourceRequest(token, init.method, target, headers, init.body as oauth.ProtectedResourceRequestBody, {
        DPoP: dpop,
        signal: init.signal ?? undefined,
        // oauth4webapi asks for redirect 'manual'; the guarded fetch's own redirect policy for MCP requests decides.
        [oauth.customFetch]: (url, { redirect: _manual, ...o }) => fetch(url, { ...init, ...(o as RequestInit), purpose: 'mcp', step }),
        [oauth.allowInsecureRequests]: true,
      });
      return { res, nonce: false };
    } catch (err) {
      // oauth4webapi throws for every response with a WWW-Authenticate challenge; it carries the response.
      if (err instanceof oauth.WWWAuthenticateChallengeError) return { res: err.response, nonce: oauth.isDPoPNonceError(err) };
      throw err;
    }
  };
  const first = await send();
  if (!first.nonce) return first.res;
  auth.ctx.trace.note(step, 'info', 'the MCP server asks for a DPoP nonce (use_dpop_nonce): sending the request once more with a proof that carries it', 'RFC 9449 §9');
  await first.res.body?.cancel().catch(() => {});
  return (await send()).res;
}

/** May the token for `auth`'s resource go to `target`? Same origin, path within the resource. */
export function tokenMayGoTo(auth: AuthManager, target: URL): boolean {
  const server = auth.opts.serverUrl;
  if (target.origin !== server.origin) return false;
  const resource = auth.discovery?.resource ?? server.href;
  return resourceMatchesServer(resource, target) || target.pathname === server.pathname;
}

/**
 * `tokenMayGoTo` remembering its last answer: a session asks it for the same URL on every request,
 * and each answer re-parses the resource. The answer is a function of the server URL, the resource
 * and the target URL alone, so it is reused only when all three are the same strings.
 */
function tokenPolicy(): (auth: AuthManager, target: URL) => boolean {
  let last: { server: string; resource: string | undefined; target: string; ok: boolean } | undefined;
  return (auth, target) => {
    const server = auth.opts.serverUrl.href;
    const resource = auth.discovery?.resource;
    const href = target.href;
    if (last && last.server === server && last.resource === resource && last.target === href) return last.ok;
    const ok = tokenMayGoTo(auth, target);
    last = { server, resource, target: href, ok };
    return ok;
  };
}

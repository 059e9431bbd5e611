/**
 * A Browser for authorization servers that approve without a person (the conformance suite's mock,
 * the demo with MCP_DEMO_AUTO_APPROVE=1): it requests the authorization URL itself and follows the
 * redirects until it reaches the loopback redirect URI, which it then requests so our receiver gets
 * the callback exactly as a real browser would deliver it.
 *
 * Every hop passes the same URL and address policy as any other request (the guarded fetch). A tiny
 * cookie jar (name=value per host) is kept because login/consent interactions (oidc-provider's, for
 * one) carry their state in cookies across the redirects; no cookie library is a dependency of the
 * engine, and nothing beyond name/value/host is needed for this.
 */
import { InspectorError } from '../errors';
import type { GuardedFetch } from '../http/guardedFetch';
import type { Browser } from '../ports';
import { STEP } from '../../shared/codes';

export interface HeadlessBrowserOptions {
  fetch: GuardedFetch;
  maxHops?: number;
  /** Requests the callback URL at our receiver. Default: a plain GET. */
  deliver?: (url: URL) => Promise<void>;
}

async function defaultDeliver(url: URL): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.body?.cancel();
}

export function createHeadlessBrowser(opts: HeadlessBrowserOptions): Browser {
  return {
    async open(start: URL, redirectUri?: string) {
      if (!redirectUri) throw new InspectorError('internal', 'headless authorization needs the redirect URI', { step: STEP.headlessAuthorization });
      const target = new URL(redirectUri);
      const web = target.protocol === 'http:' || target.protocol === 'https:';
      // The walk stops at our receiver: same scheme and host, at its path — or, for http(s), at '/'
      // (where proxies deliver it). A custom-scheme redirect URI (vscode://…) has no origin to compare.
      const isRedirectTarget = (u: URL) =>
        u.protocol === target.protocol && u.host === target.host && (u.pathname === target.pathname || (web && u.pathname === '/'));
      const jar = new Map<string, Map<string, string>>();
      let url = start;
      for (let hop = 0; hop < (opts.maxHops ?? 20); hop++) {
        const headers: Record<string, string> = { accept: 'text/html,application/json' };
        const cookies = jar.get(url.host);
        if (cookies?.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        if (isRedirectTarget(url)) {
          // Our own loopback receiver: delivered directly (the address policy of a public MCP server
          // would rightly refuse loopback targets, but this one is the listener we just opened).
          await (opts.deliver ?? defaultDeliver)(url);
          return;
        }
        const res = await opts.fetch(url, { purpose: STEP.authorization, step: STEP.headlessAuthorization, headers, redirect: 'manual' });
        for (const c of res.headers.getSetCookie?.() ?? []) {
          const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
          if (!m) continue;
          const perHost = jar.get(url.host) ?? new Map<string, string>();
          perHost.set(m[1], m[2]);
          jar.set(url.host, perHost);
        }
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          try {
            url = new URL(location, url);
          } catch {
            throw new InspectorError('callback_invalid', 'the authorization server redirected to an invalid URL', { step: STEP.headlessAuthorization });
          }
          continue;
        }
        // An authorization server must not redirect to a redirect_uri it does not know (RFC 6749
        // §4.1.2.1): it answers with its own error page. Heuristic, labelled as such: the page names it.
        if (hop === 0 && res.status >= 400 && /redirect_uri/i.test(await res.text().catch(() => ''))) {
          const clientId = start.searchParams.get('client_id') ?? '(unknown)';
          throw new InspectorError('authorization_denied', `the authorization server refused the authorization request (HTTP ${res.status}); its answer mentions redirect_uri, so it probably does not accept ${redirectUri} for client ${clientId}`, {
            step: STEP.headlessAuthorization,
            url: `${url.origin}${url.pathname}`,
            hint: `Register ${redirectUri} as a redirect URI of that client at the authorization server, use Dynamic Client Registration, or choose another redirect mode`,
          });
        }
        throw new InspectorError('authorization_denied', `headless authorization stopped at HTTP ${res.status} without reaching the redirect URI`, {
          step: STEP.headlessAuthorization,
          url: `${url.origin}${url.pathname}`,
          hint: 'This server needs a person to sign in: run without --headless and complete the sign-in in the browser',
        });
      }
      throw new InspectorError('authorization_denied', 'too many redirects during headless authorization', { step: STEP.headlessAuthorization });
    },
  };
}

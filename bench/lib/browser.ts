/**
 * The "person's browser" of the benchmark: requests the authorization URL, follows the
 * authorization server's redirects (keeping its cookies, as oidc-provider's interactions need) and
 * finally requests the loopback redirect URI, which delivers the code to whichever client is
 * listening there. The demo auto-approves (startDemo({ autoApprove: true })), so no page is filled in.
 *
 * Both clients of the first-connect comparison are handed this same browser, with its own request
 * counter: its requests are the user's browser's, not the client's, and are reported separately.
 */
export interface BenchBrowser {
  open(url: URL, redirectUri: string): Promise<void>;
}

export function personBrowser(fetchImpl: typeof fetch, maxHops = 20): BenchBrowser {
  return {
    async open(start, redirectUri) {
      const target = new URL(redirectUri);
      const jar = new Map<string, Map<string, string>>();
      let url = start;
      for (let hop = 0; hop < maxHops; hop++) {
        const headers: Record<string, string> = { accept: 'text/html' };
        const cookies = jar.get(url.host);
        if (cookies?.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await fetchImpl(url, { headers, redirect: 'manual' });
        await res.arrayBuffer();
        if (url.origin === target.origin && url.pathname === target.pathname) return; // delivered to the client's receiver
        for (const c of res.headers.getSetCookie()) {
          const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
          if (!m) continue;
          const perHost = jar.get(url.host) ?? new Map<string, string>();
          perHost.set(m[1], m[2]);
          jar.set(url.host, perHost);
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) throw new Error(`the browser stopped at HTTP ${res.status} (${url.origin}${url.pathname}) before the redirect URI`);
        url = new URL(location, url);
      }
      throw new Error('the browser followed too many redirects');
    },
  };
}

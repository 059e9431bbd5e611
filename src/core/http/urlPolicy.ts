/**
 * URL and address policy (../shared/SECURITY.md "URLs from servers" and "SSRF").
 * STUB — being replaced by the full implementation (address classes in every spelling, DNS check).
 */
import { InspectorError } from '../errors';

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'public' | 'unspecified';

export interface AddressPolicy {
  /** The URL the user chose (the MCP server): its address class decides what servers may point us to. */
  trustedOrigin: URL;
  /** Hosts allowed to use plain http besides loopback (user setting). */
  allowHttpHosts?: readonly string[];
  /** Resolve a host name to addresses; default dns.lookup(all). Injected in tests. */
  lookup?: (hostname: string) => Promise<string[]>;
}

/**
 * Parse and check a URL that came from a server (or the user): only https:, or http: to a loopback
 * host (or an allowed host). Throws `url_scheme_refused` / `url_invalid` before anything is opened.
 */
export function checkUrl(input: string | URL, what: string, allowHttpHosts: readonly string[] = []): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new InspectorError('url_invalid', `${what} is not a valid URL`, { hint: 'Check the server configuration' });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || allowHttpHosts.includes(url.hostname))) return url;
  throw new InspectorError('url_scheme_refused', `${what} uses a refused scheme "${url.protocol}"`, {
    hint: 'Only https: URLs (or http: on loopback) are ever fetched or opened',
  });
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h);
}

/** Throws `address_refused` when `target` resolves to an address class the trusted origin may not reach. */
export async function assertAddressAllowed(_target: URL, _policy: AddressPolicy): Promise<void> {
  /* stub */
}

/**
 * URL and address policy (docs/SECURITY.md "URLs from servers" and "Addresses").
 *
 * Two gates, both applied before anything is opened or fetched:
 *  1. `checkUrl`: the scheme gate. Only `https:`, or `http:` to a loopback host (or a host the user
 *     allowed). Every other scheme (`javascript:`, `data:`, `file:`, `command:`, `vscode:` …) is
 *     refused, in every spelling the WHATWG parser accepts (case, surrounding whitespace, embedded
 *     tab/newline, leading C0 controls), and a URL carrying control characters is refused outright.
 *  2. `assertAddressAllowed`: the SSRF gate. The address class of the MCP server the user chose
 *     decides which address classes the servers it names may send us to, and so does the address
 *     class of the document that named a URL (`UrlSource`): a public authorization server's metadata
 *     may not send us to loopback even when the MCP server is on loopback.
 *
 * The WHATWG URL parser already rewrites every IPv4 spelling (decimal `2852039166`, octal
 * `0251.0376.0251.0376`, hex `0xa9fea9fe`, short `127.1`) to a dotted quad and IPv6 to its
 * compressed form (`[::ffff:169.254.169.254]` → `[::ffff:a9fe:a9fe]`), so classification works on
 * `url.hostname` and never re-parses user spellings itself.
 * @see https://url.spec.whatwg.org/#concept-ipv4-parser
 * @see https://www.rfc-editor.org/rfc/rfc6890 (special-purpose address registries)
 *
 * Known limit: the address check resolves the name, then `fetch` resolves it again, so a DNS
 * rebinding server can still answer differently the second time. Pinning needs a custom dispatcher
 * (undici `Agent({ connect: { lookup } })`), which Node 20 does not expose without the `undici` package.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { InspectorError } from '../errors';
import type { TraceStep } from '../../shared/codes';

/**
 * Where an address points. `reserved` covers multicast, broadcast and the other ranges no request
 * should ever go to; it is never reachable.
 */
export type AddressClass = 'loopback' | 'private' | 'link-local' | 'public' | 'unspecified' | 'reserved';

export interface AddressPolicy {
  /** The URL the user chose (the MCP server): its address class decides what servers may point us to. */
  trustedOrigin: URL;
  /** Hosts allowed to use plain http besides loopback (user setting). */
  allowHttpHosts?: readonly string[];
  /** Resolve a host name to addresses; default dns.lookup(all). Injected in tests. */
  lookup?: (hostname: string) => Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Scheme gate
// ---------------------------------------------------------------------------------------------

/** C0 controls (incl. tab, CR, LF, NUL) and DEL: the parser silently drops or strips them. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Parse and check a URL that came from a server (or the user): only https:, or http: to a loopback
 * host (or an allowed host). Throws `url_scheme_refused` / `url_invalid` before anything is opened.
 * Error messages name the scheme and host only: never the path or query, which may carry secrets.
 * `at` (optional) puts the flow step and the field the URL came from into the error.
 */
export function checkUrl(input: string | URL, what: string, allowHttpHosts: readonly string[] = [], at: AddressCheckContext = {}): URL {
  const where = { step: at.step, field: at.source?.field };
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : String(input);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InspectorError('url_invalid', `${what} is not a valid absolute URL`, {
      ...where,
      hint: 'Check the server configuration; only https: URLs (or http: on loopback) are accepted',
    });
  }
  // The parser lower-cases the scheme and drops tab/newline/leading controls, so `JaVa\tScRiPt:`
  // arrives here as "javascript:" and falls to the refusal below.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InspectorError('url_scheme_refused', `${what} uses the scheme "${url.protocol}", which is refused`, {
      ...where,
      hint: 'Only https: URLs (or http: on loopback) are ever fetched or opened; nothing was opened',
    });
  }
  if (CONTROL_CHARS.test(raw)) {
    throw new InspectorError('url_invalid', `${what} (${urlLabel(url)}) contains control characters (tab, newline, NUL…)`, {
      ...where,
      hint: 'A URL with hidden characters is refused; nothing was opened',
    });
  }
  if (url.protocol === 'http:') {
    const host = url.hostname.toLowerCase();
    const allowed = allowHttpHosts.some((h) => h.toLowerCase() === host);
    if (!isLoopbackHost(host) && !allowed) {
      throw new InspectorError('url_scheme_refused', `${what} uses plain http: to a non-loopback host (${urlLabel(url)})`, {
        ...where,
        hint: 'Only https: is accepted except on loopback (localhost, 127.0.0.0/8, [::1]); nothing was fetched',
      });
    }
  }
  return url;
}

/**
 * The host the browser will really contact: `url.host` (punycode, with port). The UI shows this
 * before opening an authorization URL, so `https://good.example@evil.example/` shows `evil.example`.
 */
export function displayHost(url: URL): string {
  return url.host;
}

/** Scheme and host only (`https://as.example`, or `javascript:`): safe to put in an error message. */
export function urlLabel(url: URL): string {
  return url.host ? `${url.protocol}//${url.host}` : url.protocol;
}

/** localhost, *.localhost (RFC 6761 §6.3), 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackHost(hostname: string): boolean {
  const h = bareHost(hostname).replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && classifyAddress(h) === 'loopback';
}

// ---------------------------------------------------------------------------------------------
// Address classes
// ---------------------------------------------------------------------------------------------

/**
 * Cloud instance-metadata endpoints outside 169.254/16 (AWS IPv6 IMDS `fd00:ec2::254`, Alibaba
 * `100.100.100.200`, Oracle legacy `192.0.0.192`): classed as link-local so nothing but a
 * link-local origin may reach them.
 */
const METADATA_V4 = new Set(['100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

/**
 * The class of an IP address literal (IPv4 dotted quad or IPv6, brackets and zone id allowed).
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) addresses are classed by the IPv4 address they carry.
 * @see https://www.rfc-editor.org/rfc/rfc6890
 * @see https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5
 */
export function classifyAddress(ip: string): AddressClass {
  const addr = bareHost(ip).replace(/%.*$/, '');
  const family = isIP(addr);
  if (family === 4) return classifyV4(parseV4(addr));
  if (family === 6) return classifyV6(parseV6(addr));
  throw new InspectorError('internal', `"${addr.slice(0, 64)}" is not an IP address`);
}

function classifyV4(b: readonly number[]): AddressClass {
  const [a, c] = [b[0], b[1]];
  if (METADATA_V4.has(b.join('.'))) return 'link-local';
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 "this network"; 0.0.0.0 reaches the local host on Linux
  if (a === 127) return 'loopback';
  if (a === 169 && c === 254) return 'link-local'; // incl. 169.254.169.254 (cloud metadata)
  if (a === 10) return 'private';
  if (a === 172 && c >= 16 && c <= 31) return 'private';
  if (a === 192 && c === 168) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'private'; // CGNAT, RFC 6598
  if (a === 192 && c === 0 && b[2] === 0) return 'private'; // IETF protocol assignments
  if (a === 198 && (c === 18 || c === 19)) return 'private'; // benchmarking; also proxy "fake-ip" ranges
  if (a >= 224) return 'reserved'; // multicast 224/4, reserved 240/4, broadcast
  return 'public';
}

function classifyV6(b: Uint8Array): AddressClass {
  const zeroUpTo = (n: number) => b.subarray(0, n).every((x) => x === 0);
  const v4 = (off: number) => [b[off], b[off + 1], b[off + 2], b[off + 3]];
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && b[15] === 1) return 'loopback';
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(v4(12)); // ::ffff:a.b.c.d
  if (zeroUpTo(12)) return classifyV4(v4(12)); // ::a.b.c.d (deprecated IPv4-compatible)
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16));
  if (METADATA_V6.has(groups.join(':'))) return 'link-local';
  // 64:ff9b::/96 NAT64 well-known prefix (RFC 6052): the embedded IPv4 address is the real target.
  if (groups[0] === '64' && groups[1] === 'ff9b' && groups.slice(2, 6).every((g) => g === '0')) return classifyV4(v4(12));
  if (groups[0] === '64' && groups[1] === 'ff9b' && groups[2] === '1') return 'private'; // local-use NAT64, RFC 8215
  if (groups[0] === '2002') {
    // 6to4 (RFC 3056): classed by its IPv4 part when that is not public.
    const inner = classifyV4(v4(2));
    return inner === 'public' ? 'public' : inner;
  }
  if ((b[0] & 0xfe) === 0xfc) return 'private'; // fc00::/7 unique local
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return 'private'; // fec0::/10 deprecated site-local
  if (b[0] === 0xff) return 'reserved'; // multicast
  if (groups[0] === '100' && groups.slice(1, 4).every((g) => g === '0')) return 'reserved'; // 100::/64 discard
  return 'public';
}

function parseV4(s: string): number[] {
  return s.split('.').map((p) => Number.parseInt(p, 10));
}

/** Parse an IPv6 literal already validated by `net.isIP` into its 16 bytes. */
function parseV6(s: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = s.toLowerCase();
  let groupCount = 8;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // trailing dotted quad (::ffff:1.2.3.4): its 4 bytes are the last two groups
    out.set(parseV4(text.slice(lastColon + 1)), 12);
    text = text.slice(0, lastColon + 1);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
    groupCount = 6;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(groupCount - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < groupCount; i++) {
    const v = Number.parseInt(groups[i] ?? '0', 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Address gate
// ---------------------------------------------------------------------------------------------

/**
 * Which target classes an origin of each class may reach. Public targets are always fine (a local
 * MCP server commonly uses a public authorization server). Beyond that:
 *  - loopback (the user runs the server on this machine): loopback, private, unspecified;
 *  - private (a LAN server): private — not this machine's loopback, not link-local;
 *  - link-local (the user chose a 169.254.x server): link-local;
 *  - public / reserved: nothing else.
 * Link-local (169.254/16 with cloud metadata, fe80::/10) is reachable only from a link-local origin.
 */
const REACHABLE: Record<AddressClass, ReadonlySet<AddressClass>> = {
  loopback: new Set<AddressClass>(['public', 'loopback', 'private', 'unspecified']),
  unspecified: new Set<AddressClass>(['public', 'loopback', 'private', 'unspecified']),
  private: new Set<AddressClass>(['public', 'private']),
  'link-local': new Set<AddressClass>(['public', 'link-local']),
  public: new Set<AddressClass>(['public']),
  reserved: new Set<AddressClass>(['public']),
};

const HINTS: Record<AddressClass, string> = {
  'link-local':
    'Link-local addresses (169.254.0.0/16, fe80::/10) include the cloud metadata service and are never reachable from a server that is not itself link-local; nothing was fetched',
  loopback: 'Only a server running on this machine may point the client to loopback addresses; nothing was fetched',
  private: 'A server on a public address may not steer the client to private network addresses; nothing was fetched',
  unspecified: 'The unspecified address (0.0.0.0, ::) reaches this machine; only a loopback server may use it; nothing was fetched',
  reserved: 'Multicast, broadcast and reserved addresses are never fetched',
  public: '',
};

const ORIGIN_TTL_MS = 60_000;
const originCache = new WeakMap<AddressPolicy, { at: number; classes: AddressClass[] }>();
/**
 * Every address class each host has resolved to in this policy's session. A document's host is
 * judged by all of them, so a name that resolved to a public address when its document was fetched
 * cannot re-resolve to loopback later and so gain loopback's rights for the URLs it names.
 */
const hostsSeen = new WeakMap<AddressPolicy, Map<string, Set<AddressClass>>>();

/**
 * Where a URL came from: the document (or response) that named it and the field it was in. The
 * address rule applies to that document's host as well as to the MCP server the user chose
 * (docs/SECURITY.md "Addresses"): metadata served by a public authorization server may not point
 * to loopback even when the MCP server that named the authorization server runs on loopback.
 */
export interface UrlSource {
  /** The URL the document was fetched from (for a WWW-Authenticate challenge: the MCP server URL). */
  document: URL;
  /** The field, e.g. `token_endpoint`, `authorization_servers`, `resource_metadata (WWW-Authenticate)`. */
  field: string;
}

/** Where a check happens, for the refusal: the flow step and the source of the URL. */
export interface AddressCheckContext {
  step?: TraceStep;
  source?: UrlSource;
}

/**
 * False when `assertAddressAllowed` has nothing to check: `target` is on the trusted origin's own
 * host (the user chose it) and, when it came from a document on another host, on that document's
 * host too. Lets the caller skip an await on the hot path; the check itself is the same.
 */
export function needsAddressCheck(target: URL, policy: AddressPolicy, source?: UrlSource): boolean {
  const host = bareHost(target.hostname);
  if (host !== bareHost(policy.trustedOrigin.hostname)) return true;
  return source !== undefined && sourceJudges(host, source, policy);
}

/** Whether the source document's host judges `host`: it is neither that host nor the trusted origin's. */
function sourceJudges(host: string, source: UrlSource, policy: AddressPolicy): boolean {
  const doc = bareHost(source.document.hostname);
  return doc !== host && doc !== bareHost(policy.trustedOrigin.hostname);
}

/**
 * Throws `address_refused` when `target` is, or resolves to, an address class that may not be
 * reached from the trusted origin (the MCP server the user chose) or, when `at.source` names the
 * document the URL came from, from that document's host (see REACHABLE). A target on the judging
 * host itself is always allowed by that host: the user chose the MCP server, and a document may name
 * its own host. Every resolved address of a name must be allowed, not just the first. A name that
 * does not resolve → `network_error` (fetch would fail the same way). A judging host that does not
 * resolve is treated as public (the most restrictive). The refusal carries the step and the field.
 */
export async function assertAddressAllowed(target: URL, policy: AddressPolicy, at: AddressCheckContext = {}): Promise<void> {
  const host = bareHost(target.hostname);
  const judges: Array<{ host: string; classes: AddressClass[] }> = [];
  if (host !== bareHost(policy.trustedOrigin.hostname)) judges.push({ host: policy.trustedOrigin.host, classes: await trustedOriginClasses(policy) });
  if (at.source && sourceJudges(host, at.source, policy)) judges.push({ host: at.source.document.host, classes: await documentClasses(at.source.document, policy) });
  if (judges.length === 0) return;
  const where = { step: at.step, field: at.source?.field };

  const literal = isIP(host.replace(/%.*$/, '')) !== 0;
  let addresses: string[];
  if (literal) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host, policy);
    } catch (err) {
      throw new InspectorError('network_error', `could not resolve ${host}`, { ...where, hint: 'Check the host name in the server metadata', cause: err });
    }
    if (addresses.length === 0) {
      throw new InspectorError('network_error', `could not resolve ${host}: no addresses`, { ...where, hint: 'Check the host name in the server metadata' });
    }
  }
  const classes = addresses.map(classifyAddress);
  remember(policy, host, classes);
  for (const judge of judges) {
    // A judging host with several addresses gets only what every one of its addresses may reach.
    for (const [i, cls] of classes.entries()) {
      if (judge.classes.every((o) => REACHABLE[o].has(cls))) continue;
      const what = literal ? `${host} is a ${cls} address` : `${host} resolves to a ${cls} address (${addresses[i]})`;
      const named = at.source ? `${at.source.field} in ${at.source.document.origin}${at.source.document.pathname} is refused: ` : '';
      const judgeLabel = [...new Set(judge.classes)].join('/');
      throw new InspectorError('address_refused', `${named}${what}, which a server on a ${judgeLabel} address (${judge.host}) may not point the client to`, {
        ...where,
        url: urlLabel(target),
        hint: HINTS[cls],
      });
    }
  }
}

async function trustedOriginClasses(policy: AddressPolicy): Promise<AddressClass[]> {
  const host = bareHost(policy.trustedOrigin.hostname);
  if (isIP(host.replace(/%.*$/, ''))) return [classifyAddress(host)];
  const cached = originCache.get(policy);
  if (cached && Date.now() - cached.at < ORIGIN_TTL_MS) return cached.classes;
  try {
    const ips = await resolve(host, policy);
    if (ips.length === 0) return ['public'];
    const classes = ips.map(classifyAddress);
    originCache.set(policy, { at: Date.now(), classes });
    return classes;
  } catch {
    return ['public']; // not remembered: the next request tries again
  }
}

/** The classes a document's host is judged by: what it resolves to now and every class it resolved to before. */
async function documentClasses(document: URL, policy: AddressPolicy): Promise<AddressClass[]> {
  const host = bareHost(document.hostname);
  if (isIP(host.replace(/%.*$/, ''))) return [classifyAddress(host)];
  let now: AddressClass[];
  try {
    const ips = await resolve(host, policy);
    now = ips.length ? ips.map(classifyAddress) : ['public'];
  } catch {
    now = ['public'];
  }
  remember(policy, host, now);
  return [...(hostsSeen.get(policy)?.get(host) ?? now)];
}

function remember(policy: AddressPolicy, host: string, classes: readonly AddressClass[]): void {
  let seen = hostsSeen.get(policy);
  if (!seen) hostsSeen.set(policy, (seen = new Map()));
  let set = seen.get(host);
  if (!set) {
    if (seen.size >= 256) seen.delete(seen.keys().next().value!);
    seen.set(host, (set = new Set()));
  }
  for (const c of classes) set.add(c);
}

async function resolve(host: string, policy: AddressPolicy): Promise<string[]> {
  if (policy.lookup) return policy.lookup(host);
  const all = await dns.lookup(host, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

/** `[::1]` → `::1`, lower case. */
function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

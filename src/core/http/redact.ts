/**
 * Secret redaction for everything that is logged or traced. Two layers (GitLens' sanitize keys,
 * hardened): values under known secret keys are replaced wherever they appear (JSON bodies, form
 * bodies, query strings, headers), and every secret value the engine has seen (tokens, codes,
 * verifiers, client secrets) is scrubbed from any text by value, so a secret that turns up under an
 * unexpected name or inside an error message is still caught.
 */
import { isSecretKey } from '../text/secrets';

export const REDACTED = '[REDACTED]';

// Which keys are secrets is decided once for the engine, in core/text/secrets.ts (exact wire names:
// see there why the trace does not use the wider heuristic of the config import).
export { isSecretKey };

export class Redactor {
  private readonly values = new Set<string>();
  /**
   * Every spelling of every known secret, longest first. Built when first needed after a secret is
   * added, not on every call: `text()` runs for each string and key of every traced JSON body.
   */
  private spellings?: string[];
  /** The shortest spelling's length: a shorter string cannot hold any secret (most header values). */
  private shortest = 0;

  /** Remember a secret value so it is scrubbed from any text later (values under 8 chars are ignored to avoid mangling). */
  addSecret(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8 && !this.values.has(value)) {
      this.values.add(value);
      this.spellings = undefined;
    }
  }

  /**
   * Scrub every known secret value from a string, also in its percent-encoded and form-encoded
   * spellings (a base64url or base64 secret in a query string or form body). Longest first, so a
   * secret that contains another is removed whole.
   */
  text(input: string): string {
    if (this.values.size === 0) return input;
    if (!this.spellings) {
      this.spellings = secretSpellings(this.values);
      this.shortest = this.spellings[this.spellings.length - 1].length;
    }
    if (input.length < this.shortest) return input;
    let out = input;
    for (const v of this.spellings) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
    return out;
  }

  /**
   * A URL with secret query parameters, secret fragment parameters (an implicit-flow
   * `#access_token=`), the userinfo password and any known secret value redacted.
   */
  url(input: string | URL): string {
    let u: URL;
    try {
      u = input instanceof URL ? input : new URL(String(input));
    } catch {
      return this.text(String(input));
    }
    // Nothing to redact by key (the common case: no query, no fragment, no password): no copy, no re-parse.
    if (u.search || u.hash.includes('=') || u.password) {
      if (u === input) u = new URL(u.href); // never change the caller's URL
      if (u.search && [...u.searchParams.keys()].some(isSecretKey)) u.search = formText(redactForm(u.searchParams));
      if (u.hash.includes('=')) {
        const frag = new URLSearchParams(u.hash.slice(1));
        if ([...frag.keys()].some(isSecretKey)) u.hash = formText(redactForm(frag));
      }
      if (u.password) u.password = REDACTED;
    }
    const href = u.href;
    return this.text(href.includes(ENCODED_REDACTED) ? href.split(ENCODED_REDACTED).join(REDACTED) : href);
  }

  headers(h: Headers | Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (!h) return out;
    if (h instanceof Headers) h.forEach(headerInto, { out, redactor: this });
    else for (const k of Object.keys(h)) out[k] = this.header(k, h[k]);
    return out;
  }

  /** One header's value as it may be traced or logged. */
  header(name: string, value: string): string {
    if (isSecretKey(name)) {
      // keep the scheme of an Authorization header ("Bearer [REDACTED]"): it tells what was sent.
      const scheme = /^(\w+)\s+/.exec(value)?.[1];
      return scheme && name.toLowerCase().endsWith('authorization') ? `${scheme} ${REDACTED}` : REDACTED;
    }
    // A redirect to the loopback receiver carries the authorization code in its query string
    // before anything has told us the code's value: redact it by key, like a request URL.
    if (URL_HEADERS.has(name.toLowerCase())) return this.urlOrPath(value);
    return this.text(value);
  }

  /** `url()` for an absolute URL or a relative reference (a `Location: /callback?code=…`). */
  private urlOrPath(v: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return this.url(v);
    const base = 'http://relative.invalid';
    try {
      const u = new URL(v, base);
      const redacted = this.url(u);
      if (redacted === this.text(u.href)) return this.text(v); // nothing secret by key: keep it as sent
      return redacted.startsWith(base) ? redacted.slice(base.length) : redacted;
    } catch {
      return this.text(v);
    }
  }

  /** Redact a JSON value: secret keys anywhere in the tree, known values in every string. */
  json(value: unknown, depth = 0): unknown {
    if (depth > 32) return '[…]';
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const redacted = isSecretKey(k) && v !== null && v !== undefined ? REDACTED : this.json(v, depth + 1);
        // defineProperty: a hostile `__proto__` key stays a plain key instead of re-parenting the copy
        // Keys are scrubbed too: a hostile server may echo a token back as an object key.
        Object.defineProperty(out, this.text(k), { value: redacted, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  }

  /**
   * Whether `json(value)` would change anything: a secret key with a value, a key or string holding a
   * known secret, or a value deeper than `json()` walks (it cuts those to "[…]"). Known secrets are
   * looked for in the raw `text` once when it holds no escape (then every parsed key and string is a
   * verbatim slice of it); with a backslash, in every key and string, as `json()` does.
   */
  private jsonNeedsRedaction(value: unknown, text: string): boolean {
    const checkStrings = this.values.size > 0 && (text.includes('\\') || this.text(text) !== text);
    return needsRedaction(value, 0, checkStrings ? (s) => this.text(s) !== s : undefined);
  }

  /** Redact a request/response body given as text: JSON, form-encoded, or anything else. */
  body(text: string, contentType?: string | null): string {
    const ct = (contentType ?? '').toLowerCase();
    if (ct.includes('json') || /^\s*[[{]/.test(text)) {
      let parsed: unknown;
      let ok = false;
      try {
        parsed = JSON.parse(text);
        ok = true;
      } catch {
        /* not JSON after all */
      }
      if (ok) {
        // The copy `json()` makes is only needed when it would differ from the parsed value: skip it
        // (its allocation and a `text()` per key and string) when nothing in the tree is redacted.
        // Output is the same string either way.
        return JSON.stringify(this.jsonNeedsRedaction(parsed, text) ? this.json(parsed) : parsed);
      }
    }
    // Form bodies, also when the content type is missing (a URLSearchParams body, a bare string).
    if (ct.includes('x-www-form-urlencoded') || (!ct && FORM_LIKE.test(text))) {
      return this.text(formText(redactForm(new URLSearchParams(text))));
    }
    // Broken or truncated JSON: still hide `"secret_key": "value"` pairs.
    return this.text(text.replace(JSON_STRING_PAIR, (pair, key: string) => (isSecretKey(key) ? `"${key}":"${REDACTED}"` : pair)));
  }
}

/** The non-copying twin of `Redactor.json`: true where that walk would replace or cut something. */
function needsRedaction(value: unknown, depth: number, hasSecret: ((s: string) => boolean) | undefined): boolean {
  if (depth > 32) return true;
  if (typeof value === 'string') return hasSecret?.(value) ?? false;
  if (Array.isArray(value)) {
    for (const v of value) if (needsRedaction(v, depth + 1, hasSecret)) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (isSecretKey(k) && v !== null && v !== undefined) return true;
      if (hasSecret?.(k)) return true;
      if (needsRedaction(v, depth + 1, hasSecret)) return true;
    }
  }
  return false;
}

/** `Headers.forEach` callback for `headers()` (a function made once, not a closure per call). */
function headerInto(this: { out: Record<string, string>; redactor: Redactor }, value: string, name: string): void {
  this.out[name] = this.redactor.header(name, value);
}

/** Characters that neither encodeURIComponent nor form encoding change (base64url, JWTs, hex). */
const ENCODING_SAFE = /^[A-Za-z0-9*._-]*$/;

/** Each secret as it is, percent-encoded and form-encoded; longest first. */
function secretSpellings(values: Iterable<string>): string[] {
  const spellings = new Set<string>();
  for (const v of values) {
    spellings.add(v);
    if (ENCODING_SAFE.test(v)) continue; // both encodings are `v` itself
    spellings.add(encodeURIComponent(v));
    spellings.add(new URLSearchParams({ v }).toString().slice(2));
  }
  return [...spellings].sort((a, b) => b.length - a.length);
}

/** Response headers whose value is a URL (redirect targets). */
const URL_HEADERS = new Set(['location', 'content-location']);

const JSON_STRING_PAIR = /"([\w-]+)"\s*:\s*"(?:[^"\\]|\\.)*(?:"|\\?$)/g;

/** `a=1&b=2` with no spaces, braces or line breaks. */
const FORM_LIKE = /^[\w.~%+-]+=[^\s&]*(?:&[\w.~%+-]+=?[^\s&]*)*$/;

const ENCODED_REDACTED = encodeURIComponent(REDACTED);

/** Form serialisation that leaves the `[REDACTED]` marker readable. */
function formText(params: URLSearchParams): string {
  return params.toString().split(ENCODED_REDACTED).join(REDACTED);
}

/** Every value under a secret key replaced (all occurrences of a repeated key). */
function redactForm(params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, isSecretKey(k) ? REDACTED : v);
  return out;
}

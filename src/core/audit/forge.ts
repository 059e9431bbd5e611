/**
 * Tokens the audit derives from the real access token to see whether the MCP server verifies what it
 * is given (docs/SECURITY.md "The audit's probes"): the real token with its signature tampered, an
 * `alg: none` copy of its claims, the same claims signed by a key the issuer never published (named
 * only by `kid`, or embedded in the header as `jwk`), and a token that is not a token at all.
 *
 * JWT encoding and signing are jose's. Every token made here is handed to `redactor.addSecret`
 * before it is returned, so the trace, logs and report never show it; none is stored.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT Best Current Practices: §3.1 algorithm
 *   verification, §3.10 do not trust keys a token brings along)
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4 (validating JWT access tokens)
 */
import { randomBytes } from 'node:crypto';
import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type GenerateKeyPairResult, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** Where forged tokens are registered as secrets (the connection's Redactor). */
export interface SecretSink {
  addSecret(value: string | undefined): void;
}

/** The parts of a JWS compact serialization, when `token` is one whose header and claims decode. */
export interface DecodedJwt {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

/** The token decoded as a JWT (RFC 7519), or undefined for an opaque token. */
export function decodeAccessToken(token: string): DecodedJwt | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return undefined;
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `s` with the character at `i` replaced by another of the base64url alphabet (so it still parses). */
function flipAt(s: string, i: number): string {
  const c = s[i];
  const pos = B64URL.indexOf(c);
  const next = pos < 0 ? 'A' : B64URL[(pos + 17) % 64];
  return s.slice(0, i) + next + s.slice(i + 1);
}

/**
 * The real token with its signature changed: for a JWT, two characters in the middle of the
 * signature segment (not the last one, whose low bits may be padding); for an opaque token, two
 * characters in its middle. Same length, same alphabet: only a server that checks it notices.
 */
export function tamperedSignature(token: string, sink: SecretSink): string {
  let out: string;
  if (decodeAccessToken(token)) {
    const [h, p, sig] = token.split('.');
    const mid = Math.max(0, Math.floor(sig.length / 2) - 1);
    const flipped = sig.length >= 4 ? flipAt(flipAt(sig, mid), mid + 1) : `${sig}${B64URL[7]}`;
    out = `${h}.${p}.${flipped}`;
  } else {
    const mid = Math.max(0, Math.floor(token.length / 2) - 1);
    out = token.length >= 2 ? flipAt(flipAt(token, mid), mid + 1) : `${token}x`;
  }
  sink.addSecret(out);
  return out;
}

/** Header members that name or carry a key: dropped from re-signed copies (they are set anew). */
const KEY_MEMBERS = ['alg', 'kid', 'jwk', 'jku', 'x5c', 'x5u', 'x5t', 'x5t#S256', 'crit', 'b64'] as const;

function headerWithoutKey(header: ProtectedHeaderParameters): Record<string, unknown> {
  const out: Record<string, unknown> = { ...header };
  for (const k of KEY_MEMBERS) delete out[k];
  return out;
}

/**
 * An unsecured copy (RFC 7515 §A.5, RFC 7519 §6): the original header with `alg: "none"` and no key
 * members, the original claims, an empty signature. Undefined for an opaque token.
 */
export function algNoneCopy(token: string, sink: SecretSink): string | undefined {
  const jwt = decodeAccessToken(token);
  if (!jwt) return undefined;
  const header = { ...headerWithoutKey(jwt.header), alg: 'none' };
  const [, payload] = token.split('.');
  const out = `${base64url.encode(JSON.stringify(header))}.${payload}.`;
  sink.addSecret(out);
  return out;
}

/** Asymmetric JWS algorithms jose can generate a key pair for; anything else is re-signed with ES256. */
const GENERATABLE = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

function resignAlg(jwt: DecodedJwt): string {
  return typeof jwt.header.alg === 'string' && GENERATABLE.has(jwt.header.alg) ? jwt.header.alg : 'ES256';
}

/**
 * A key pair per algorithm that exists only in this process (the issuer never published it), made
 * once: an RSA key takes up to a second to generate, and one unpublished key is as good as another.
 */
const forgeryKeys = new Map<string, Promise<GenerateKeyPairResult>>();

function forgeryKey(alg: string): Promise<GenerateKeyPairResult> {
  let k = forgeryKeys.get(alg);
  if (!k) {
    k = generateKeyPair(alg, { extractable: true });
    k.catch(() => forgeryKeys.delete(alg));
    forgeryKeys.set(alg, k);
  }
  return k;
}

/** Start making the key the re-signed copies of `token` need, so it is ready when they are (no-op for an opaque token). */
export function prepareForgery(token: string): void {
  const jwt = decodeAccessToken(token);
  if (jwt) forgeryKey(resignAlg(jwt)).catch(() => undefined);
}

async function resign(token: string, sink: SecretSink, how: 'kid' | 'jwk'): Promise<string | undefined> {
  const jwt = decodeAccessToken(token);
  if (!jwt) return undefined;
  const alg = resignAlg(jwt);
  const { privateKey, publicKey } = await forgeryKey(alg);
  const publicJwk = await exportJWK(publicKey);
  const header: Record<string, unknown> = { ...headerWithoutKey(jwt.header), alg };
  if (how === 'kid') header.kid = `audit-${(await calculateJwkThumbprint(publicJwk)).slice(0, 16)}`;
  else header.jwk = publicJwk;
  const out = await new SignJWT(jwt.claims).setProtectedHeader(header as ProtectedHeaderParameters & { alg: string }).sign(privateKey);
  sink.addSecret(out);
  return out;
}

/** The real token's claims signed by a fresh key the issuer never published, named only by a `kid` (RFC 7515 §4.1.4). */
export function signedByUnknownKey(token: string, sink: SecretSink): Promise<string | undefined> {
  return resign(token, sink, 'kid');
}

/**
 * The real token's claims signed by a fresh key carried in the header as `jwk` (RFC 7515 §4.1.3): a
 * server that verifies with the key a token brings along accepts anything (RFC 8725 §3.10).
 */
export function signedByEmbeddedJwk(token: string, sink: SecretSink): Promise<string | undefined> {
  return resign(token, sink, 'jwk');
}

/** A value that is neither a JWT nor anything the authorization server issued (random, so it can be redacted). */
export function malformedToken(sink: SecretSink): string {
  const out = `audit-malformed.${randomBytes(12).toString('base64url')}`;
  sink.addSecret(out);
  return out;
}

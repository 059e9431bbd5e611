/**
 * The one policy for which names and values are secrets (docs/SECURITY.md, "Tokens and credentials").
 * Two readers, two strictnesses, one list each:
 *
 * - `isSecretKey`: the exact wire names of the protocols this engine speaks, as the RFCs spell them.
 *   The trace and the log (`core/http/redact.ts`) redact the values under these keys in every JSON
 *   body, form body, query string and header. Exact on purpose: a substring rule would also hide
 *   `token_type`, `token_endpoint`, `expires_in` and a JWKS's `keys`, which a person debugging a flow
 *   needs to read. The trace does not need more: every secret value the engine obtains is also
 *   scrubbed by value (`Redactor.addSecret`), whatever key it turns up under.
 * - `looksLikeSecretName` / `looksLikeSecretValue` / `isSecretOption`: for names people write
 *   (`.vscode/mcp.json` headers, env variables, query parameters, command-line options), where
 *   nothing tells what a value is. Wide on purpose: a false positive costs the user one re-typed
 *   value, a false negative copies a credential into settings. The wire names count too (a header
 *   named `DPoP` or a query parameter named `code` is a secret in a config as much as on the wire).
 */

/** Keys whose values are secrets (lower-case). Wire names as the RFCs spell them. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'access_token', // RFC 6749 §5.1
  'refresh_token', // RFC 6749 §5.1
  'id_token', // OpenID Connect Core §3.1.3.3
  'code', // RFC 6749 §4.1.2
  'code_verifier', // RFC 7636 §4.5
  'client_secret', // RFC 6749 §2.3.1
  'client_assertion', // RFC 7521 §4.2
  'assertion', // RFC 7521 §4.1
  'subject_token', // RFC 8693 §2.1
  'actor_token', // RFC 8693 §2.1
  'registration_access_token', // RFC 7591 §3.2.1
  'token', // RFC 7009 §2.1, RFC 7662 §2.1
  'password', // RFC 6749 §4.3.2
  'private_key_pem',
  'idp_id_token',
  'authorization', // RFC 9110 §11.6.2
  'proxy-authorization', // RFC 9110 §11.7.2
  // A DPoP proof (RFC 9449 §4): signed by our key and bound to the access token (`ath`).
  'dpop',
  'cookie', // RFC 6265 §5.4
  'set-cookie', // RFC 6265 §4.1
]);
// Not here: `mcp-session-id`. It names the MCP session, grants nothing by itself (every request
// still carries the bearer token), and is what a user needs to see to debug a session; see
// https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#session-management

/** An exact wire name whose value is a secret (any case): what the trace and the log redact by key. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/**
 * Names people give secrets: Authorization, Proxy-Authorization, Cookie, *token*, *key*, *secret*,
 * *password*, *credential*, *session* … (AUTHOR is not: `GIT_AUTHOR_NAME`).
 */
const SECRET_NAME = /auth(?!or(?!iz))|token|secret|passw|pwd|key|credential|cookie|bearer|session/i;

/** A header, env variable or query parameter name that holds (or looks like it holds) a secret. */
export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || isSecretKey(name);
}

/**
 * Command-line options whose value (`--token=x`, or the next argument) is a secret. Narrower than
 * `SECRET_NAME`: a bare `key` or `session` in an option is more often something else (`--key-file`
 * names a path, `--keep-session` is a switch), and a false positive here changes the command.
 */
const SECRET_OPTION = /^--?[\w-]*(?:token|secret|passw|pwd|api[-_]?key|apikey|credential|auth(?!or(?!iz)))[\w-]*$/i;

export function isSecretOption(arg: string): boolean {
  return SECRET_OPTION.test(arg);
}

/** Values that are credentials whatever they are called: schemes, well-known token prefixes, JWTs. */
const SECRET_VALUES: readonly RegExp[] = [
  /^(?:bearer|basic|token|dpop)\s+\S/i, // RFC 6750 §2.1, RFC 7617 §2, RFC 9449 §7.1
  /^(?:sk|rk)[-_][A-Za-z0-9_-]{16,}/, // OpenAI, Anthropic (sk-ant-…), Stripe secret / restricted keys
  /^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, // GitHub tokens
  /^github_pat_[A-Za-z0-9_]{20,}/,
  /^glpat-[A-Za-z0-9_-]{16,}/, // GitLab
  /^xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
  /^AIza[0-9A-Za-z_-]{30,}/, // Google API key
  /^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/, // JWT (RFC 7519 §3, compact serialization)
];

/** A value that is a credential by its shape, whatever name it is under. */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim();
  return SECRET_VALUES.some((re) => re.test(v));
}

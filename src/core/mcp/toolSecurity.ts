/**
 * Per-tool security: a tool's `securitySchemes` (the top-level field, or `_meta.securitySchemes`
 * where servers put it) — `noauth`, `oauth2` with scopes, both, or absent (= the server's default) —
 * compared with the scopes the current token holds.
 *
 * @see https://developers.openai.com/apps-sdk/build/auth (securitySchemes on tools)
 */
import type { SecurityView } from '../../shared/protocol';

export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes: string[] };

/** A call of the tool made without a token that the server refused. */
export interface RefusedWithoutToken {
  /** The HTTP status (401/403), or the one a tool-level challenge stands for. */
  status: number;
  /** 'http': the response to the request; 'tool-result': an authorization challenge in the result (`_meta["mcp/www_authenticate"]`). */
  via: 'http' | 'tool-result';
  /** Epoch ms. */
  at: number;
}

/** Declared security and observed behaviour disagree: what was declared, what happened, in one sentence. */
export interface SecurityMismatch {
  /** What the tool declares, e.g. "public (noauth)". */
  declared: string;
  observed: RefusedWithoutToken;
  /** e.g. "declared public (noauth), but the server answered 401 to a call without a token". */
  message: string;
}

/**
 * The engine's view of a tool's security, derived from the one declaration in src/shared/protocol.ts
 * (`SecurityView`, what the panels get): the same facts, plus the declared schemes and the refused
 * call in full. `kind` is not here: it is how src/present sums up `schemes` for display.
 */
export interface ToolSecurity extends Omit<SecurityView, 'kind' | 'mismatch'> {
  /** What the tool declares; undefined when it declares nothing (the server's default applies). */
  schemes?: SecurityScheme[];
  /**
   * Set when the declaration says calls may go without a token (noauth) but the server refused such
   * a call: the declaration is shown as declared, with this warning beside it.
   */
  mismatch?: SecurityMismatch;
}

/** Read and validate the declared schemes; anything malformed is ignored, never trusted. */
export function readSecuritySchemes(tool: Record<string, unknown>): { schemes?: SecurityScheme[]; source: ToolSecurity['source'] } {
  const top = parseSchemes(tool.securitySchemes);
  if (top) return { schemes: top, source: 'securitySchemes' };
  const meta = tool._meta && typeof tool._meta === 'object' ? (tool._meta as Record<string, unknown>).securitySchemes : undefined;
  const fromMeta = parseSchemes(meta);
  if (fromMeta) return { schemes: fromMeta, source: '_meta.securitySchemes' };
  return { schemes: undefined, source: 'default' };
}

function parseSchemes(v: unknown): SecurityScheme[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: SecurityScheme[] = [];
  for (const s of v.slice(0, 16)) {
    if (!s || typeof s !== 'object') continue;
    const type = (s as { type?: unknown }).type;
    if (type === 'noauth') out.push({ type: 'noauth' });
    else if (type === 'oauth2') {
      const scopes = (s as { scopes?: unknown }).scopes;
      out.push({ type: 'oauth2', scopes: Array.isArray(scopes) ? scopes.filter((x): x is string => typeof x === 'string').slice(0, 64) : [] });
    }
  }
  return out.length ? out : undefined;
}

/**
 * The warning for a tool declared callable without a token (noauth, alone or beside oauth2) that
 * the server refused without one; undefined when nothing disagrees.
 */
export function securityMismatch(schemes: SecurityScheme[] | undefined, refused: RefusedWithoutToken | undefined): SecurityMismatch | undefined {
  if (!refused || !schemes?.some((s) => s.type === 'noauth')) return undefined;
  const declared = schemes.some((s) => s.type === 'oauth2') ? 'public or OAuth (noauth, oauth2)' : 'public (noauth)';
  const what =
    refused.via === 'http'
      ? `answered ${refused.status} to a call without a token`
      : `answered a call without a token with an authorization challenge in the tool result (${refused.status})`;
  return { declared, observed: refused, message: `declared ${declared}, but the server ${what}` };
}

/**
 * @param serverRequiresAuth whether the server as a whole demanded a token (it answered 401 to
 *   initialize or tools/list without one); decides what an undeclared tool needs.
 * @param refused the last call of this tool without a token, when the server refused it (the
 *   session remembers it): against a noauth declaration it becomes `mismatch`.
 */
export function toolSecurity(tool: Record<string, unknown>, heldScopes: readonly string[], hasToken: boolean, serverRequiresAuth: boolean, refused?: RefusedWithoutToken): ToolSecurity {
  const { schemes, source } = readSecuritySchemes(tool);
  const held = [...heldScopes];
  if (!schemes) {
    return {
      schemes,
      anonymous: !serverRequiresAuth,
      requiresAuth: serverRequiresAuth,
      scopesNeeded: [],
      scopesHeld: held,
      missing: [],
      covered: !serverRequiresAuth || hasToken,
      source,
    };
  }
  const anonymous = schemes.some((s) => s.type === 'noauth');
  const oauthSchemes = schemes.filter((s): s is { type: 'oauth2'; scopes: string[] } => s.type === 'oauth2');
  // Several oauth2 entries are alternatives: the one with the fewest missing scopes is the one to aim for.
  let best: string[] = [];
  let bestMissing: string[] | undefined;
  for (const s of oauthSchemes) {
    const miss = s.scopes.filter((x) => !held.includes(x));
    if (bestMissing === undefined || miss.length < bestMissing.length) {
      best = s.scopes;
      bestMissing = miss;
    }
  }
  const missing = bestMissing ?? [];
  return {
    schemes,
    anonymous,
    requiresAuth: !anonymous && oauthSchemes.length > 0,
    scopesNeeded: best,
    scopesHeld: held,
    missing: hasToken ? missing : best,
    covered: anonymous || (hasToken && missing.length === 0),
    source,
    ...(refused ? { mismatch: securityMismatch(schemes, refused) } : {}),
  };
}

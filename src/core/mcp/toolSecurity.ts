/**
 * Per-tool security: a tool's `securitySchemes` (the top-level field, or `_meta.securitySchemes`
 * where servers put it) — `noauth`, `oauth2` with scopes, both, or absent (= the server's default) —
 * compared with the scopes the current token holds.
 *
 * @see https://developers.openai.com/apps-sdk/build/auth (securitySchemes on tools)
 */

export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes: string[] };

export interface ToolSecurity {
  /** What the tool declares; undefined when it declares nothing (the server's default applies). */
  schemes?: SecurityScheme[];
  /** May be called without a token. */
  anonymous: boolean;
  /** Whether a token is needed at all (false for noauth-only). */
  requiresAuth: boolean;
  /** The smallest scope set of the oauth2 schemes (empty when none). */
  scopesNeeded: string[];
  /** Scopes the current token holds. */
  scopesHeld: string[];
  /** scopesNeeded minus scopesHeld. */
  missing: string[];
  /** The current token covers the tool (or the tool needs none). */
  covered: boolean;
  /** Where the declaration came from. */
  source: 'securitySchemes' | '_meta.securitySchemes' | 'default';
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
 * @param serverRequiresAuth whether the server as a whole demanded a token (it answered 401 to
 *   initialize or tools/list without one); decides what an undeclared tool needs.
 */
export function toolSecurity(tool: Record<string, unknown>, heldScopes: readonly string[], hasToken: boolean, serverRequiresAuth: boolean): ToolSecurity {
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
  };
}

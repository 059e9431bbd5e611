/**
 * Which server-supplied URLs may become links (docs/SECURITY.md "The webview": links from servers are
 * text unless https). DOM-free so it is unit-tested in plain Node; dom.ts `safeLink` uses it.
 */

/** The parsed `href` of an absolute https URL without credentials, else undefined (shown as text). */
export function httpsHref(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 8192) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // the parsed form: no whitespace or control-character tricks survive; user:pass@ hides the real host
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return undefined;
  return parsed.href;
}

/**
 * The one scrubber for server and config text that ends up in a name, a message, a notification or a
 * page (docs/SECURITY.md, "The webview" and "The terminal and other text outputs"): a hostile
 * authorization server's `error_description`, an elicitation label, the key of an entry in someone
 * else's `.vscode/mcp.json`. What it removes is what makes text look or read other than it is:
 *
 *  - Unicode general category Cc: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) — cursor moves, erase,
 *    and ESC sequences in anything that ends up in a terminal or a log;
 *  - category Cf (format): the bidi embeddings, overrides, isolates and marks of UAX #9 (U+061C,
 *    U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) that make text read in another order than it is
 *    stored; the zero-width characters (U+200B–U+200D, U+2060, U+FEFF) that make one name look like
 *    another; the tag characters (U+E0001, U+E0020–U+E007F) that carry text nobody sees;
 *  - categories Zl/Zp: U+2028/U+2029, which end a line in editors and in JavaScript strings;
 *  - the rest of the invisible-operator block U+2060–U+206F (U+2065 is unassigned, but it is
 *    Default_Ignorable — it renders as nothing once assigned).
 *
 * Why this range: the two scrubbers it replaces each missed what the other caught — the callback's
 * error text kept U+061C and the tag characters, the config import kept U+2028/U+2029 and
 * U+206A–U+206F. The union, stated by Unicode category instead of by hand, covers both and every
 * format character Unicode adds later. `core/text/terminal.ts` is different on purpose: it shows the
 * controls a terminal acts on as visible escapes (a CLI user must see that a server sent them), and
 * leaves the rest of the text exactly as sent.
 *
 * @see https://www.unicode.org/reports/tr9/ (UAX #9, the bidi controls)
 * @see https://www.unicode.org/reports/tr36/ (UTR #36, Unicode security considerations)
 */

const INVISIBLE_CLASS = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\u2060-\\u206f';

/** Matches one control, format or separator character (see the header). */
export const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'u');
const INVISIBLE_G = new RegExp(`[${INVISIBLE_CLASS}]`, 'gu');

/** `s` without any control, format or separator character: for names, where a gap would be a change too. */
export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE_G, '');
}

/** The same class without TAB and LF: for text shown on several lines (CR is the caller's to normalise). */
const INVISIBLE_BUT_LAYOUT_G = new RegExp(`(?![\\t\\n])[${INVISIBLE_CLASS}]`, 'gu');

/** `s` without any control, format or separator character except TAB and LF: multi-line server text (instructions, a tooltip). */
export function stripInvisibleKeepingLines(s: string): string {
  return s.replace(INVISIBLE_BUT_LAYOUT_G, '');
}

/**
 * Server text for one line of a message, a notification or a page: every control, format and
 * separator character becomes a space, whitespace runs collapse to one space, Markdown link syntax
 * is broken up (editor notifications turn `[x](command:…)` into a clickable link), and the result is
 * capped at `max` characters (code points, so a surrogate pair is never cut) with an ellipsis.
 */
export function sanitizeServerText(input: string, max: number): string {
  const cleaned = String(input).replace(INVISIBLE_G, ' ').replace(/\s+/g, ' ').replace(/\]\(/g, '] (').trim();
  const chars = [...cleaned];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : cleaned;
}

/**
 * Text from a server, made safe to write to a terminal (docs/SECURITY.md, "The terminal and other text
 * outputs"). A terminal acts on what it is sent: ESC starts CSI/OSC sequences (colours, cursor moves,
 * OSC 8 hyperlinks, OSC 52 clipboard writes, window titles), other C0/C1 controls move the cursor or
 * erase, and bidi overrides make text read in another order than it is stored. Every such character
 * is shown as a visible escape (`\x1b`, `\u202e`) instead of being sent; everything else (any
 * printable script, emoji) is left as it is.
 *
 * - `terminalLine`: one line. Newlines, carriage returns and tabs are escaped too, so a server cannot
 *   end our line and forge the next one ("error [...]", "Signed in …").
 * - `terminalText`: a block of several lines (a tool's text result). Keeps `\n` and `\t`; CRLF
 *   becomes LF; every other control is escaped.
 * - `terminalJson`: JSON.stringify, plus `\uXXXX` escapes for what JSON.stringify leaves raw (C1
 *   controls, bidi controls, U+2028/2029). Still valid JSON with the same value.
 *
 * No vscode import: the CLI uses it, and it is unit-tested in plain Node.
 */

/** Bidi embeddings/overrides/isolates and marks, and the line/paragraph separators. */
const BIDI_AND_SEPARATORS = '\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** C0 (all), DEL, C1, bidi. */
const LINE_UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI_AND_SEPARATORS}]`, 'g');
/** The same without TAB (U+0009) and LF (U+000A). */
const BLOCK_UNSAFE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI_AND_SEPARATORS}]`, 'g');
/** What JSON.stringify leaves unescaped but a terminal acts on (C0 is already escaped by it). */
const JSON_UNSAFE = new RegExp(`[\\u007f-\\u009f${BIDI_AND_SEPARATORS}]`, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** One line of output: every control, newline and bidi character shown as an escape. */
export function terminalLine(value: unknown): string {
  return asString(value).replace(LINE_UNSAFE, visible);
}

/** A multi-line block: keeps LF and TAB (CRLF → LF); every other control and bidi character escaped. */
export function terminalText(value: unknown): string {
  return asString(value).replace(/\r\n/g, '\n').replace(BLOCK_UNSAFE, visible);
}

/** JSON for a terminal or a pipe: valid JSON, same value, no raw C1/bidi/separator characters. */
export function terminalJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent);
  // JSON's structure is ASCII: these characters can only be inside strings, where \uXXXX is the same character.
  return json === undefined ? 'null' : json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


/**
 * The selected tool as data: its argument editor (form or raw JSON, kept per tool across pushes),
 * switching between the two, the arguments parsed from the JSON editor, and what the header, the
 * sign-in notice and the call buttons say. No DOM here (unit-tested in plain Node:
 * test/unit/webview/tools/detail.test.ts); tools/detailView.ts builds the nodes.
 */
import { MAX_MESSAGE_CHARS, type CallRecord, type SecurityView, type ServerSummary, type ToolView } from '../../src/shared/protocol';
import { collect, extraKeys, initialDraft, type Draft } from '../form/draft';
import { buildForm, type FormModel } from '../form/schema';
import { needsSignIn } from './state';
import { clip } from './text';

/**
 * A tool's argument editor. The form view edits `draft` in place and the JSON editor writes
 * `jsonText`, so the panel keeps one object per tool and applies the functions below to it
 * (`Object.assign`): what was typed survives pushes and sign-ins.
 */
export interface ToolEditor {
  /** The input schema it was built from (a changed schema builds a new editor). */
  schemaKey: string;
  model: FormModel;
  draft: Draft;
  mode: 'form' | 'json';
  jsonText: string;
  /** A message about the JSON editor (invalid JSON, keys the form drops). */
  jsonNote?: string;
}

/** The editor for a tool: `prev` while the tool's schema is the same, else a new one (JSON when the form cannot show the schema). */
export function editorFor(t: ToolView, prev: ToolEditor | undefined): ToolEditor {
  const schemaKey = JSON.stringify(t.inputSchema) ?? '';
  if (prev && prev.schemaKey === schemaKey) return prev;
  const model = buildForm(t.inputSchema);
  const draft = initialDraft(model.root);
  return { schemaKey, model, draft, mode: model.fallback ? 'json' : 'form', jsonText: model.fallback ? jsonOfDraft(model, draft) : '' };
}

/** The form's draft as the JSON editor's text (partial values are fine: the JSON editor is where one fixes what the form cannot express). */
export function jsonOfDraft(model: FormModel, draft: Draft): string {
  if (model.root.kind === 'json') {
    const d = draft as Extract<Draft, { t: 'text' }>;
    return d.text.trim() ? d.text : '{}';
  }
  return JSON.stringify(collect(model, draft).value, null, 2);
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; syntax?: string };

/** The JSON editor's text as an arguments object (empty text is `{}`); `syntax` is the parser's message. */
function parseObject(text: string): Parsed {
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : {};
  } catch (err) {
    return { ok: false, syntax: (err as Error).message };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false };
  return { ok: true, value: parsed as Record<string, unknown> };
}

const NOT_OBJECT = 'The arguments must be a JSON object.';

/**
 * The editor after the user asks for the form or the JSON editor. To JSON: the draft as text. To the
 * form: only from a JSON object whose keys the form has fields for (else it stays in JSON, with a
 * note saying why). `changed` is false when nothing but the note changed.
 */
export function switchMode(ui: ToolEditor, mode: 'form' | 'json'): { changed: boolean; next: ToolEditor } {
  if (ui.mode === mode) return { changed: false, next: ui };
  if (mode === 'json') return { changed: true, next: { ...ui, jsonNote: undefined, mode, jsonText: jsonOfDraft(ui.model, ui.draft) } };
  const p = parseObject(ui.jsonText);
  if (!p.ok) return { changed: false, next: { ...ui, jsonNote: p.syntax !== undefined ? `Not valid JSON: ${p.syntax}. Fix it to go back to the form.` : NOT_OBJECT } };
  const extra = extraKeys(ui.model, p.value);
  if (extra.length) {
    const names = extra.map((k) => JSON.stringify(clip(k, 40))).join(', ');
    return { changed: false, next: { ...ui, jsonNote: `The form has no field for ${names}: stay in JSON to send ${extra.length === 1 ? 'it' : 'them'}.` } };
  }
  return { changed: true, next: { ...ui, jsonNote: undefined, mode, draft: initialDraft(ui.model.root, p.value) } };
}

/** The editor holding an earlier call's arguments: in the form when it has a field for each, else as JSON. */
export function withArguments(ui: ToolEditor, args: Record<string, unknown>): ToolEditor {
  if (ui.mode === 'form' && extraKeys(ui.model, args).length === 0) return { ...ui, draft: initialDraft(ui.model.root, args) };
  return { ...ui, mode: 'json', jsonText: JSON.stringify(args, null, 2) };
}

/** The arguments in the JSON editor, or the message to show under it. */
export function jsonArguments(text: string): { args: Record<string, unknown> } | { note: string } {
  const p = parseObject(text);
  if (p.ok) return { args: p.value };
  return { note: p.syntax !== undefined ? `Not valid JSON: ${p.syntax}` : NOT_OBJECT };
}

/** The message when the arguments would not fit in one webview message; undefined when they fit. */
export function tooLarge(args: Record<string, unknown>): string | undefined {
  const size = JSON.stringify(args).length;
  const limit = MAX_MESSAGE_CHARS - 4096;
  return size > limit ? ` The arguments are too large to send (${size} characters; the limit is ${limit}).` : undefined;
}

/** After a Send with invalid fields. */
export function fixFieldsText(errors: number): string {
  return ` Fix ${errors} field${errors === 1 ? '' : 's'} first.`;
}

/** The status line while a call runs. */
export function callingText(tool: string, signIn: boolean): string {
  return signIn ? ` Signing in and calling ${clip(tool, 80)}…` : ` Calling ${clip(tool, 80)}…`;
}

/**
 * The status line after a call, for screen readers (the result itself is not a live region: it can
 * be long); `duration` as the result shows it (result.ts callDuration).
 */
export function callSummary(tool: string, rec: CallRecord, duration: string): string {
  return `${tool}: ${!rec.ok ? `failed (${rec.error?.code ?? 'error'})` : rec.isError ? 'the tool reported an error' : 'ok'}, ${duration}`;
}

/** What the header and the sign-in notice are built from: unchanged → left alone. */
export function headerKey(t: ToolView, server: ServerSummary): string {
  return JSON.stringify(['tool', t.name, t.title, t.description, t.annotations, t.security, server.signedIn, server.scopes]);
}

const ANNOTATION_WORDS: Record<string, [string, string]> = {
  readOnlyHint: ['read-only', 'writes'],
  destructiveHint: ['destructive', 'not destructive'],
  idempotentHint: ['idempotent', 'not idempotent'],
  openWorldHint: ['open world', 'closed world'],
};

export interface AnnotationLabel {
  readonly text: string;
  readonly title: string;
  /** destructiveHint: true. */
  readonly warn: boolean;
}

/** The tool's annotations as small labels (text only, whatever the server put there; at most 20, `title` left out). */
export function annotationLabels(a: Record<string, unknown> | undefined): AnnotationLabel[] {
  if (!a || typeof a !== 'object') return [];
  const out: AnnotationLabel[] = [];
  for (const [k, v] of Object.entries(a).slice(0, 20)) {
    if (k === 'title') continue;
    const text = Object.hasOwn(ANNOTATION_WORDS, k) && typeof v === 'boolean' ? ANNOTATION_WORDS[k][v ? 0 : 1] : `${clip(k, 40)}: ${clip(JSON.stringify(v) ?? String(v), 60)}`;
    out.push({ text, title: `${clip(k, 60)}: ${clip(JSON.stringify(v) ?? '', 60)}`, warn: k === 'destructiveHint' && v === true });
  }
  return out;
}

/** Where the security came from, after the badges. */
export function securitySource(s: SecurityView): string {
  return ` · ${s.source === 'default' ? 'not declared (the server’s default)' : `declared in ${s.source}`}`;
}

/** The header's warning when declared and observed security disagree. */
export function mismatchText(s: SecurityView): string | undefined {
  return s.mismatch ? `${s.mismatch.message}. The server enforces more than the tool declares: sign in to call it.` : undefined;
}

/** Before calling a tool the token does not cover: what it needs, what the token has, what "Sign in and call" asks for. */
export interface AuthNotice {
  readonly name: string;
  /** Scopes the tool needs that the token lacks ([] → "a signed-in token"). */
  readonly missing: string[];
  /** The token's scopes; undefined when not signed in. */
  readonly held?: string[];
  readonly asks: string;
}

export function authNotice(t: ToolView, server: ServerSummary): AuthNotice | null {
  if (!needsSignIn(t, server.signedIn)) return null;
  const missing = t.security.missing;
  return {
    name: clip(t.name, 80),
    missing,
    held: server.signedIn ? server.scopes : undefined,
    asks: `“Sign in and call” asks the authorization server for ${missing.length ? (missing.length === 1 ? 'it' : 'them') : 'a token'} first.`,
  };
}

/** The call buttons: "Sign in and call" + "Call without signing in" when the token does not cover the tool, else "Send". */
export interface ActionsModel {
  readonly gate: boolean;
  readonly disabled: boolean;
  readonly hint: string;
  /** Unchanged → the buttons (and the focus on one of them) stay as they are. */
  readonly key: string;
}

export function actionsModel(t: ToolView, server: ServerSummary, busy: boolean): ActionsModel {
  const gate = needsSignIn(t, server.signedIn);
  const offline = server.state !== 'connected';
  return {
    gate,
    disabled: busy || offline,
    hint: ` Enter in a field (Ctrl+Enter in a text box) ${gate ? 'signs in and calls' : 'sends'}`,
    key: `${gate} ${busy} ${offline}`,
  };
}

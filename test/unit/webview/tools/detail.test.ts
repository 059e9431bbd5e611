/**
 * The selected tool as data (webview-ui/tools/detail.ts) in plain Node: its argument editor (form
 * or JSON, kept while the schema stays the same), switching between them without losing keys,
 * arguments from the JSON editor, and what the header, the sign-in notice and the buttons say.
 */
import * as assert from 'node:assert/strict';
import { MAX_MESSAGE_CHARS } from '../../../../src/shared/protocol';
import type { Draft } from '../../../../webview-ui/form/draft';
import {
  actionsModel,
  annotationLabels,
  authNotice,
  callingText,
  callSummary,
  editorFor,
  fixFieldsText,
  headerKey,
  jsonArguments,
  jsonOfDraft,
  mismatchText,
  securitySource,
  switchMode,
  tooLarge,
  withArguments,
} from '../../../../webview-ui/tools/detail';
import { record, security, server, tool } from './make';

type ObjDraft = Extract<Draft, { t: 'object' }>;
type TextDraft = Extract<Draft, { t: 'text' }>;
const text = (d: Draft, name: string) => ((d as ObjDraft).props.get(name) as TextDraft).text;

const schema = { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] };

describe('webview/tools/detail: the selected tool as data', () => {
  describe('the argument editor', () => {
    it('is kept while the schema is the same (what was typed survives), and built afresh when it changes', () => {
      const t = tool('search', 'public', { inputSchema: schema });
      const ui = editorFor(t, undefined);
      assert.equal(ui.mode, 'form');
      assert.equal(ui.jsonText, '');
      assert.equal(editorFor({ ...t, inputSchema: structuredClone(schema) }, ui), ui);
      const changed = editorFor({ ...t, inputSchema: { ...schema, required: [] } }, ui);
      assert.notEqual(changed, ui);
    });

    it('a schema the form cannot show starts in JSON, with `{}` to edit', () => {
      const ui = editorFor(tool('raw', 'public', { inputSchema: { type: 'object', additionalProperties: { type: 'string' } } }), undefined);
      assert.equal(ui.mode, 'json');
      assert.ok(ui.model.fallback);
      assert.equal(ui.jsonText, '{}');
    });

    it('form → JSON carries what was typed', () => {
      const ui = editorFor(tool('search', 'public', { inputSchema: schema }), undefined);
      ((ui.draft as ObjDraft).props.get('query') as TextDraft).text = 'oauth';
      const r = switchMode(ui, 'json');
      assert.equal(r.changed, true);
      assert.equal(r.next.mode, 'json');
      assert.deepEqual(JSON.parse(r.next.jsonText), { query: 'oauth' });
      assert.equal(jsonOfDraft(ui.model, ui.draft), r.next.jsonText);
    });

    it('JSON → form fills the fields; the same mode changes nothing', () => {
      const ui = { ...editorFor(tool('search', 'public', { inputSchema: schema }), undefined), mode: 'json' as const, jsonText: '{"query":"pkce","limit":3}', jsonNote: 'old note' };
      const r = switchMode(ui, 'form');
      assert.equal(r.changed, true);
      assert.equal(r.next.mode, 'form');
      assert.equal(r.next.jsonNote, undefined);
      assert.equal(text(r.next.draft, 'query'), 'pkce');
      assert.equal(text(r.next.draft, 'limit'), '3');
      assert.deepEqual(switchMode(ui, 'json'), { changed: false, next: ui });
    });

    it('JSON → form refuses invalid JSON, a non-object, and keys the form has no field for (it would drop them)', () => {
      const base = { ...editorFor(tool('search', 'public', { inputSchema: schema }), undefined), mode: 'json' as const };
      const bad = switchMode({ ...base, jsonText: '{"query":' }, 'form');
      assert.equal(bad.changed, false);
      assert.equal(bad.next.mode, 'json');
      assert.match(bad.next.jsonNote!, /^Not valid JSON: .+\. Fix it to go back to the form\.$/);
      assert.equal(switchMode({ ...base, jsonText: '[1]' }, 'form').next.jsonNote, 'The arguments must be a JSON object.');
      assert.equal(switchMode({ ...base, jsonText: '{"query":"a","debug":true}' }, 'form').next.jsonNote, 'The form has no field for "debug": stay in JSON to send it.');
      assert.equal(switchMode({ ...base, jsonText: '{"x":1,"y":2}' }, 'form').next.jsonNote, 'The form has no field for "x", "y": stay in JSON to send them.');
      assert.equal(switchMode({ ...base, jsonText: '  ' }, 'form').changed, true, 'empty text is {}');
    });

    it('an earlier call’s arguments go into the form when it has a field for each, else into JSON', () => {
      const ui = editorFor(tool('search', 'public', { inputSchema: schema }), undefined);
      const inForm = withArguments(ui, { query: 'again' });
      assert.equal(inForm.mode, 'form');
      assert.equal(text(inForm.draft, 'query'), 'again');
      const inJson = withArguments(ui, { query: 'again', extra: 1 });
      assert.equal(inJson.mode, 'json');
      assert.deepEqual(JSON.parse(inJson.jsonText), { query: 'again', extra: 1 });
      const fromJson = withArguments({ ...ui, mode: 'json' }, { query: 'x' });
      assert.equal(fromJson.mode, 'json', 'the JSON editor stays the JSON editor');
    });
  });

  describe('arguments from the JSON editor', () => {
    it('an object (empty text is {}), or the note to show', () => {
      assert.deepEqual(jsonArguments('{"a":1}'), { args: { a: 1 } });
      assert.deepEqual(jsonArguments(''), { args: {} });
      assert.deepEqual(jsonArguments('null'), { note: 'The arguments must be a JSON object.' });
      assert.deepEqual(jsonArguments('"s"'), { note: 'The arguments must be a JSON object.' });
      const bad = jsonArguments('{');
      assert.ok('note' in bad && bad.note.startsWith('Not valid JSON: ') && !bad.note.includes('go back'));
    });

    it('a `__proto__` key is an own property of the arguments, not the prototype', () => {
      const got = jsonArguments('{"__proto__":{"polluted":true}}');
      assert.ok('args' in got);
      assert.ok(Object.hasOwn(got.args, '__proto__'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('too large to send: the size and the limit; within it: nothing', () => {
      const limit = MAX_MESSAGE_CHARS - 4096;
      assert.equal(tooLarge({ a: 'x' }), undefined);
      const big = { a: 'x'.repeat(limit) };
      assert.equal(tooLarge(big), ` The arguments are too large to send (${JSON.stringify(big).length} characters; the limit is ${limit}).`);
    });

    it('status lines: invalid fields, calling, and the outcome for screen readers', () => {
      assert.equal(fixFieldsText(1), ' Fix 1 field first.');
      assert.equal(fixFieldsText(3), ' Fix 3 fields first.');
      assert.equal(callingText('search', false), ' Calling search…');
      assert.equal(callingText('search', true), ' Signing in and calling search…');
      assert.equal(callingText('x'.repeat(100), false), ` Calling ${'x'.repeat(80)}……`);
      assert.equal(callSummary('search', record(1, 'search'), '20 ms'), 'search: ok, 20 ms');
      assert.equal(callSummary('search', record(1, 'search', { isError: true }), '20 ms'), 'search: the tool reported an error, 20 ms');
      assert.equal(callSummary('search', record(1, 'search', { ok: false, error: { code: 'insufficient_scope', message: 'm' } }), '20 ms (+ sign-in 10.7 s)'), 'search: failed (insufficient_scope), 20 ms (+ sign-in 10.7 s)');
      assert.equal(callSummary('search', record(1, 'search', { ok: false }), '20 ms'), 'search: failed (error), 20 ms');
    });
  });

  describe('the header', () => {
    it('annotations as words; other keys as key: JSON; the title left out; at most 20 read', () => {
      const labels = annotationLabels({ title: 'T', readOnlyHint: true, destructiveHint: true, idempotentHint: false, openWorldHint: false, custom: { a: 1 } });
      assert.deepEqual(
        labels.map((l) => [l.text, l.warn]),
        [
          ['read-only', false],
          ['destructive', true],
          ['not idempotent', false],
          ['closed world', false],
          ['custom: {"a":1}', false],
        ],
      );
      assert.equal(labels[1].title, 'destructiveHint: true');
      assert.equal(annotationLabels({ readOnlyHint: 'yes' })[0].text, 'readOnlyHint: "yes"', 'a non-boolean hint is shown as sent');
      assert.equal(annotationLabels(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))).length, 20);
      assert.deepEqual(annotationLabels(undefined), []);
    });

    it('where the security came from, and the mismatch sentence', () => {
      assert.equal(securitySource(security('default')), ' · not declared (the server’s default)');
      assert.equal(securitySource(security('oauth')), ' · declared in _meta.securitySchemes');
      assert.equal(mismatchText(security('public')), undefined);
      assert.equal(mismatchText(security('public', { mismatch: { declared: 'noauth', status: 401, message: 'declared public (noauth), but the server answered 401' } })), 'declared public (noauth), but the server answered 401. The server enforces more than the tool declares: sign in to call it.');
    });

    it('its key changes with the tool and the token, not with the history or the selection elsewhere', () => {
      const t = tool('a', 'oauth');
      const k = headerKey(t, server());
      assert.equal(headerKey({ ...t }, server({ url: 'http://other/mcp' })), k);
      assert.notEqual(headerKey(t, server({ signedIn: true })), k);
      assert.notEqual(headerKey(t, server({ scopes: ['x'] })), k);
      assert.notEqual(headerKey({ ...t, description: 'new' }, server()), k);
    });
  });

  describe('before a call', () => {
    it('no notice when the token covers the tool', () => {
      assert.equal(authNotice(tool('a', 'public'), server()), null);
      assert.equal(authNotice(tool('a', 'oauth', { security: security('oauth', { covered: true, missing: [] }) }), server({ signedIn: true })), null);
    });

    it('what the tool needs, what the token has, what “Sign in and call” asks for', () => {
      const one = authNotice(tool('add', 'oauth'), server());
      assert.deepEqual(one, { name: 'add', missing: ['todos.read'], held: undefined, asks: '“Sign in and call” asks the authorization server for it first.' });
      const two = authNotice(tool('add', 'oauth', { security: security('oauth', { missing: ['a', 'b'] }) }), server({ signedIn: true, scopes: ['c'] }));
      assert.deepEqual(two?.held, ['c']);
      assert.equal(two?.asks, '“Sign in and call” asks the authorization server for them first.');
      const none = authNotice(tool('add', 'oauth', { security: security('oauth', { missing: [] }) }), server());
      assert.equal(none?.asks, '“Sign in and call” asks the authorization server for a token first.');
    });

    it('the buttons: sign in first when needed; disabled while busy or offline; the key follows all three', () => {
      const gated = actionsModel(tool('add', 'oauth'), server(), false);
      assert.deepEqual([gated.gate, gated.disabled, gated.hint], [true, false, ' Enter in a field (Ctrl+Enter in a text box) signs in and calls']);
      const send = actionsModel(tool('get'), server(), false);
      assert.deepEqual([send.gate, send.disabled, send.hint], [false, false, ' Enter in a field (Ctrl+Enter in a text box) sends']);
      assert.equal(actionsModel(tool('get'), server(), true).disabled, true);
      assert.equal(actionsModel(tool('get'), server({ state: 'disconnected' }), false).disabled, true);
      const keys = new Set([gated.key, send.key, actionsModel(tool('get'), server(), true).key, actionsModel(tool('get'), server({ state: 'error' }), false).key]);
      assert.equal(keys.size, 4);
    });
  });
});

/**
 * The Resources and Prompts panels as data (webview-ui/resources/model.ts), with hostile content:
 * markup stays text, control and bidi characters become visible escapes, binary sent as text is said
 * to be so, huge text is cut and says so, images only from allowed types and strict base64; URI
 * templates expand per RFC 6570; the host's checks of the panels' requests refuse wrong shapes.
 */
import * as assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../src/shared/protocol';
import { contentModel, expandTemplate, looksBinary, MAX_SHOWN, missingArguments, promptMessages, syntaxOf, templateVariables, visibleText } from '../../../webview-ui/resources/model';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const text = (t: string, mimeType?: string, extra: Partial<{ truncated: boolean; totalChars: number }> = {}) => ({ kind: 'text' as const, uri: 'x://r', mimeType, text: t, totalChars: extra.totalChars ?? t.length, truncated: extra.truncated ?? false });

describe('webview/resources model: content by MIME type, hostile content inert', () => {
  it('a syntax class by MIME type; unknown types are plain', () => {
    assert.equal(syntaxOf('application/json'), 'json');
    assert.equal(syntaxOf('application/vnd.api+json; charset=utf-8'), 'json');
    assert.equal(syntaxOf('text/markdown'), 'markdown');
    assert.equal(syntaxOf('text/html'), 'html');
    assert.equal(syntaxOf('image/svg+xml'), 'xml');
    assert.equal(syntaxOf('application/x-made-up'), 'plain');
    assert.equal(syntaxOf(undefined), 'plain');
  });

  it('markup is text: HTML keeps its characters, classed html, nothing made of it', () => {
    const m = contentModel(text('<script>alert(1)</script><img src=x onerror=alert(2)>', 'text/html'));
    assert.deepEqual(m, { kind: 'text', uri: 'x://r', mimeType: 'text/html', syntax: 'html', text: '<script>alert(1)</script><img src=x onerror=alert(2)>', notes: [] });
  });

  it('control and bidi characters are shown as escapes; newlines and tabs stay', () => {
    assert.equal(visibleText('a\x1b[31mred\u202eevil\r\nb\tc\u2028'), 'a\\x1b[31mred\\u202eevil\nb\tc\\u2028');
    const m = contentModel(text('ok\x07bell', 'text/plain'));
    assert.equal(m.kind === 'text' && m.text, 'ok\\x07bell');
  });

  it('binary disguised as text is said to be binary and shown escaped, never as its declared syntax', () => {
    const bin = `\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR${'\x00\x01\x02'.repeat(50)}`;
    assert.ok(looksBinary(bin));
    const m = contentModel(text(bin, 'application/json'));
    assert.equal(m.kind, 'text');
    if (m.kind !== 'text') return;
    assert.equal(m.syntax, 'plain');
    assert.match(m.notes[0], /binary data sent as text/);
    assert.ok(!/[\x00-\x08\x0e-\x1f]/.test(m.text), 'no raw control characters left');
    assert.ok(!looksBinary('plain words\nand lines\twith tabs'));
  });

  it('JSON is pretty-printed; invalid JSON declared as JSON says so and stays as sent', () => {
    const ok = contentModel(text('{"a":[1,2]}', 'application/json'));
    assert.equal(ok.kind === 'text' && ok.text, '{\n  "a": [\n    1,\n    2\n  ]\n}');
    const bad = contentModel(text('{"a":', 'application/json'));
    assert.ok(bad.kind === 'text' && bad.syntax === 'plain' && bad.text === '{"a":' && /not valid JSON/.test(bad.notes[0]));
  });

  it('huge text is cut at MAX_SHOWN and says how much there was (the host cut included)', () => {
    const big = 'x'.repeat(MAX_SHOWN + 10);
    const m = contentModel(text(big, 'text/plain', { totalChars: 3_000_000, truncated: true }));
    assert.ok(m.kind === 'text' && m.text.length === MAX_SHOWN);
    assert.ok(m.kind === 'text' && m.notes.some((n) => n.includes('200,000 of 3,000,000 characters')));
  });

  it('images: a data: URI only for png/jpeg/gif/webp from strict base64; SVG and others are binary with Save', () => {
    const img = contentModel({ kind: 'blob', uri: 'x://i', mimeType: 'image/png', bytes: 70, data: PNG, index: 0 });
    assert.deepEqual(img, { kind: 'image', uri: 'x://i', mimeType: 'image/png', src: `data:image/png;base64,${PNG}`, size: '70 B' });
    const svg = contentModel({ kind: 'blob', uri: 'x://s', mimeType: 'image/svg+xml', bytes: 70, data: PNG, index: 1 });
    assert.equal(svg.kind, 'binary');
    assert.ok(svg.kind === 'binary' && /not shown/.test(svg.note ?? ''));
    const forged = contentModel({ kind: 'blob', uri: 'x://f', mimeType: 'image/png', bytes: 3, data: `${PNG}" onerror="alert(1)`, index: 2 });
    assert.ok(forged.kind === 'binary' && /base64/.test(forged.note ?? ''));
    assert.deepEqual(contentModel({ kind: 'blob', uri: 'x://b', mimeType: 'application/pdf', bytes: 2048, index: 3 }), { kind: 'binary', uri: 'x://b', mimeType: 'application/pdf', size: '2.0 KB', index: 3 });
  });
});

describe('webview/resources model: URI templates (RFC 6570)', () => {
  it('finds the variables, once each, without modifiers', () => {
    assert.deepEqual(templateVariables('todo://todos/{id}'), ['id']);
    assert.deepEqual(templateVariables('file:///{+path}{?q,lang}{&page}{/seg*}{x:3}{id}'), ['path', 'q', 'lang', 'page', 'seg', 'x', 'id']);
    assert.deepEqual(templateVariables('no/vars'), []);
  });

  it('expands: simple values percent-encoded (a value cannot add path segments or a query), + keeps reserved, ? and & build a query', () => {
    assert.equal(expandTemplate('todo://todos/{id}', { id: '7' }), 'todo://todos/7');
    assert.equal(expandTemplate('todo://todos/{id}', { id: '../a?b=c#d' }), 'todo://todos/..%2Fa%3Fb%3Dc%23d');
    assert.equal(expandTemplate('file:///{+path}', { path: 'a/b c' }), 'file:///a/b%20c');
    assert.equal(expandTemplate('x://s{?q,lang}', { q: 'a b', lang: 'en' }), 'x://s?q=a%20b&lang=en');
    assert.equal(expandTemplate('x://s{?q,lang}', { q: 'a' }), 'x://s?q=a');
    assert.equal(expandTemplate('x://t/{id}', {}), 'x://t/');
  });
});

describe('webview/resources model: prompt messages', () => {
  it('by role and content type; text made visible; an image only as an allowed data: URI', () => {
    const out = promptMessages({
      name: 'p',
      droppedMessages: 0,
      messages: [
        { role: 'user', content: { type: 'text', text: '<b>hi</b>\u202e' } },
        { role: 'assistant', content: { type: 'image', mimeType: 'image/png', data: PNG } },
        { role: 'assistant', content: { type: 'image', mimeType: 'image/svg+xml', data: PNG } },
        { role: 'user', content: { type: 'resource', resource: { uri: 'x://r', text: 'a\x00b' } } },
        { role: 'user', content: { type: 'weird', x: 1 } },
      ],
    });
    assert.deepEqual(out.map((m) => [m.role, m.part.kind]), [['user', 'text'], ['assistant', 'image'], ['assistant', 'image'], ['user', 'resource-text'], ['user', 'unknown']]);
    assert.equal((out[0].part as { text: string }).text, '<b>hi</b>\\u202e');
    assert.equal((out[1].part as { src?: string }).src, `data:image/png;base64,${PNG}`);
    assert.equal((out[2].part as { src?: string }).src, undefined);
    assert.equal((out[3].part as { text: string }).text, 'a\\x00b');
  });

  it('missing required arguments', () => {
    assert.deepEqual(missingArguments([{ name: 'a', required: true }, { name: 'b', required: false }, { name: 'c', required: true }], { a: ' ', c: 'x' }), ['a']);
  });
});

describe('shared/protocol: the Resources and Prompts panels’ requests', () => {
  const req = (method: string, params: unknown) => parseWebviewMessage({ type: 'request', id: 1, method, params });
  it('accepts the well-formed ones', () => {
    assert.ok(req('resource/read', { uri: 'todo://about' }).ok);
    assert.ok(req('resource/read', { uri: 'todo://about', signIn: true }).ok);
    assert.ok(req('resource/subscribe', { uri: 'todo://me/todos', on: true }).ok);
    assert.ok(req('resource/save', { uri: 'x://b', index: 0 }).ok);
    assert.ok(req('completion/complete', { ref: 'resource', name: 'todo://todos/{id}', argument: 'id', value: '', context: {} }).ok);
    assert.ok(req('prompt/get', { name: 'summarize_todos', args: { style: 'brief' } }).ok);
    assert.ok(req('list/more', { what: 'prompts' }).ok);
  });
  it('refuses wrong shapes: extra keys, non-string arguments, a path instead of an index, unknown refs', () => {
    assert.equal(req('resource/read', { uri: '' }).ok, false);
    assert.equal(req('resource/read', { uri: 'x://a', path: '/etc/passwd' }).ok, false);
    assert.equal(req('resource/save', { uri: 'x://b', index: '/tmp/x' }).ok, false);
    assert.equal(req('prompt/get', { name: 'p', args: { a: 1 } }).ok, false);
    assert.equal(req('completion/complete', { ref: 'tool', name: 'x', argument: 'a', value: '', context: {} }).ok, false);
    assert.equal(req('resource/subscribe', { uri: 'x://a' }).ok, false);
    assert.equal(req('list/more', { what: 'tools' }).ok, false);
  });
});

import * as assert from 'node:assert/strict';
import { isPanelState, MAX_MESSAGE_CHARS, parseWebviewMessage } from '../../../src/shared/protocol';

describe('shared/protocol: messages from a webview', () => {
  it('accepts the known requests and commands with well-formed parameters', () => {
    const ok = [
      { type: 'request', id: 1, method: 'tools/call', params: { tool: 'add_todo', args: { title: 'x' } } },
      { type: 'request', id: 2, method: 'tools/call', params: { tool: 'add_todo', args: {}, signIn: true } },
      { type: 'request', id: 3, method: 'auth/signIn', params: { scopes: ['todos.read', 'todos.write'] } },
      { type: 'request', id: 4, method: 'auth/refresh', params: {} },
      { type: 'request', id: 5, method: 'token/copy' },
      { type: 'request', id: 6, method: 'flow/export', params: {} },
      { type: 'request', id: 7, method: 'auth/signOut', params: {} },
      { type: 'command', method: 'reload', params: {} },
      { type: 'request', id: 8, method: 'server/connect', params: {} },
      { type: 'request', id: 9, method: 'tools/record', params: { id: 12 } },
      { type: 'command', method: 'ready', params: {} },
      { type: 'command', method: 'tools/select', params: { tool: 'list_todos' } },
      { type: 'command', method: 'tools/rendered', params: { tools: 1000, ms: 41.5 } },
      { type: 'request', id: 10, method: 'auth/copyLink', params: {} },
      { type: 'request', id: 11, method: 'auth/openAgain', params: {} },
      { type: 'request', id: 12, method: 'auth/cancel' },
    ];
    for (const m of ok) assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['not an object', 'tools/call', /not an object/],
    ['an unknown type', { type: 'eval', method: 'x' }, /unknown message type/],
    ['an unknown request method', { type: 'request', id: 1, method: 'vscode/executeCommand', params: { command: 'workbench.action.terminal.new' } }, /unknown request method/],
    ['a URL-opening method', { type: 'request', id: 1, method: 'openExternal', params: { url: 'javascript:alert(1)' } }, /unknown request method/],
    ['an inherited property as method', { type: 'request', id: 1, method: 'constructor', params: {} }, /unknown request method/],
    ['a request without an id', { type: 'request', method: 'auth/refresh', params: {} }, /numeric id/],
    ['a negative id', { type: 'request', id: -1, method: 'auth/refresh', params: {} }, /numeric id/],
    ['args that are not an object', { type: 'request', id: 1, method: 'tools/call', params: { tool: 'a', args: '{}' } }, /wrong parameters/],
    ['args that are an array', { type: 'request', id: 1, method: 'tools/call', params: { tool: 'a', args: [] } }, /wrong parameters/],
    ['an extra parameter', { type: 'request', id: 1, method: 'tools/call', params: { tool: 'a', args: {}, url: 'https://evil.example' } }, /wrong parameters/],
    ['an empty tool name', { type: 'request', id: 1, method: 'tools/call', params: { tool: '', args: {} } }, /wrong parameters/],
    ['a scope with a space', { type: 'request', id: 1, method: 'auth/signIn', params: { scopes: ['a b'] } }, /wrong parameters/],
    ['a scope with a quote', { type: 'request', id: 1, method: 'auth/signIn', params: { scopes: ['a"'] } }, /wrong parameters/],
    ['parameters on a parameterless request', { type: 'request', id: 1, method: 'auth/signOut', params: { all: true } }, /wrong parameters/],
    ['parameters on server/connect (a webview cannot name a URL to connect to)', { type: 'request', id: 1, method: 'server/connect', params: { url: 'http://evil.example/mcp' } }, /wrong parameters/],
    ['a record id that is not a whole number', { type: 'request', id: 1, method: 'tools/record', params: { id: '1' } }, /wrong parameters/],
    ['a record request with more than an id', { type: 'request', id: 1, method: 'tools/record', params: { id: 1, serverId: 'other' } }, /wrong parameters/],
    ['signIn that is not a boolean', { type: 'request', id: 1, method: 'tools/call', params: { tool: 'a', args: {}, signIn: 'yes' } }, /wrong parameters/],
    ['an over-long tool name', { type: 'request', id: 1, method: 'tools/call', params: { tool: 'x'.repeat(257), args: {} } }, /wrong parameters/],
    ['an unknown command', { type: 'command', method: 'openLink', params: { href: 'https://x' } }, /unknown command/],
    ['a copy of the token to somewhere', { type: 'request', id: 1, method: 'token/copy', params: { to: 'https://evil.example/collect' } }, /wrong parameters/],
    ['an export to a chosen path', { type: 'request', id: 1, method: 'flow/export', params: { path: '/etc/passwd' } }, /wrong parameters/],
    ['a refresh for another server', { type: 'request', id: 1, method: 'auth/refresh', params: { serverId: 'other' } }, /wrong parameters/],
    ['a render report with a negative time', { type: 'command', method: 'tools/rendered', params: { tools: 3, ms: -1 } }, /wrong parameters/],
    ['a render report with a text count', { type: 'command', method: 'tools/rendered', params: { tools: '3', ms: 1 } }, /wrong parameters/],
    ['a render report carrying more than its two numbers', { type: 'command', method: 'tools/rendered', params: { tools: 3, ms: 1, html: '<img onerror=x>' } }, /wrong parameters/],
    ['"open again" naming a URL (the host opens only the sign-in URL it keeps)', { type: 'request', id: 1, method: 'auth/openAgain', params: { url: 'javascript:alert(1)' } }, /wrong parameters/],
    ['a copy of the sign-in link naming what to copy', { type: 'request', id: 1, method: 'auth/copyLink', params: { text: 'https://evil.example/' } }, /wrong parameters/],
    ['a cancel for another server', { type: 'request', id: 1, method: 'auth/cancel', params: { serverId: 'other' } }, /wrong parameters/],
    ['parameters on reload', { type: 'command', method: 'reload', params: { url: 'javascript:alert(1)' } }, /wrong parameters/],
  ];
  for (const [what, m, reason] of refused) {
    it(`refuses ${what}`, () => {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, reason);
    });
  }

  it('refuses an oversize message but keeps its id, so the request can be answered with an error', () => {
    const r = parseWebviewMessage({ type: 'request', id: 7, method: 'tools/call', params: { tool: 'a', args: { x: 'y'.repeat(MAX_MESSAGE_CHARS) } } });
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /oversize/);
    assert.equal((r as { id?: number }).id, 7);
  });

  it('refuses a message that cannot be serialized (cycles)', () => {
    const a: Record<string, unknown> = { type: 'command', method: 'ready' };
    a.self = a;
    assert.equal(parseWebviewMessage(a).ok, false);
  });

  it('does not echo a hostile method name in full', () => {
    const r = parseWebviewMessage({ type: 'request', id: 1, method: `x${'<script>'.repeat(100)}`, params: {} });
    assert.ok((r as { reason: string }).reason.length < 120);
  });

  it('checks restored panel state', () => {
    assert.equal(isPanelState({ kind: 'tools', serverId: 'abc', tool: 'x' }), true);
    assert.equal(isPanelState({ kind: 'terminal', serverId: 'abc' }), false);
    assert.equal(isPanelState({ kind: 'token' }), false);
    assert.equal(isPanelState(null), false);
  });
});

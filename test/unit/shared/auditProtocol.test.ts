import * as assert from 'node:assert/strict';
import { isPanelState, parseWebviewMessage } from '../../../src/shared/protocol';

describe('shared/protocol: the Audit panel\'s messages', () => {
  it('accepts Re-run, the three exports and "show exchange" with well-formed parameters', () => {
    const ok = [
      { type: 'request', id: 1, method: 'audit/run', params: {} },
      { type: 'request', id: 2, method: 'audit/run' },
      { type: 'request', id: 3, method: 'audit/export', params: { format: 'markdown' } },
      { type: 'request', id: 4, method: 'audit/export', params: { format: 'json' } },
      { type: 'request', id: 5, method: 'audit/export', params: { format: 'junit' } },
      { type: 'request', id: 6, method: 'audit/showExchange', params: { exchange: 42 } },
    ];
    for (const m of ok) assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
  });

  const refused: Array<[string, unknown]> = [
    ['a re-run with options (the host asks about tools, never the webview)', { type: 'request', id: 1, method: 'audit/run', params: { callTools: 'all' } }],
    ['a re-run against another server', { type: 'request', id: 1, method: 'audit/run', params: { serverId: 'other' } }],
    ['an export in a format there is no renderer for', { type: 'request', id: 1, method: 'audit/export', params: { format: 'html' } }],
    ['an export to a path the webview names', { type: 'request', id: 1, method: 'audit/export', params: { format: 'markdown', path: '/etc/passwd' } }],
    ['an export without a format', { type: 'request', id: 1, method: 'audit/export', params: {} }],
    ['an export format that is an inherited property name', { type: 'request', id: 1, method: 'audit/export', params: { format: 'constructor' } }],
    ['an exchange id that is text', { type: 'request', id: 1, method: 'audit/showExchange', params: { exchange: '42' } }],
    ['an exchange id that is not whole', { type: 'request', id: 1, method: 'audit/showExchange', params: { exchange: 4.5 } }],
    ['exchange 0 (trace ids start at 1)', { type: 'request', id: 1, method: 'audit/showExchange', params: { exchange: 0 } }],
    ['a negative exchange id', { type: 'request', id: 1, method: 'audit/showExchange', params: { exchange: -3 } }],
    ['"show exchange" naming a URL to open', { type: 'request', id: 1, method: 'audit/showExchange', params: { exchange: 1, url: 'https://evil.example/' } }],
    ['the audit as a command (no reply) instead of a request', { type: 'command', method: 'audit/run', params: {} }],
  ];
  for (const [what, m] of refused) {
    it(`refuses ${what}`, () => {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false);
      if (!r.ok && (m as { type: string }).type === 'request') assert.equal(r.id, 1, 'the request is answered with an error, not left hanging');
    });
  }

  it('an Audit panel restores after a reload; its state names the server only', () => {
    assert.equal(isPanelState({ kind: 'audit', serverId: 'srv-1' }), true);
    assert.equal(isPanelState({ kind: 'audits', serverId: 'srv-1' }), false);
  });
});

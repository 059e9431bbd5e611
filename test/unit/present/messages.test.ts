import { strict as assert } from 'node:assert';
import { messageLine, messagesJsonl, messagesMarkdown, prettyPayload } from '../../../src/present/messages';
import type { MessageEntry } from '../../../src/shared/messages';

const base: MessageEntry = {
  seq: 1,
  at: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  direction: 'out',
  kind: 'request',
  method: 'tools/call',
  id: 1,
  protocol: { version: '2025-06-18', era: 'session' },
  http: { method: 'POST', url: 'http://127.0.0.1/mcp', status: 200, exchange: 4, requestHeaders: { authorization: 'Bearer …(redacted, token #1)' }, responseHeaders: { 'content-type': 'text/event-stream' } },
  payload: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}',
};

describe('present/messages: the message log as lines, JSON Lines and Markdown', () => {
  it('one line per message: time, direction, kind, method, id, status, which token, timing', () => {
    assert.equal(messageLine(base), '03:04:05.678 → request tools/call #1 · HTTP 200 · Bearer …(redacted, token #1)');
    const result: MessageEntry = { ...base, seq: 2, direction: 'in', kind: 'result', durationMs: 12, replyTo: 1 };
    assert.equal(messageLine(result), '03:04:05.678 ← result tools/call #1 · HTTP 200 · 12 ms');
    const log: MessageEntry = { ...base, seq: 3, direction: 'in', kind: 'notification', method: 'notifications/message', id: undefined, level: 'error', http: undefined, payload: '{}', truncatedFrom: 90000 };
    assert.equal(messageLine(log), '03:04:05.678 ← notification notifications/message [error] · cut at 2 of 90000 characters');
  });

  it('JSON Lines: one parseable entry per line, the same data back', () => {
    const two = [base, { ...base, seq: 2, payload: 'line\nbreak "quote"' }];
    const text = messagesJsonl(two);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => JSON.parse(l)), two);
    assert.equal(messagesJsonl([]), '');
  });

  it('Markdown: hostile method names, ids and payloads stay inside code, fences longer than any backtick run; the dropped count is said', () => {
    const hostile: MessageEntry = {
      ...base,
      seq: 7,
      method: '# Heading <img src=x onerror=alert(1)> ```',
      id: '`x`\n## forged',
      payload: '{"text":"```\\n# not a heading\\n<script>alert(1)</script>"}',
    };
    const md = messagesMarkdown({ name: '**srv** <b>', url: 'http://127.0.0.1/mcp' }, { entries: [hostile], dropped: 5 });
    assert.match(md, /1 message, 5 older ones dropped/);
    assert.ok(!md.includes('<b>'), 'server name markup is neutralised in the title');
    const heading = md.split('\n').find((l) => l.startsWith('## 7.'))!;
    assert.ok(heading.includes('```` # Heading <img src=x onerror=alert(1)> ``` ````'), heading);
    assert.ok(!md.split('\n').some((l) => l.startsWith('## forged')), 'a newline in an id cannot start a heading');
    assert.match(md, /> authorization: Bearer …\(redacted, token #1\)/);
    assert.match(md, /trace exchange 4/);
  });

  it('pretty-prints whole JSON and leaves a cut payload as kept', () => {
    assert.equal(prettyPayload({ payload: '{"a":1}' }), '{\n  "a": 1\n}');
    assert.equal(prettyPayload({ payload: '{"a":', truncatedFrom: 10 }), '{"a":');
  });
});

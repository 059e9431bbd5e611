/**
 * The Messages panel as data (webview-ui/messages/model.ts) in plain Node: the filter by method,
 * direction, level and text; pause and resume; the panel's bound; what a row says; and the time
 * filtering 10,000 entries takes (printed, the goal is under 50 ms; no time limit is asserted).
 */
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { MessagesModel, NO_FILTER, cap, detailPayload, filterEntries, levelRank, methodsOf, rowParts, statusText } from '../../../../webview-ui/messages/model';
import { HOSTILE_TEXT, hostileEntries, syntheticEntries } from '../../../fixtures/messageEntries';

describe('webview/messages: the model', () => {
  const entries = syntheticEntries(1000);

  it('filters by method, direction, level (that level and more severe, log entries only) and text', () => {
    assert.equal(filterEntries(entries, NO_FILTER).length, 1000);
    const calls = filterEntries(entries, { ...NO_FILTER, method: 'tools/call' });
    assert.ok(calls.length > 0 && calls.every((e) => e.method === 'tools/call'));
    const out = filterEntries(entries, { ...NO_FILTER, direction: 'out' });
    assert.ok(out.length > 0 && out.every((e) => e.direction === 'out'));
    const errors = filterEntries(entries, { ...NO_FILTER, level: 'error' });
    assert.ok(errors.length > 0 && errors.every((e) => e.method === 'notifications/message' && levelRank(e.level) >= levelRank('error')));
    const found = filterEntries(entries, { ...NO_FILTER, text: 'QUERY NUMBER 12' });
    assert.ok(found.some((e) => e.payload.includes('query number 12')));
    assert.ok(found.every((e) => e.payload.toLowerCase().includes('query number 12')));
    assert.equal(filterEntries(entries, { ...NO_FILTER, text: 'token #1' }).length > 0, true, 'headers are searched too');
    assert.deepEqual(methodsOf(entries), ['notifications/message', 'notifications/tools/list_changed', 'ping', 'prompts/get', 'resources/list', 'resources/read', 'tools/call', 'tools/list']);
  });

  it('pause holds new entries until resume; the view is bounded like the log; another generation is refused', () => {
    const m = new MessagesModel();
    m.reset({ generation: 1, entries: entries.slice(0, 150), dropped: 0, maxEntries: 200 });
    m.setPaused(true);
    assert.equal(m.append(1, entries.slice(150, 160), 0), true);
    assert.equal(m.entries.length, 150);
    assert.equal(m.held.length, 10);
    m.setPaused(false);
    assert.equal(m.entries.length, 160);
    m.append(1, entries.slice(150, 300), 5); // overlap is ignored by seq
    assert.equal(m.entries.length, 200);
    assert.equal(m.entries.at(-1)!.seq, 300);
    assert.equal(m.dropped, 5);
    assert.equal(m.append(2, entries.slice(300, 301), 0), false);
    assert.equal(m.find(300)?.seq, 300);
  });

  it('a row says direction, kind, method, id, status, which token and timing; hostile text is one line, capped', () => {
    const p = rowParts(entries[0]);
    assert.deepEqual(p, { arrow: '→', kind: 'request', method: 'tools/list', id: '#0', level: undefined, status: 'HTTP 200', token: 'Bearer …(redacted, token #1)', timing: undefined, cut: undefined });
    const [bad, badId, huge] = hostileEntries(5000);
    const r = rowParts(bad);
    assert.ok(!/[\u0000-\u001f]/.test(r.method), 'no control characters in a row');
    assert.ok(r.method.includes('<script>'), 'markup is kept as text (the view sets it as a text node)');
    assert.ok(rowParts(badId).id!.length <= 42);
    assert.match(rowParts(huge).cut!, /cut at 16384 of 2000000 characters/);
    assert.ok(detailPayload(huge).length <= 100_100);
    assert.equal(cap(HOSTILE_TEXT, 10).length, 11);
    assert.equal(statusText({ total: 10, shown: 3, rows: 3, dropped: 2, ms: 1.234, held: 0 }), '10 messages · 3 match · 2 dropped · filtered in 1.2 ms');
  });

  it('filtering 10,000 entries: the time, printed (goal under 50 ms)', () => {
    const big = syntheticEntries(10_000);
    filterEntries(big, { ...NO_FILTER, text: 'warm' }); // builds the search text once, as the panel's first filter does
    const cases = [
      { name: 'method', f: { ...NO_FILTER, method: 'tools/call' } },
      { name: 'direction', f: { ...NO_FILTER, direction: 'in' as const } },
      { name: 'level', f: { ...NO_FILTER, level: 'warning' } },
      { name: 'text', f: { ...NO_FILTER, text: 'query number 4242' } },
      { name: 'all four', f: { method: 'tools/call', direction: 'out' as const, level: '', text: 'tool_3' } },
    ];
    const lines: string[] = [];
    for (const c of cases) {
      const t0 = performance.now();
      const n = filterEntries(big, c.f).length;
      lines.push(`${c.name}: ${(performance.now() - t0).toFixed(2)} ms (${n} shown)`);
    }
    console.log(`      filtering 10,000 entries (Node): ${lines.join('; ')}`);
  });
});

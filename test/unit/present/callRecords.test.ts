/**
 * The tools panel's call records stay bounded whatever a server sends (src/present/callRecords.ts,
 * no vscode import): long texts cut, too many parts dropped, huge JSON replaced by
 * a note, and state pushes carry only the newest records in full.
 */
import * as assert from 'node:assert/strict';
import type { CallRecord } from '../../../src/shared/protocol';
import { CallHistory, capRecord, FULL_RECORDS, historyForState, MAX_JSON, MAX_PARTS, MAX_TEXT, splitDuration } from '../../../src/present/callRecords';

const base = (over: Partial<CallRecord> = {}): CallRecord => ({
  id: 1,
  tool: 't',
  at: 0,
  durationMs: 1,
  args: { q: 'x' },
  authenticated: false,
  ok: true,
  content: [{ type: 'text', text: 'hi' }],
  rpc: { request: { method: 'tools/call' }, response: { result: {} } },
  ...over,
});

describe('present/callRecords: bounded history', () => {
  it('keeps a small record as it is', () => {
    const r = base();
    assert.deepEqual(capRecord(r), r);
  });

  it('cuts long texts (text parts, embedded resource text) and says how much was cut', () => {
    const big = 'x'.repeat(MAX_TEXT + 5000);
    const r = capRecord(base({ content: [{ type: 'text', text: big }, { type: 'resource', resource: { uri: 'u', text: big, blob: undefined } }] }));
    const t = r.content![0].text as string;
    assert.ok(t.length < MAX_TEXT + 100);
    assert.match(t, /5000 more characters not kept/);
    assert.match((r.content![1].resource as { text: string }).text, /5000 more characters not kept/);
  });

  it(`keeps at most ${MAX_PARTS} content parts`, () => {
    const r = capRecord(base({ content: Array.from({ length: 5000 }, () => ({ type: 'text', text: 'a' })) }));
    assert.equal(r.content!.length, MAX_PARTS + 1);
    assert.match(r.content![MAX_PARTS].text as string, /4800 more content parts not kept/);
  });

  it('replaces a huge JSON-RPC response or structuredContent with a note; blobs keep a prefix only', () => {
    const huge = { data: 'y'.repeat(MAX_JSON + 1) };
    const r = capRecord(base({ structuredContent: huge, rpc: { request: {}, response: { result: huge } }, content: [{ type: 'resource', resource: { uri: 'b', blob: 'QUJD'.repeat(100_000) } }] }));
    assert.match(String(r.structuredContent), /too large to keep/);
    assert.match(String(r.rpc.response), /too large to keep/);
    assert.equal(((r.content![0].resource as { blob: string }).blob).length, 1024);
    assert.equal((r.content![0].resource as { blobBytes: number }).blobBytes, 300_000, 'the size is noted for the summary');
    assert.ok(JSON.stringify(r).length < 20_000);
  });

  it(`state pushes carry the newest ${FULL_RECORDS} records in full, the rest as summaries without payload`, () => {
    const records = Array.from({ length: 10 }, (_, i) => base({ id: 10 - i, args: { secretish: 'value' }, content: [{ type: 'text', text: 'x'.repeat(1000) }] }));
    const sent = historyForState(records);
    assert.equal(sent.length, 10);
    assert.ok(sent.slice(0, FULL_RECORDS).every((r) => !r.partial && r.content?.length === 1));
    for (const r of sent.slice(FULL_RECORDS)) {
      assert.equal(r.partial, true);
      assert.equal(r.content, undefined);
      assert.deepEqual(r.args, {});
      assert.deepEqual(r.rpc, { request: null, response: null });
      assert.equal(typeof r.tool, 'string');
    }
  });

  it('a call that signed in first: its own time, and the sign-in apart (10,747 ms in all for a 20 ms call)', () => {
    assert.deepEqual(splitDuration(10_747, 10_727), { durationMs: 20, signInMs: 10_727 });
    assert.deepEqual(splitDuration(20, 0), { durationMs: 20 }, 'no sign-in: nothing apart');
    assert.deepEqual(splitDuration(20.4, 0.3), { durationMs: 20 }, 'whole milliseconds');
    // a sign-in already running when the call started counts only up to the call's length
    assert.deepEqual(splitDuration(500, 9_000), { durationMs: 0, signInMs: 500 });
    // summaries in state pushes keep both numbers for the history list
    const records = Array.from({ length: FULL_RECORDS + 1 }, (_, i) => base({ id: i + 1, durationMs: 20, signInMs: 10_727 }));
    assert.deepEqual(historyForState(records).map((r) => [r.partial ?? false, r.durationMs, r.signInMs]), [...Array(FULL_RECORDS).fill([false, 20, 10_727]), [true, 20, 10_727]]);
  });
});

describe('present/callRecords CallHistory: per server, newest first, bounded', () => {
  const rec = (tool: string): Omit<CallRecord, 'id'> => {
    const { id: _id, ...r } = base({ tool });
    return r;
  };

  it('keeps each server apart, newest first, 50 at most, with ids no other record has', () => {
    const h = new CallHistory();
    for (let i = 0; i < 60; i++) h.add('a', rec(`t${i}`));
    const b = h.add('b', rec('other'));
    assert.equal(h.for('a').length, 50);
    assert.equal(h.for('a')[0].tool, 't59');
    assert.equal(h.for('a')[49].tool, 't10');
    assert.deepEqual(h.for('b').map((r) => r.tool), ['other']);
    assert.equal(h.get('a', b.id), undefined, "another server's record is not found by its id");
    assert.equal(new Set([...h.for('a'), ...h.for('b')].map((r) => r.id)).size, 51);
    h.clear('a');
    assert.deepEqual(h.for('a'), []);
  });

  it('stores a record capped (capRecord) whatever the server sent', () => {
    const h = new CallHistory();
    const r = h.add('a', { ...rec('big'), content: [{ type: 'text', text: 'x'.repeat(MAX_TEXT + 10) }] });
    assert.ok((r.content?.[0].text as string).length < MAX_TEXT + 100);
  });
});

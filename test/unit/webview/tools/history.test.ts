/**
 * The history as data (webview-ui/tools/history.ts) in plain Node: each call's outcome, the current
 * entry and the single tab stop, the key that keeps the list untouched across equal pushes, and the
 * bounded cache of full records fetched for summaries.
 */
import * as assert from 'node:assert/strict';
import type { CallRecord } from '../../../../src/shared/protocol';
import { historyModel as model, outcomeOf as outcome, RecordCache, type RecordReading } from '../../../../webview-ui/tools/history';
import { record } from './make';

/** How result.ts reads a record, as far as these tests need (the panel passes result.ts's own). */
const reading: RecordReading = { duration: (r) => `${r.durationMs} ms${r.signInMs ? ' (+ sign-in)' : ''}`, signInNeeded: (code) => code === 'insufficient_scope' || code === 'authorization_required' };
const historyModel = (h: CallRecord[], current: CallRecord | undefined) => model(h, current, reading);
const outcomeOf = (r: CallRecord) => outcome(r, reading);

const history = [record(3, 'beta', { authenticated: true }), record(2, 'alpha', { ok: false, error: { code: 'insufficient_scope', message: 'more scope' } }), record(1, 'alpha', { isError: true })];

describe('webview/tools/history: the calls as data', () => {
  it('no calls: no list', () => {
    assert.equal(historyModel([], undefined), undefined);
  });

  it('each call’s outcome: ok, tool error, sign-in needed (as the record view reads the code), failed', () => {
    assert.deepEqual(outcomeOf(record(1, 'a')), { icon: 'pass', outcome: 'ok: ' });
    assert.deepEqual(outcomeOf(record(1, 'a', { isError: true })), { icon: 'warning', outcome: 'tool error: ' });
    for (const code of ['authorization_required', 'insufficient_scope'] as const) assert.deepEqual(outcomeOf(record(1, 'a', { ok: false, error: { code, message: 'm' } })), { icon: 'lock', outcome: 'sign-in needed: ' }, code);
    assert.deepEqual(outcomeOf(record(1, 'a', { ok: false, error: { code: 'tool_not_found', message: 'm' } })), { icon: 'error', outcome: 'failed: ' });
    assert.deepEqual(outcomeOf(record(1, 'a', { ok: false })), { icon: 'error', outcome: 'failed: ' });
  });

  it('newest first as sent; the title counts; the meta line has the time, the duration and whether a token went', () => {
    const m = historyModel(history, undefined)!;
    assert.equal(m.title, ' History (3)');
    assert.deepEqual(
      m.entries.map((e) => e.record.id),
      [3, 2, 1],
    );
    const time = new Date(history[0].at).toLocaleTimeString();
    assert.equal(m.entries[0].meta, ` ${time} · 20 ms · token`);
    assert.equal(m.entries[1].meta, ` ${time} · 20 ms`);
    assert.equal(historyModel([record(5, 'a', { signInMs: 9 })], undefined)!.entries[0].meta, ` ${time} · 20 ms (+ sign-in)`, 'the duration as the record view says it');
    assert.equal(historyModel([record(9, 'x'.repeat(100))], undefined)!.entries[0].tool, `${'x'.repeat(60)}…`);
  });

  it('the current entry is the tab stop; without one, the newest is', () => {
    const none = historyModel(history, undefined)!;
    assert.deepEqual(
      none.entries.map((e) => [e.tabStop, e.current]),
      [
        [true, false],
        [false, false],
        [false, false],
      ],
    );
    const cur = historyModel(history, history[1])!;
    assert.deepEqual(
      cur.entries.map((e) => [e.tabStop, e.current]),
      [
        [false, false],
        [true, true],
        [false, false],
      ],
    );
    const elsewhere = historyModel(history, record(99, 'gone'))!;
    assert.equal(elsewhere.entries[0].tabStop, true, 'a current record not in the list: the newest is the tab stop');
    assert.ok(elsewhere.entries.every((e) => !e.current));
  });

  it('the key: equal for an equal push (a copy), different when the current entry or a shown field changes', () => {
    const k = historyModel(history, history[1])!.key;
    assert.equal(historyModel(structuredClone(history), structuredClone(history[1]))!.key, k);
    assert.notEqual(historyModel(history, history[2])!.key, k);
    assert.notEqual(historyModel([record(4, 'alpha'), ...history], history[1])!.key, k);
    assert.notEqual(historyModel([{ ...history[0], signInMs: 5 }, ...history.slice(1)], history[1])!.key, k);
    // what the entries do not show does not rebuild them
    assert.equal(historyModel([{ ...history[0], args: { q: 'other' } }, ...history.slice(1)], history[1])!.key, k);
  });

  describe('full records for summaries', () => {
    const settle = () => new Promise((r) => setImmediate(r));

    it('a full record is returned as it is; a summary is fetched once, then answered from the cache', async () => {
      const asked: number[] = [];
      const loaded: CallRecord[] = [];
      const cache = new RecordCache(
        async (id) => {
          asked.push(id);
          return record(id, 'alpha', { content: [{ type: 'text', text: 'full' }] } as Partial<CallRecord>);
        },
        (r) => loaded.push(r),
        () => assert.fail('no failure expected'),
      );
      const whole = record(1, 'alpha');
      assert.equal(cache.full(whole), whole);
      const summary = record(2, 'alpha', { partial: true });
      assert.equal(cache.full(summary), undefined);
      assert.equal(cache.full(summary), undefined, 'still loading: not asked twice');
      await settle();
      assert.deepEqual(asked, [2]);
      assert.equal(loaded.length, 1);
      assert.equal(cache.full(summary), loaded[0]);
      assert.deepEqual(asked, [2]);
    });

    it('keeps the newest few; a failure is reported and the record asked for again next time', async () => {
      const asked: number[] = [];
      const failures: unknown[] = [];
      let fail = true;
      const cache = new RecordCache(
        async (id) => {
          asked.push(id);
          if (fail && id === 100) throw new Error('gone');
          return record(id, 'alpha');
        },
        () => {},
        (err) => failures.push(err),
        2,
      );
      for (const id of [1, 2, 3]) cache.full(record(id, 'alpha', { partial: true }));
      await settle();
      assert.equal(cache.full(record(1, 'alpha', { partial: true })), undefined, 'the oldest was dropped: asked again');
      assert.ok(cache.full(record(3, 'alpha', { partial: true })));
      cache.full(record(100, 'alpha', { partial: true }));
      await settle();
      assert.equal((failures[0] as Error).message, 'gone');
      fail = false;
      cache.full(record(100, 'alpha', { partial: true }));
      await settle();
      assert.deepEqual(asked, [1, 2, 3, 1, 100, 100]);
    });
  });
});

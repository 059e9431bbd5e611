import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AbortLink, linkedCount } from '../../../src/core/http/abortLink';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('http/abortLink', () => {
  it('a caller abort reaches every exchange in flight, with the caller\'s reason', () => {
    const caller = new AbortController();
    const a = new AbortController();
    const b = new AbortController();
    AbortLink.join(a, [caller.signal]);
    AbortLink.join(b, [caller.signal]);
    const reason = new Error('user cancelled');
    caller.abort(reason);
    assert.equal(a.signal.reason, reason);
    assert.equal(b.signal.reason, reason);
  });

  it('an already-aborted signal aborts at once; any one of several signals aborts', () => {
    const ctl = new AbortController();
    AbortLink.join(ctl, [new AbortController().signal, AbortSignal.abort('gone')]);
    assert.equal(ctl.signal.reason, 'gone');
    const first = new AbortController();
    const second = new AbortController();
    const ctl2 = new AbortController();
    AbortLink.join(ctl2, [first.signal, second.signal]);
    second.abort('second');
    assert.equal(ctl2.signal.reason, 'second');
  });

  it('a released exchange is no longer reached; its own abort is not the caller\'s', () => {
    const caller = new AbortController();
    const ctl = new AbortController();
    AbortLink.join(ctl, [caller.signal]).release();
    assert.equal(linkedCount(caller.signal), 0);
    caller.abort();
    assert.equal(ctl.signal.aborted, false);
    const own = new AbortController();
    const caller2 = new AbortController();
    AbortLink.join(own, [caller2.signal]);
    own.abort('timeout');
    assert.equal(caller2.signal.aborted, false, 'the link runs one way only');
  });

  it('a stream entry lives while its body does, and is pruned once the body is collected', async () => {
    const caller = new AbortController();
    const kept = { body: 'still being read' };
    const keptCtl = new AbortController();
    AbortLink.join(keptCtl, [caller.signal]).keepWhile(kept);
    for (let i = 0; i < 100; i++) AbortLink.join(new AbortController(), [caller.signal]).keepWhile({ dropped: i });
    await nextTurn(); // WeakRef targets stay alive until the end of the job that made them
    gc();
    assert.equal(linkedCount(caller.signal), 101, 'not pruned before the set reaches its threshold');
    // More streams: the set reaches its threshold (twice the size at the last prune) and drops the collected ones.
    for (let i = 0; i < 30; i++) AbortLink.join(new AbortController(), [caller.signal]).keepWhile({ later: i });
    assert.ok(linkedCount(caller.signal) <= 31, `pruned: ${linkedCount(caller.signal)} left`);
    caller.abort('closed');
    assert.equal(keptCtl.signal.reason, 'closed', 'the live stream was never pruned');
    assert.ok(kept.body);
  });
});

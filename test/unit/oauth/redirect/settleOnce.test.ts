import { strict as assert } from 'node:assert';
import { InspectorError, isInspectorError } from '../../../../src/core/errors';
import { SettleOnce } from '../../../../src/core/oauth/redirect/settleOnce';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = () => new InspectorError('authorization_denied', 'denied');

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('core/oauth/redirect/settleOnce', () => {
  it('the first outcome wins; later ones change nothing and say so', async () => {
    let settledCalls = 0;
    const w = new SettleOnce<string>({ timeoutMs: 10_000, onSettled: () => settledCalls++ });
    assert.equal(w.settled, false);
    assert.equal(w.settle({ ok: true, value: 'first' }), true);
    assert.equal(w.settle({ ok: true, value: 'second' }), false);
    assert.equal(w.settle({ ok: false, error: refused() }), false);
    assert.equal(await w.promise, 'first');
    assert.equal(w.settled, true);
    assert.equal(settledCalls, 1);
  });

  it('times out with authorization_timeout, once, and runs onExpired and onSettled once each', async () => {
    let expired = 0;
    let settledCalls = 0;
    const w = new SettleOnce<string>({ timeoutMs: 20, onExpired: () => expired++, onSettled: () => settledCalls++ });
    const err = await rejection(w.promise);
    assert.ok(isInspectorError(err, 'authorization_timeout'), String(err));
    assert.equal(w.settle({ ok: true, value: 'late' }), false);
    await sleep(30);
    assert.deepEqual([expired, settledCalls], [1, 1]);
  });

  it('an abort fails the wait with authorization_cancelled and runs onExpired', async () => {
    let expired = 0;
    const ac = new AbortController();
    const w = new SettleOnce<string>({ timeoutMs: 10_000, signal: ac.signal, onExpired: () => expired++ });
    ac.abort();
    assert.ok(isInspectorError(await rejection(w.promise), 'authorization_cancelled'));
    assert.equal(expired, 1);
  });

  it('after an outcome, neither the timer nor the abort does anything', async () => {
    let expired = 0;
    const ac = new AbortController();
    const w = new SettleOnce<string>({ timeoutMs: 20, signal: ac.signal, onExpired: () => expired++ });
    w.settle({ ok: true, value: 'v' });
    ac.abort();
    await sleep(40);
    assert.equal(expired, 0);
    assert.equal(await w.promise, 'v');
  });

  it('decide() records without delivering: the waiter gets it only at deliver(), and a second decide is refused', async () => {
    const w = new SettleOnce<string>({ timeoutMs: 20 });
    assert.equal(w.decide({ ok: true, value: 'page sent first' }), true);
    assert.equal(w.decide({ ok: false, error: refused() }), false);
    let got: string | undefined;
    void w.promise.then((v) => (got = v));
    await sleep(40); // past the timeout: decided already, so the timer was stopped
    assert.equal(got, undefined);
    w.deliver();
    w.deliver();
    assert.equal(await w.promise, 'page sent first');
  });

  it('deliver() before any outcome does nothing', async () => {
    const w = new SettleOnce<string>({ timeoutMs: 10_000 });
    w.deliver();
    w.settle({ ok: false, error: refused() });
    assert.ok(isInspectorError(await rejection(w.promise), 'authorization_denied'));
  });

  it('a rejection nobody waits for is not an unhandled rejection', async () => {
    const seen: unknown[] = [];
    const onUnhandled = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      new SettleOnce<string>({ timeoutMs: 5 });
      new SettleOnce<string>({ timeoutMs: 10_000 }).settle({ ok: false, error: refused() });
      await sleep(30);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(seen, []);
  });
});

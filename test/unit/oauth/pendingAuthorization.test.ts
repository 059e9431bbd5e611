/**
 * A sign-in whose browser never comes back: while the flow waits, the engine holds the
 * authorization URL it sent the browser to (after the URL policy), records it in the trace — and so
 * in the log — for the user to copy, can open it again through the same Browser port, and forgets it
 * when the flow ends (approved or cancelled). And how long signing in took, apart from the call that
 * needed it.
 */
import { strict as assert } from 'node:assert';
import { isInspectorError } from '../../../src/core/errors';
import type { TraceNote } from '../../../src/core/http/trace';
import { approveInBrowser, findLeaks, recordingBrowser, useOAuthFixtures } from '../../fixtures/oauthFixture';

/** A clock the test moves: the sign-in's minutes in the browser without waiting for them. */
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

describe('oauth/authManager: the sign-in waiting for the browser', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('holds the authorization URL while waiting, traces it as an info note, opens it again on request, and forgets it once signed in', async () => {
    const fx = await fixture();
    const browser = recordingBrowser('ignore');
    const clock = movableClock();
    const conn = connect(fx, { browser, clock });
    let changes = 0;
    conn.auth.onDidChange(() => changes++);
    assert.equal(conn.auth.pendingAuthorization, undefined);
    assert.equal(await conn.auth.reopenAuthorization(), false, 'nothing to open again before a sign-in');
    assert.equal(conn.auth.authorizationTime(), 0);

    const signIn = conn.auth.authorize();
    await until(() => browser.opened.length === 1, 'the browser');
    const sent = browser.opened[0].url;
    // read through a function: the assertion above narrowed the property to undefined for tsc
    const pendingNow = () => conn.auth.pendingAuthorization;
    const pending = pendingNow();
    assert.ok(pending, 'a pending sign-in');
    assert.equal(pending.url.href, sent.href);
    assert.equal(pending.redirectUri, browser.opened[0].redirectUri);
    assert.equal(pending.host, new URL(fx.issuer).host);
    assert.ok(changes > 0, 'listeners heard of it (the panel re-renders)');
    // the URL holds the PKCE challenge, never the verifier or a code
    assert.ok(sent.searchParams.get('code_challenge'));
    for (const k of ['code', 'code_verifier', 'client_secret']) assert.equal(sent.searchParams.has(k), false, k);

    // in the trace (connections log every note): the whole URL, as an info note of the authorization request
    const notes = conn.trace.all().filter((e): e is TraceNote => e.kind === 'note' && e.message.includes(sent.href));
    assert.equal(notes.length, 1, 'one note with the URL');
    assert.equal(notes[0].step, 'authorization request');
    assert.equal(notes[0].level, 'info');

    // the sign-in takes ten minutes in the browser: counted while in flight
    clock.advance(600_000);
    assert.ok(conn.auth.authorizationTime() >= 600_000);

    // open again: the same URL through the same Browser port; the trace does not grow by another link
    assert.equal(await conn.auth.reopenAuthorization(), true);
    assert.equal(browser.opened.length, 2);
    assert.equal(browser.opened[1].url.href, sent.href);
    assert.equal(browser.opened[1].redirectUri, browser.opened[0].redirectUri);

    await approveInBrowser(sent);
    await signIn;
    assert.ok(conn.auth.tokens);
    assert.equal(conn.auth.pendingAuthorization, undefined, 'forgotten once signed in');
    assert.equal(await conn.auth.reopenAuthorization(), false);
    const spent = conn.auth.authorizationTime();
    assert.ok(spent >= 600_000 && spent < 660_000, String(spent));
    clock.advance(60_000);
    assert.equal(conn.auth.authorizationTime(), spent, 'time after the sign-in is not sign-in time');
    // nothing secret went into the trace with the link
    assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()), fx.allSecrets()), []);
  });

  it('a cancelled wait forgets the URL too (nothing to copy or open again afterwards)', async () => {
    const fx = await fixture();
    const browser = recordingBrowser('ignore');
    const conn = connect(fx, { browser });
    const abort = new AbortController();
    const signIn = conn.auth.authorize(undefined, abort.signal);
    await until(() => conn.auth.pendingAuthorization !== undefined, 'the pending sign-in');
    abort.abort();
    const err = await signIn.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isInspectorError(err, 'authorization_cancelled'), String(err));
    assert.equal(conn.auth.pendingAuthorization, undefined);
    assert.equal(await conn.auth.reopenAuthorization(), false);
    assert.equal(browser.opened.length, 1);
  });

  it('a URL the policy refuses is neither recorded nor opened', async () => {
    const fx = await fixture({ asMetadata: { authorization_endpoint: 'javascript:alert(1)//' } });
    const browser = recordingBrowser('ignore');
    const conn = connect(fx, { browser });
    await assert.rejects(conn.auth.authorize(), (e: unknown) => isInspectorError(e));
    assert.equal(browser.opened.length, 0);
    assert.equal(conn.auth.pendingAuthorization, undefined);
    assert.ok(!conn.trace.all().some((e) => e.kind === 'note' && e.message.startsWith('sign-in link')), 'the refused URL is not offered as a sign-in link');
  });
});

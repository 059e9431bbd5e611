/**
 * The socket-less redirect receiver the extension feeds from `registerUriHandler`: dispatch by state,
 * the loopback receiver's guarantees (one matching callback, error callbacks, timeout, close, abort),
 * nothing of the query in the log; the flow with it (DCR registers its redirect URI, the
 * authorization and token requests use it, iss passes through); re-registration of a DCR client
 * registered for another redirect URI; the headless browser stopping at a custom-scheme redirect URI.
 */
import { strict as assert } from 'node:assert';
import { InspectorError } from '../../../../src/core/errors';
import { createGuardedFetch } from '../../../../src/core/http/guardedFetch';
import { Redactor } from '../../../../src/core/http/redact';
import { Trace } from '../../../../src/core/http/trace';
import { CallbackDispatcher } from '../../../../src/core/oauth/redirect/callbackDispatcher';
import { createHeadlessBrowser } from '../../../../src/core/oauth/headlessBrowser';
import { redirectUriRegistered } from '../../../../src/core/oauth/redirect/redirectReceiver';
import { sanitizeServerText } from '../../../../src/core/text/scrub';
import { connectTo, expectInspectorError, recordingBrowser, recordingLogger, startOAuthFixture, type Fixture } from '../../../fixtures/oauthFixture';
import { startServer } from '../../http/localServer';

const CALLBACK = 'vscode://mcp-oauth-inspector.mcp-oauth-inspector/callback';
const STATE = 'st_9b2e4c1a7d3f4e8a9c0b1d2e3f4a5b6c';
const OTHER_STATE = 'st_0000aaaa1111bbbb2222cccc3333dddd';
const CODE = 'SplxlOBeZQQYbYS6WxSbIA_dispatched_code';

/** A delivered URI as VS Code hands it to a UriHandler. */
function uri(query: string | URLSearchParams, path = '/callback', authority = 'mcp-oauth-inspector.mcp-oauth-inspector') {
  return { authority, path, query: String(query) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 'pending' if the promise has not settled within a tick or two. */
async function state(p: Promise<unknown>): Promise<string> {
  return Promise.race([p.then(() => 'resolved', (e: InspectorError) => `rejected:${e.code}`), sleep(20).then(() => 'pending')]);
}

async function rejection(p: Promise<unknown>): Promise<InspectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof InspectorError, `expected InspectorError, got ${String(err)}`);
    return err;
  }
  throw new Error('expected a rejection');
}

describe('oauth/redirect/callbackDispatcher (the URI handler receiver)', () => {
  let logger: ReturnType<typeof recordingLogger>;
  let d: CallbackDispatcher;
  beforeEach(() => {
    logger = recordingLogger();
    d = new CallbackDispatcher({ callbackUri: CALLBACK, logger });
  });
  afterEach(() => d.dispose());

  it('resolves the pending sign-in whose state the callback carries, with every parameter (iss included)', async () => {
    const r = d.register({ expectedState: STATE }, 'https://editor.example/callback?vscode-reqid=1');
    assert.equal(r.redirectUri, 'https://editor.example/callback?vscode-reqid=1');
    assert.equal(d.size, 1);
    const outcome = d.dispatch(uri(`code=${CODE}&state=${STATE}&iss=https%3A%2F%2Fas.example`));
    assert.deepEqual(outcome, { kind: 'accepted' });
    const cb = await r.waitForCallback();
    assert.equal(cb.params.get('code'), CODE);
    assert.equal(cb.params.get('iss'), 'https://as.example');
    assert.equal(cb.url.protocol, 'vscode:');
    assert.equal(cb.url.pathname, '/callback');
    assert.equal(d.size, 0, 'forgotten once it ended');
  });

  it('dispatches concurrent sign-ins by state', async () => {
    const a = d.register({ expectedState: STATE }, CALLBACK);
    const b = d.register({ expectedState: OTHER_STATE }, CALLBACK);
    d.dispatch(uri(`code=b-code&state=${OTHER_STATE}`));
    assert.equal((await b.waitForCallback()).params.get('code'), 'b-code');
    assert.equal(await state(a.waitForCallback()), 'pending');
    d.dispatch(uri(`code=a-code&state=${STATE}`));
    assert.equal((await a.waitForCallback()).params.get('code'), 'a-code');
  });

  it('ignores a wrong, missing or doubled state, and an error= without the state, and keeps waiting', async () => {
    const r = d.register({ expectedState: STATE }, CALLBACK);
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=attacker`)), { kind: 'ignored', reason: 'unknown_state' });
    assert.deepEqual(d.dispatch(uri(`code=${CODE}`)), { kind: 'ignored', reason: 'missing_state' });
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}&state=attacker`)), { kind: 'ignored', reason: 'unknown_state' });
    assert.deepEqual(d.dispatch(uri('error=access_denied')), { kind: 'ignored', reason: 'missing_state' });
    assert.deepEqual(d.dispatch(uri('error=access_denied&state=attacker')), { kind: 'ignored', reason: 'unknown_state' });
    assert.equal(await state(r.waitForCallback()), 'pending');
    d.dispatch(uri(`code=${CODE}&state=${STATE}`));
    assert.equal(await state(r.waitForCallback()), 'resolved');
  });

  it('accepts only the callback path of its own authority, and only while a sign-in is pending', async () => {
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`)), { kind: 'ignored', reason: 'no_sign_in' });
    const r = d.register({ expectedState: STATE }, CALLBACK);
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`, '/other')), { kind: 'ignored', reason: 'path' });
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`, '/callback/')), { kind: 'ignored', reason: 'path' });
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`, '/callback', 'someone.else')), { kind: 'ignored', reason: 'path' });
    assert.equal(await state(r.waitForCallback()), 'pending');
    // the authority is matched case-insensitively (extension ids are)
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`, '/callback', 'MCP-OAuth-Inspector.mcp-oauth-inspector')), { kind: 'accepted' });
  });

  it('exactly one callback: a replay is ignored and changes nothing', async () => {
    const r = d.register({ expectedState: STATE }, CALLBACK);
    assert.equal(d.dispatch(uri(`code=${CODE}&state=${STATE}`)).kind, 'accepted');
    assert.deepEqual(d.dispatch(uri(`code=other&state=${STATE}`)), { kind: 'ignored', reason: 'no_sign_in' });
    assert.equal((await r.waitForCallback()).params.get('code'), CODE);
  });

  it('an error= callback with the state rejects with authorization_denied; the text is sanitised, capped and inert', async () => {
    const r = d.register({ expectedState: STATE }, CALLBACK);
    const q = new URLSearchParams({
      state: STATE,
      error: 'access_denied',
      error_description: `no <img src=x onerror=alert(1)> [Fix it](command:workbench.action.terminal.new) \u202e${'x'.repeat(1000)}`,
      code: CODE,
    });
    assert.deepEqual(d.dispatch(uri(q)), { kind: 'denied' });
    const err = await rejection(r.waitForCallback());
    assert.equal(err.code, 'authorization_denied');
    assert.match(err.message, /access_denied: no <img src=x onerror=alert\(1\)> \[Fix it\] \(command:/);
    assert.ok(!err.message.includes('](command:'), 'no markdown link survives');
    assert.ok(!err.message.includes('\u202e'));
    assert.ok(!err.message.includes(CODE));
    assert.ok(err.message.length < 600, `capped: ${err.message.length}`);
  });

  it('a callback with the state but no code and no error rejects with callback_invalid', async () => {
    const r = d.register({ expectedState: STATE }, CALLBACK);
    assert.deepEqual(d.dispatch(uri(`state=${STATE}`)), { kind: 'invalid' });
    assert.equal((await rejection(r.waitForCallback())).code, 'callback_invalid');
  });

  it('times out with authorization_timeout; a late callback is then ignored', async () => {
    const r = d.register({ expectedState: STATE, timeoutMs: 50 }, CALLBACK);
    const err = await rejection(r.waitForCallback());
    assert.equal(err.code, 'authorization_timeout');
    assert.match(err.message, /did not complete within 0\.1 seconds|did not complete within/);
    assert.equal(d.size, 0);
    assert.deepEqual(d.dispatch(uri(`code=${CODE}&state=${STATE}`)), { kind: 'ignored', reason: 'no_sign_in' });
  });

  it('a timeout before waitForCallback() is called is not an unhandled rejection', async () => {
    const r = d.register({ expectedState: STATE, timeoutMs: 10 }, CALLBACK);
    await sleep(40);
    assert.equal((await rejection(r.waitForCallback())).code, 'authorization_timeout');
  });

  it('close() cancels (authorization_cancelled), is idempotent, and keeps a result already received', async () => {
    const r = d.register({ expectedState: STATE }, CALLBACK);
    await r.close();
    await r.close();
    assert.equal((await rejection(r.waitForCallback())).code, 'authorization_cancelled');
    assert.equal(d.size, 0);
    const ok = d.register({ expectedState: STATE }, CALLBACK);
    d.dispatch(uri(`code=${CODE}&state=${STATE}`));
    await ok.close();
    assert.equal((await ok.waitForCallback()).params.get('code'), CODE);
  });

  it('an abort signal cancels; an already aborted signal refuses to register', async () => {
    const ac = new AbortController();
    const r = d.register({ expectedState: STATE, signal: ac.signal }, CALLBACK);
    ac.abort();
    assert.equal((await rejection(r.waitForCallback())).code, 'authorization_cancelled');
    assert.throws(() => d.register({ expectedState: STATE, signal: ac.signal }, CALLBACK), { code: 'authorization_cancelled' });
    await assert.rejects(d.factory(async () => CALLBACK)({ expectedState: STATE, signal: ac.signal }), { code: 'authorization_cancelled' });
  });

  it('dispose() cancels every pending sign-in and refuses new ones', async () => {
    const a = d.register({ expectedState: STATE }, CALLBACK);
    const b = d.register({ expectedState: OTHER_STATE }, CALLBACK);
    d.dispose();
    d.dispose();
    assert.equal((await rejection(a.waitForCallback())).code, 'authorization_cancelled');
    assert.equal((await rejection(b.waitForCallback())).code, 'authorization_cancelled');
    assert.throws(() => d.register({ expectedState: STATE }, CALLBACK), { code: 'authorization_cancelled' });
  });

  it('refuses bad options', () => {
    assert.throws(() => d.register({ expectedState: '' }, CALLBACK), { code: 'config_invalid' });
    assert.throws(() => d.register({ expectedState: STATE, timeoutMs: 0 }, CALLBACK), { code: 'config_invalid' });
    assert.throws(() => new CallbackDispatcher({ callbackUri: 'not a uri' }), { code: 'config_invalid' });
  });

  it('logs what it ignored and why, never the query (no code, no state)', async () => {
    d.dispatch(uri(`code=${CODE}&state=${STATE}`));
    const r = d.register({ expectedState: STATE }, CALLBACK);
    d.dispatch(uri(`code=${CODE}&state=attacker`));
    d.dispatch(uri(`code=${CODE}&state=${STATE}`, '/elsewhere'));
    d.dispatch(uri(`code=${CODE}&state=${STATE}`));
    await r.waitForCallback();
    const log = logger.lines.join('\n');
    assert.match(log, /no sign-in is in progress/);
    assert.match(log, /matches no sign-in in progress/);
    assert.match(log, /not the sign-in callback path \(path \/elsewhere\)/);
    assert.match(log, /sign-in callback received/);
    assert.ok(!log.includes(CODE), 'the code is never logged');
    assert.ok(!log.includes(STATE), 'the state is never logged');
  });
});

describe('oauth/redirect/redirectReceiver helpers', () => {
  it('redirectUriRegistered: exact match, or an http loopback URI whatever its port', () => {
    assert.ok(redirectUriRegistered(['http://127.0.0.1:5000/callback'], 'http://127.0.0.1:6000/callback'));
    assert.ok(redirectUriRegistered(['http://localhost/callback'], 'http://localhost:7/callback'));
    assert.ok(redirectUriRegistered([CALLBACK], CALLBACK));
    assert.ok(!redirectUriRegistered(['http://127.0.0.1:5000/callback'], 'http://localhost:5000/callback'));
    assert.ok(!redirectUriRegistered(['http://127.0.0.1:5000/callback'], CALLBACK));
    assert.ok(!redirectUriRegistered(['http://127.0.0.1:8080/callback?vscode-reqid=1'], 'http://127.0.0.1:8080/callback?vscode-reqid=2'));
    assert.ok(!redirectUriRegistered(['https://a.example:1/cb'], 'https://a.example:2/cb'), 'ports matter outside loopback');
    assert.ok(!redirectUriRegistered([], CALLBACK));
  });

  it('sanitizeServerText: control and bidi characters out, links broken, capped', () => {
    assert.equal(sanitizeServerText('a\u0000b\u202ec  d', 100), 'a b c d');
    assert.equal(sanitizeServerText('[x](command:evil)', 100), '[x] (command:evil)');
    assert.equal(sanitizeServerText('abcdef', 3), 'abc…');
  });
});

describe('the authorization code flow through the URI handler receiver', () => {
  const cleanup: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!.close();
  });
  async function fixture(): Promise<Fixture> {
    const fx = await startOAuthFixture();
    cleanup.push(fx);
    return fx;
  }

  /**
   * The oauth fixture accepts loopback redirect URIs only, so the "editor" here delivers
   * http://localhost:9/editor-callback (nothing listens there): the browser asks the AS, reads the
   * redirect it answers, and hands it to the dispatcher as the editor's URI handler would.
   */
  function editor(callbackUri = 'http://localhost:9/editor-callback') {
    const d = new CallbackDispatcher({ callbackUri, logger: recordingLogger() });
    cleanup.push({ close: async () => d.dispose() });
    const delivered: string[] = [];
    const browser = recordingBrowser(async (url) => {
      const res = await fetch(url, { redirect: 'manual' });
      await res.body?.cancel();
      assert.equal(res.status, 302);
      const back = new URL(res.headers.get('location')!);
      delivered.push(back.href);
      d.dispatch({ path: back.pathname, query: back.search.slice(1) });
    });
    return { d, browser, delivered, startReceiver: d.factory(async () => callbackUri) };
  }

  it('DCR registers the handler redirect URI; the authorization and token requests use it; iss is checked', async () => {
    const fx = await fixture();
    const e = editor();
    const conn = connectTo(fx, { browser: e.browser, startReceiver: e.startReceiver });
    cleanup.push(conn);
    await conn.session.connect();
    assert.equal(conn.auth.state, 'signed-in');
    assert.deepEqual(conn.auth.client?.redirect_uris, ['http://localhost:9/editor-callback']);
    assert.equal(conn.browser.opened[0].url.searchParams.get('redirect_uri'), 'http://localhost:9/editor-callback');
    assert.equal(conn.browser.opened[0].redirectUri, 'http://localhost:9/editor-callback');
    assert.ok(new URL(e.delivered[0]).searchParams.has('iss'), 'the fixture sent iss and the flow accepted it');
    assert.equal(fx.counters.token, 1, 'the token request carried the same redirect_uri (the fixture checks)');
    assert.ok(conn.trace.all().some((t) => t.kind === 'note' && /redirect_uri http:\/\/localhost:9\/editor-callback/.test(t.message)));
    assert.equal(e.d.size, 0);
  });

  it('a wrong iss through the handler → iss_mismatch, nothing exchanged', async () => {
    const fx = await startOAuthFixture({ issParameter: 'wrong' });
    cleanup.push(fx);
    const e = editor();
    const conn = connectTo(fx, { browser: e.browser, startReceiver: e.startReceiver });
    cleanup.push(conn);
    await expectInspectorError(conn.session.connect(), 'iss_mismatch');
    assert.equal(fx.counters.token, 0);
  });

  it('a DCR client registered for another redirect URI is registered again; one that differs only by loopback port is kept', async () => {
    const fx = await fixture();
    // 1: the loopback receiver (ephemeral port) → a client registered for http://127.0.0.1:P/callback
    const first = connectTo(fx);
    cleanup.push(first);
    await first.session.connect();
    assert.equal(fx.counters.register, 1);
    const client = first.auth.client!;
    await first.close();
    const secrets = first.secrets;
    const forgetTokens = () => secrets.delete(first.auth.keys.tokens(fx.issuer, client.client_id));

    // 2: the stored registration names another port; the next sign-in (loopback, yet another port) reuses it
    await secrets.store(first.auth.keys.client(fx.issuer), JSON.stringify({ ...client, redirect_uris: ['http://127.0.0.1:1/callback'] }));
    await forgetTokens();
    const second = connectTo(fx, { secrets });
    cleanup.push(second);
    await second.session.connect();
    assert.equal(fx.counters.register, 1, 'port-only difference: the stored client is reused');
    assert.equal(second.auth.client!.client_id, client.client_id);
    await second.close();

    // 3: the URI handler's redirect URI is not among the stored client's → registered again
    await forgetTokens();
    const e = editor();
    const third = connectTo(fx, { secrets, browser: e.browser, startReceiver: e.startReceiver });
    cleanup.push(third);
    await third.session.connect();
    assert.equal(fx.counters.register, 2);
    assert.notEqual(third.auth.client!.client_id, client.client_id);
    assert.deepEqual(third.auth.client!.redirect_uris, ['http://localhost:9/editor-callback']);
    assert.ok(third.trace.all().some((t) => t.kind === 'note' && /registered for another redirect URI/.test(t.message)));
  });

  it('a pre-registered client that does not know the redirect URI: the timeout says which URI to register', async () => {
    const fx = await fixture();
    fx.addClient({ client_id: 'pre-1', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] });
    const e = editor();
    // the AS answers 400 on its own page and never redirects: the user's browser stays there
    const browser = recordingBrowser('ignore');
    const conn = connectTo(fx, { browser, startReceiver: e.startReceiver, client: { policy: 'preregistered', client_id: 'pre-1' }, authorizationTimeoutMs: 100 });
    cleanup.push(conn);
    const err = await expectInspectorError(conn.session.connect(), 'authorization_timeout', 'did not complete within', 'register http://localhost:9/editor-callback', 'client pre-1');
    assert.equal(err.step, 'authorization callback');
  });
});

describe('oauth/headlessBrowser with a URI handler redirect URI', () => {
  it('stops at a custom-scheme redirect URI and hands it to deliver(); the 302 chain is followed through the guarded fetch', async () => {
    const target = `${CALLBACK}?code=${CODE}&state=${STATE}`;
    const server = await startServer((req, res) => {
      if (req.url.startsWith('/authorize')) {
        res.writeHead(302, { location: '/consent' }).end();
      } else if (req.url === '/consent') {
        res.writeHead(302, { location: target }).end();
      } else res.writeHead(404).end();
    });
    try {
      const fetch = createGuardedFetch({ policy: { trustedOrigin: new URL(server.origin) }, trace: new Trace(), redactor: new Redactor() });
      const delivered: string[] = [];
      const browser = createHeadlessBrowser({ fetch, deliver: async (u) => void delivered.push(u.href) });
      await browser.open(new URL(`${server.origin}/authorize?client_id=c`), CALLBACK);
      assert.deepEqual(delivered, [target]);
    } finally {
      await server.close();
    }
  });

  it('another custom-scheme URL is not the redirect target (refused by the URL policy, nothing delivered)', async () => {
    const server = await startServer((_req, res) => void res.writeHead(302, { location: 'vscode://someone.else/callback?code=x' }).end());
    try {
      const fetch = createGuardedFetch({ policy: { trustedOrigin: new URL(server.origin) }, trace: new Trace(), redactor: new Redactor() });
      const delivered: string[] = [];
      const browser = createHeadlessBrowser({ fetch, deliver: async (u) => void delivered.push(u.href) });
      await assert.rejects(browser.open(new URL(`${server.origin}/authorize`), CALLBACK), { code: 'url_scheme_refused' });
      assert.deepEqual(delivered, []);
    } finally {
      await server.close();
    }
  });

  it('an authorization server refusing the redirect_uri on its page → an error naming the URI and the client', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/html' }).end('<p>invalid_redirect_uri — redirect_uri did not match any registered redirect_uris</p>');
    });
    try {
      const fetch = createGuardedFetch({ policy: { trustedOrigin: new URL(server.origin) }, trace: new Trace(), redactor: new Redactor() });
      const browser = createHeadlessBrowser({ fetch });
      await expectInspectorError(browser.open(new URL(`${server.origin}/authorize?client_id=todo-local`), CALLBACK), 'authorization_denied', 'HTTP 400', `does not accept ${CALLBACK}`, 'client todo-local', `Register ${CALLBACK}`);
    } finally {
      await server.close();
    }
  });
});

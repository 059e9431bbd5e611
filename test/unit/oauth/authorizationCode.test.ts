/**
 * The authorization code flow (PKCE S256, state, iss, loopback receiver, resource indicators, no
 * redirects on token/registration/revocation) against the OAuth fixture, through the real guarded
 * fetch and loopback receiver.
 */
import { strict as assert } from 'node:assert';
import { checkPkceSupport } from '../../../src/core/oauth/authorizationCode';
import type { RedirectCallback, RedirectReceiverFactory } from '../../../src/core/oauth/redirect/redirectReceiver';
import { expectInspectorError, leakWatch, makeContext, recordingBrowser, useOAuthFixtures } from '../../fixtures/oauthFixture';
import { startServer } from '../http/localServer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The authorization server's redirect (callback URL with code and state) for an authorization URL. */
async function authorizeAt(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.body?.cancel();
  assert.equal(res.status, 302, 'the fixture approves at once');
  return new URL(res.headers.get('location')!);
}

async function get(url: URL | string): Promise<number> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.body?.cancel();
  return res.status;
}

describe('oauth/authorizationCode', () => {
  const { fixture, connect, track } = useOAuthFixtures();

  describe('PKCE S256 support', () => {
    for (const [label, value] of [
      ['missing code_challenge_methods_supported', undefined],
      ['only plain', ['plain']],
      ['an empty list', []],
      ['"S256" as a string, not a list', 'S256'],
      ['lower-case s256', ['s256']],
    ] as const) {
      it(`${label} → pkce_s256_unsupported; no browser, no /authorize, no registration`, async () => {
        const fx = await fixture({ asMetadata: { code_challenge_methods_supported: value } });
        const conn = connect(fx);
        await expectInspectorError(conn.session.connect(), 'pkce_s256_unsupported', 'authorization request', fx.issuer);
        assert.equal(conn.browser.opened.length, 0);
        assert.equal(fx.counters.authorize, 0);
        assert.equal(fx.counters.register, 0);
        assert.equal(fx.counters.token, 0);
        assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.level === 'fail' && /must refuse/.test(e.message)));
      });
    }

    it('back-compat mode with no advertised methods proceeds, labelled in the trace', () => {
      const ctx = makeContext('http://127.0.0.1:1/mcp');
      checkPkceSupport(ctx, { issuer: 'http://127.0.0.1:1' }, true);
      assert.ok(ctx.trace.all().some((e) => e.kind === 'note' && e.level === 'warn' && /back-compat \(2025-03-26\)/.test(e.message)));
      assert.throws(() => checkPkceSupport(ctx, { issuer: 'http://127.0.0.1:1', code_challenge_methods_supported: ['plain'] }, true), { code: 'pkce_s256_unsupported' });
    });
  });

  it('a callback with a wrong or missing state (or an error= without state) is not exchanged; the right one is', async () => {
    const fx = await fixture();
    const statuses: number[] = [];
    let tokenRequestsBeforeRightCallback = -1;
    const browser = recordingBrowser(async (url, redirectUri) => {
      const cb = await authorizeAt(url);
      const wrong = new URL(cb);
      wrong.searchParams.set('state', 'attacker-state');
      statuses.push(await get(wrong));
      const missing = new URL(cb);
      missing.searchParams.delete('state');
      statuses.push(await get(missing));
      const twice = new URL(cb);
      twice.searchParams.append('state', 'attacker-state');
      statuses.push(await get(twice));
      const errorNoState = new URL(redirectUri!);
      errorNoState.searchParams.set('error', 'access_denied');
      statuses.push(await get(errorNoState));
      await sleep(50);
      tokenRequestsBeforeRightCallback = fx.counters.token;
      statuses.push(await get(cb));
    });
    const conn = connect(fx, { browser });
    await conn.session.connect();
    assert.deepEqual(statuses, [400, 400, 400, 400, 200]);
    assert.equal(tokenRequestsBeforeRightCallback, 0, 'nothing exchanged for the bad callbacks');
    assert.equal(fx.counters.token, 1);
    assert.equal(conn.auth.state, 'signed-in');
  });

  it('iss in the callback differs from the issuer → iss_mismatch; the code is not exchanged', async () => {
    const fx = await fixture({ issParameter: 'wrong' });
    const conn = connect(fx);
    await expectInspectorError(conn.session.connect(), 'iss_mismatch', 'authorization callback', fx.issuer, 'not exchanged');
    assert.equal(fx.counters.authorize, 1);
    assert.equal(fx.counters.token, 0);
    assert.equal(conn.auth.tokens, undefined);
  });

  it('iss missing although the AS advertises it (RFC 9207) → iss_mismatch; no token request', async () => {
    const fx = await fixture({ issParameter: 'none', asMetadata: { authorization_response_iss_parameter_supported: true } });
    const conn = connect(fx);
    await expectInspectorError(conn.session.connect(), 'iss_mismatch', 'authorization callback');
    assert.equal(fx.counters.token, 0);
  });

  /**
   * A receiver (as a host application's URI handler might be) that hands the flow whatever callback
   * `alter` makes of the authorization server's real one, without judging it first.
   */
  function passThroughReceiver(alter: (cb: URL) => void): { startReceiver: RedirectReceiverFactory; browser: ReturnType<typeof recordingBrowser> } {
    let deliver!: (cb: RedirectCallback) => void;
    const callback = new Promise<RedirectCallback>((r) => (deliver = r));
    const startReceiver: RedirectReceiverFactory = async () => ({ redirectUri: 'http://127.0.0.1:9/callback', waitForCallback: () => callback, close: async () => {} });
    const browser = recordingBrowser(async (url) => {
      const cb = await authorizeAt(url);
      alter(cb);
      deliver({ params: cb.searchParams, url: cb });
    });
    return { startReceiver, browser };
  }

  // Once found by an audit: iss and state problems were told apart by matching /iss/i against
  // oauth4webapi's message, and 'response parameter "state" missing' matches it ("miss…").
  it('the flow itself refuses a callback without state with state_mismatch (not iss_mismatch), whatever the receiver let through', async () => {
    const fx = await fixture();
    const conn = connect(fx, passThroughReceiver((cb) => cb.searchParams.delete('state')));
    await expectInspectorError(conn.session.connect(), 'state_mismatch', 'authorization callback', '"state" is missing', 'not exchanged');
    assert.equal(fx.counters.token, 0);
  });

  it('the flow itself refuses a wrong state (state_mismatch) and a repeated iss (iss_mismatch); the code is not exchanged', async () => {
    const fx = await fixture();
    const wrongState = connect(fx, passThroughReceiver((cb) => cb.searchParams.set('state', 'attacker-state')));
    await expectInspectorError(wrongState.session.connect(), 'state_mismatch', 'authorization callback', 'not exchanged');
    const twoIss = connect(fx, passThroughReceiver((cb) => cb.searchParams.append('iss', 'http://127.0.0.1:1/other')));
    await expectInspectorError(twoIss.session.connect(), 'iss_mismatch', 'authorization callback', 'more than once', fx.issuer, 'not exchanged');
    assert.equal(fx.counters.token, 0);
  });

  it('no iss and not advertised: accepted (RFC 9207 §2.4)', async () => {
    const fx = await fixture({ issParameter: 'none' });
    const conn = connect(fx);
    await conn.session.connect();
    assert.equal(fx.counters.token, 1);
  });

  it('a replayed callback gets an error and causes no second token request', async () => {
    const fx = await fixture();
    let callback: URL | undefined;
    const replayStatuses: Array<number | string> = [];
    const browser = recordingBrowser(async (url) => {
      callback = await authorizeAt(url);
      assert.equal(await get(callback), 200);
      replayStatuses.push(await get(callback).catch(() => 'connection refused'));
    });
    const conn = connect(fx, { browser });
    await conn.session.connect();
    replayStatuses.push(await get(callback!).catch(() => 'connection refused'));
    await sleep(50);
    assert.equal(fx.counters.token, 1);
    assert.notEqual(replayStatuses[0], 200);
    assert.ok(replayStatuses[0] === 410 || replayStatuses[0] === 'connection refused', String(replayStatuses[0]));
    assert.notEqual(replayStatuses[1], 200);
  });

  it('the receiver times out → authorization_timeout, and the port is released', async () => {
    const fx = await fixture();
    const conn = connect(fx, { browser: recordingBrowser('ignore'), authorizationTimeoutMs: 300 });
    const started = Date.now();
    await expectInspectorError(conn.session.connect(), 'authorization_timeout', 'authorization callback', /did not complete within/);
    assert.ok(Date.now() - started < 5000);
    assert.equal(conn.browser.opened.length, 1);
    assert.equal(fx.counters.token, 0);
    const redirectUri = conn.browser.opened[0].redirectUri!;
    await assert.rejects(fetch(redirectUri), 'the loopback port is closed');
  });

  it('the user sees the real host before the browser opens (userinfo trick), and declining opens nothing', async () => {
    const fx = await fixture();
    const port = new URL(fx.issuer).port;
    fx.setOption('asMetadata', { authorization_endpoint: `http://good.example@127.0.0.1:${port}/authorize` });
    const shown: string[] = [];
    const conn = connect(fx, {
      prompt: {
        confirmAuthorizationHost: async (host) => {
          shown.push(host);
          return false;
        },
      },
    });
    await expectInspectorError(conn.session.connect(), 'authorization_cancelled', `127.0.0.1:${port}`);
    assert.deepEqual(shown, [`127.0.0.1:${port}`]);
    assert.equal(conn.browser.opened.length, 0);
    assert.equal(fx.counters.authorize, 0);
  });

  describe('no redirects on token, registration and revocation requests', () => {
    async function elsewhere() {
      const other = await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"access_token":"stolen","token_type":"Bearer","client_id":"x"}');
      });
      track(other);
      return other;
    }

    for (const path of ['/token', '/register']) {
      it(`${path} answering 302/307 to another local server → redirect_refused; the other server got nothing`, async () => {
        const fx = await fixture();
        const other = await elsewhere();
        fx.intercept = (server, req, res) => {
          if (server !== 'as' || req.path !== path) return false;
          res.writeHead(path === '/token' ? 302 : 307, { location: `${other.origin}${path}` });
          res.end();
          return true;
        };
        const conn = connect(fx);
        await expectInspectorError(conn.session.connect(), 'redirect_refused', path === '/token' ? 'token exchange' : 'client registration', `${fx.issuer}${path}`);
        assert.equal(other.requests.length, 0);
        if (path === '/register') assert.equal(conn.browser.opened.length, 0, 'no browser without a client');
      });
    }

    it('/revoke answering 302 → not followed; sign-out still deletes local secrets', async () => {
      const fx = await fixture();
      const other = await elsewhere();
      const conn = connect(fx);
      await conn.session.connect();
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || req.path !== '/revoke') return false;
        res.writeHead(302, { location: `${other.origin}/revoke` });
        res.end();
        return true;
      };
      const out = await conn.auth.signOut();
      leakWatch.texts.push(...out.errors);
      assert.equal(out.revoked, false);
      assert.ok(out.errors.length > 0 && out.errors.every((e) => /redirect/.test(e)), out.errors.join('\n'));
      assert.equal(other.requests.length, 0);
      assert.deepEqual(await conn.secrets.keys(conn.auth.keys.prefix), []);
    });
  });

  it('resource (RFC 8707) is on the authorization, token and refresh requests, identical; PKCE verifier 43–128 chars, fresh per attempt', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    await conn.session.connect();
    await conn.auth.refresh();
    await conn.auth.authorize('second');
    const authorize = fx.requests.filter((r) => r.server === 'as' && r.path.startsWith('/authorize')).map((r) => new URL(r.path, fx.issuer).searchParams);
    const tokens = fx.requests.filter((r) => r.server === 'as' && r.path === '/token').map((r) => new URLSearchParams(r.body));
    assert.equal(authorize.length, 2);
    assert.deepEqual(tokens.map((t) => t.get('grant_type')), ['authorization_code', 'refresh_token', 'authorization_code']);
    for (const p of [...authorize, ...tokens]) assert.equal(p.get('resource'), fx.mcpUrl);
    for (const p of authorize) {
      assert.equal(p.get('code_challenge_method'), 'S256');
      assert.match(p.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
      assert.ok((p.get('state') ?? '').length >= 16);
    }
    assert.notEqual(authorize[0].get('code_challenge'), authorize[1].get('code_challenge'));
    assert.notEqual(authorize[0].get('state'), authorize[1].get('state'));
    const verifiers = tokens.map((t) => t.get('code_verifier')).filter((v): v is string => !!v);
    assert.equal(verifiers.length, 2);
    assert.notEqual(verifiers[0], verifiers[1]);
    for (const v of verifiers) assert.match(v, /^[A-Za-z0-9\-._~]{43,128}$/);
    // a token request never carries the code or verifier in the URL
    for (const r of fx.requests) for (const v of verifiers) assert.ok(!r.path.includes(v));
  });
});

/**
 * Sign Out says what is true about revocation (with nothing stored it used to say "the server
 * offers no revocation" of a server that offers it). The engine returns a typed outcome; the one
 * message the editor shows is built from it.
 */
import { strict as assert } from 'node:assert';
import { signOutMessage } from '../../../src/core/oauth/authManager';
import { useOAuthFixtures } from '../../fixtures/oauthFixture';

describe('oauth/authManager sign-out outcome', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('nothing stored, server offers revocation → nothing-stored; nothing sent; the message says nothing was stored', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    const r = await conn.auth.signOut();
    assert.equal(r.revocation, 'nothing-stored');
    assert.equal(r.revoked, false);
    assert.equal(fx.counters.revoke, 0);
    assert.equal(fx.requests.length, 0, 'nothing was fetched');
    const msg = signOutMessage('Demo', r);
    assert.match(msg, /no tokens were stored, so there was nothing to revoke/);
    assert.doesNotMatch(msg, /offers no revocation/);
  });

  it('signed in, server offers revocation → revoked', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    await conn.session.connect();
    const r = await conn.auth.signOut();
    assert.equal(r.revocation, 'revoked');
    assert.ok(fx.counters.revoke >= 1);
    assert.match(signOutMessage('Demo', r), /^Signed out of Demo: tokens revoked at the server and every stored secret deleted\.$/);
  });

  it('signed in, no revocation_endpoint → not-supported (the only case that says so)', async () => {
    const fx = await fixture({ asMetadata: { revocation_endpoint: undefined } });
    const conn = connect(fx);
    await conn.session.connect();
    const r = await conn.auth.signOut();
    assert.equal(r.revocation, 'not-supported');
    assert.equal(fx.counters.revoke, 0);
    assert.match(signOutMessage('Demo', r), /the server offers no revocation/);
  });

  it('signed in, revocation refused → failed, with the reason; secrets deleted anyway', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    await conn.session.connect();
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || req.path !== '/revoke') return false;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
      return true;
    };
    const r = await conn.auth.signOut();
    assert.equal(r.revocation, 'failed');
    assert.ok(r.errors.length >= 1);
    assert.deepEqual(await conn.secrets.keys(conn.auth.keys.prefix), []);
    const msg = signOutMessage('Demo', r);
    assert.match(msg, /revocation at the server failed/);
    assert.doesNotMatch(msg, /offers no revocation/);
  });
});

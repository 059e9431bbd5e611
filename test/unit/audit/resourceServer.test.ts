/**
 * [resource-server] probes against a local JWT resource server (test/fixtures/auditResourceServer.ts):
 * a correct server passes every probe; each planted defect fails exactly the check that catches it.
 */
import { strict as assert } from 'node:assert';
import { resourceServerChecks } from '../../../src/core/audit/checks/resourceServer';
import { findLeaks, startOAuthFixture } from '../../fixtures/oauthFixture';
import { startAuditServer, type AuditDefect, type AuditServer, type AuditServerOptions } from '../../fixtures/auditResourceServer';
import { at, levels, runPhases } from './auditHarness';

const RS_IDS = [
  'resource-server.alg-none',
  'resource-server.embedded-jwk',
  'resource-server.expired-token',
  'resource-server.insufficient-scope',
  'resource-server.malformed-token',
  'resource-server.no-token',
  'resource-server.other-resource',
  'resource-server.query-string-token',
  'resource-server.revoked-token',
  'resource-server.tampered-signature',
  'resource-server.unknown-key',
];

describe('audit: resource-server probes', function () {
  this.timeout(30_000);
  const servers: AuditServer[] = [];
  async function server(o: AuditServerOptions = {}): Promise<AuditServer> {
    const s = await startAuditServer(o);
    servers.push(s);
    return s;
  }
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });

  it('a correct whole-server-protected server passes every probe (expiry skipped: the token lives an hour)', async () => {
    const srv = await server();
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.deepEqual(Object.keys(levels(checks)).sort(), RS_IDS, 'every id exactly once');
    assert.equal(checks.length, RS_IDS.length);
    assert.deepEqual(at(checks, 'fail'), [], JSON.stringify(checks, null, 1));
    assert.deepEqual(at(checks, 'warn'), []);
    assert.deepEqual(at(checks, 'skip'), ['resource-server.expired-token']);
    assert.match(checks.find((c) => c.id === 'resource-server.expired-token')!.finding, /lives 3600 s.*--wait-expiry/);
    for (const c of checks.filter((x) => x.level === 'pass')) assert.ok(c.exchanges.length > 0, `${c.id} links its exchange`);
  });

  it('a correct per-tool server (initialize and tools/list open): the probes go to a protected read-only tool call, and all pass', async () => {
    const srv = await server({ mode: 'per-tool' });
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.deepEqual(at(checks, 'fail'), [], JSON.stringify(checks, null, 1));
    assert.deepEqual(at(checks, 'warn'), []);
    assert.deepEqual(at(checks, 'skip'), ['resource-server.expired-token']);
    assert.match(checks.find((c) => c.id === 'resource-server.no-token')!.finding, /tools\/call read_notes without a token: HTTP 401/);
    assert.equal(srv.ran.write_note, undefined, 'a tool that is not read-only is never run');
  });

  it('per-tool server whose protected tools all have side effects: the probes use arguments that fail the input schema, no tool runs, a planted defect is still caught', async () => {
    const srv = await server({ mode: 'per-tool', noReadOnlyProtectedTool: true });
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.deepEqual(at(checks, 'fail'), [], JSON.stringify(checks, null, 1));
    assert.deepEqual(at(checks, 'warn'), []);
    assert.match(checks.find((c) => c.id === 'resource-server.no-token')!.finding, /tools\/call write_note \(arguments that fail its input schema\) without a token: HTTP 401/);
    assert.deepEqual(srv.ran, {}, 'no tool ran');
    const bad = await server({ mode: 'per-tool', noReadOnlyProtectedTool: true, defects: ['embedded-jwk'] });
    const run = await runPhases(bad, [resourceServerChecks], { otherResource: bad.otherUrl });
    assert.deepEqual(at(run.checks, 'fail'), ['resource-server.embedded-jwk']);
    assert.match(run.checks.find((c) => c.level === 'fail')!.finding, /JSON-RPC error about the request/);
    assert.deepEqual(bad.ran, {});
  });

  const planted: Array<[AuditDefect, string, RegExp]> = [
    ['anonymous-ok', 'resource-server.no-token', /Require a valid token for tools\/call read_notes/],
    ['no-signature-check', 'resource-server.tampered-signature', /signature against the issuer's published keys/],
    ['alg-none', 'resource-server.alg-none', /allow-list of algorithms/],
    ['unknown-kid', 'resource-server.unknown-key', /only from the issuer's jwks_uri/],
    ['embedded-jwk', 'resource-server.embedded-jwk', /Never verify with a key the token carries/],
    ['no-audience', 'resource-server.other-resource', /aud must be this server's resource URL/],
    ['no-revocation', 'resource-server.revoked-token', /introspect/],
    ['query-token', 'resource-server.query-string-token', /only from the Authorization header/],
    ['scope-403-without-scope', 'resource-server.insufficient-scope', /scope="mcp"/],
  ];
  for (const [defect, id, fix] of planted) {
    it(`planted defect ${defect}: ${id} fails with its fix, every other probe stays as on a correct server`, async () => {
      const srv = await server({ defects: [defect] });
      const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
      assert.deepEqual(at(checks, 'fail'), [id], JSON.stringify(checks, null, 1));
      assert.deepEqual(at(checks, 'warn'), []);
      assert.deepEqual(at(checks, 'skip'), defect === 'anonymous-ok' ? ['resource-server.expired-token', 'resource-server.query-string-token'] : ['resource-server.expired-token']);
      const failed = checks.find((c) => c.id === id)!;
      assert.match(failed.fix ?? '', fix);
      assert.ok(failed.exchanges.length > 0);
    });
  }

  it('a 401 without error="invalid_token" for bad tokens: every bad-token probe warns with the fix; nothing fails', async () => {
    const srv = await server({ defects: ['no-invalid-token-error'] });
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.deepEqual(at(checks, 'fail'), []);
    assert.deepEqual(at(checks, 'warn'), [
      'resource-server.alg-none',
      'resource-server.embedded-jwk',
      'resource-server.malformed-token',
      'resource-server.other-resource',
      'resource-server.revoked-token',
      'resource-server.tampered-signature',
      'resource-server.unknown-key',
    ]);
    for (const c of checks.filter((x) => x.level === 'warn')) {
      assert.match(c.finding, /without error="invalid_token"/);
      assert.match(c.fix ?? '', /error="invalid_token"/);
    }
  });

  it('expiry: a token living at most 10 s is waited for; a correct server refuses it, one that ignores exp fails', async function () {
    this.timeout(40_000);
    const good = await server({ tokenTtl: 3 });
    const ok = await runPhases(good, [resourceServerChecks], { otherResource: good.otherUrl });
    assert.equal(levels(ok.checks)['resource-server.expired-token'], 'pass', JSON.stringify(ok.checks, null, 1));
    assert.match(ok.checks.find((c) => c.id === 'resource-server.expired-token')!.finding, /401 with Bearer error="invalid_token"/);
    const bad = await server({ tokenTtl: 3, defects: ['no-expiry'] });
    const ko = await runPhases(bad, [resourceServerChecks], { otherResource: bad.otherUrl });
    assert.deepEqual(at(ko.checks, 'fail'), ['resource-server.expired-token'], JSON.stringify(ko.checks, null, 1));
    assert.match(ko.checks.find((c) => c.id === 'resource-server.expired-token')!.fix ?? '', /exp/);
  });

  it('waitExpiry waits for a longer-lived token too', async function () {
    this.timeout(40_000);
    const srv = await server({ tokenTtl: 12 });
    const skipped = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.match(skipped.checks.find((c) => c.id === 'resource-server.expired-token')!.finding, /lives 12 s/);
    const waited = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl, waitExpiry: true });
    assert.equal(levels(waited.checks)['resource-server.expired-token'], 'pass');
  });

  it('another resource: without one named, an authorization server that knows only its own resources issues none — skip with the reason', async () => {
    const srv = await server();
    const { checks } = await runPhases(srv, [resourceServerChecks]);
    const c = checks.find((x) => x.id === 'resource-server.other-resource')!;
    assert.equal(c.level, 'skip');
    assert.match(c.finding, /issued no token for another resource .*mcp-audit-other-resource.*invalid_target/);
  });

  it('an authorization server that ignores resource: the other-resource probe skips (it would prove nothing), naming RFC 8707', async () => {
    const srv = await server({ defects: ['as-ignores-resource'] });
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    const c = checks.find((x) => x.id === 'resource-server.other-resource')!;
    assert.equal(c.level, 'skip');
    assert.match(c.finding, /with this server in its aud .*RFC 8707/);
    assert.deepEqual(at(checks, 'fail'), []);
  });

  it('an authorization server that needs a person for every sign-in: the probes needing another token skip saying so, after one headless try', async () => {
    const srv = await server({ personAfterFirstSignIn: true });
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    assert.deepEqual(at(checks, 'fail'), []);
    assert.deepEqual(at(checks, 'skip'), ['resource-server.expired-token', 'resource-server.insufficient-scope', 'resource-server.other-resource', 'resource-server.revoked-token']);
    for (const c of checks.filter((x) => x.level === 'skip' && x.id !== 'resource-server.expired-token')) assert.match(c.finding, /a second sign-in needs a person at the authorization server/);
    assert.equal(srv.authorizeRequests, 2, 'the audit sign-in, then one headless try');
  });

  it('without a sign-in: no-token and malformed are still judged, the token probes skip saying why', async () => {
    const srv = await server();
    const { checks } = await runPhases(srv, [resourceServerChecks], { signIn: false });
    assert.equal(checks.length, RS_IDS.length);
    assert.equal(levels(checks)['resource-server.no-token'], 'pass');
    assert.equal(levels(checks)['resource-server.malformed-token'], 'pass');
    const skipped = checks.filter((c) => c.level === 'skip');
    assert.equal(skipped.length, RS_IDS.length - 2);
    for (const c of skipped) assert.match(c.finding, /sign-in failed \(sign-in refused \(test\)\)/);
  });

  it('a probe that cannot be sent: what was judged stands, every other id is a skip saying why — each id once', async () => {
    const srv = await server();
    const { checks } = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl, probesFailAfter: 4 });
    assert.equal(checks.length, RS_IDS.length);
    assert.deepEqual(Object.keys(levels(checks)).sort(), RS_IDS);
    assert.deepEqual(at(checks, 'pass'), ['resource-server.malformed-token', 'resource-server.no-token', 'resource-server.tampered-signature']);
    for (const c of checks.filter((x) => x.level === 'skip')) assert.match(c.finding, /^the probes stopped: the server at .* went away \(test\)$/);
  });

  it('no real, derived or forged token appears in the trace or the report', async () => {
    const srv = await server();
    const run = await runPhases(srv, [resourceServerChecks], { otherResource: srv.otherUrl });
    const secrets = [...new Set([...run.sentTokens, ...srv.issued])];
    // the real token, the tampered one, alg none, two re-signed, malformed, other-resource, narrow-scope, revoked
    assert.ok(secrets.length >= 9, `tokens sent: ${secrets.length}`);
    const text = JSON.stringify(run.conn.trace.all()) + JSON.stringify(run.checks);
    assert.deepEqual(findLeaks(text, secrets), []);
    // Each extra sign-in says in the trace what it is for.
    const notes = run.conn.trace.all().filter((e) => e.kind === 'note' && e.step === 'audit').map((e) => (e.kind === 'note' ? e.message : ''));
    assert.ok(notes.some((m) => /^a token for another resource .*another sign-in, headless, for resource .*\/other/.test(m)), notes.join('\n'));
    assert.ok(notes.some((m) => /^a second token to revoke/.test(m)));
    assert.ok(notes.some((m) => /^a token without mcp/.test(m)));
    // Each token is also absent in its parts a reader could reuse (the signature segment).
    for (const t of secrets.filter((x) => x.split('.').length === 3 && x.split('.')[2].length > 20)) assert.ok(!text.includes(t.split('.')[2]), 'no signature segment in the output');
  });

  it('an opaque token: tampering still applies; the JWT-derived probes skip saying the token is opaque; revocation without introspection skips', async () => {
    const fx = await startOAuthFixture({ requiredScopes: ['mcp'] });
    try {
      const run = await runPhases(fx, [resourceServerChecks], { scope: 'mcp extra' });
      const l = levels(run.checks);
      assert.deepEqual(at(run.checks, 'fail'), [], JSON.stringify(run.checks, null, 1));
      assert.equal(l['resource-server.tampered-signature'], 'pass');
      assert.match(run.checks.find((c) => c.id === 'resource-server.tampered-signature')!.finding, /two characters/);
      for (const id of ['resource-server.alg-none', 'resource-server.unknown-key', 'resource-server.embedded-jwk']) {
        assert.equal(l[id], 'skip');
        assert.match(run.checks.find((c) => c.id === id)!.finding, /opaque \(not a JWT\)/);
      }
      assert.equal(l['resource-server.revoked-token'], 'skip');
      assert.match(run.checks.find((c) => c.id === 'resource-server.revoked-token')!.finding, /no introspection_endpoint/);
      assert.equal(l['resource-server.insufficient-scope'], 'pass');
      // The fixture's AS issues for any resource; its resource server checks the resource.
      assert.equal(l['resource-server.other-resource'], 'pass');
      assert.deepEqual(findLeaks(JSON.stringify(run.conn.trace.all()) + JSON.stringify(run.checks), [...new Set([...run.sentTokens, ...fx.allSecrets()])]), []);
    } finally {
      await fx.close();
    }
  });
});

/**
 * [resource-server] probes against a local JWT resource server (test/fixtures/auditResourceServer.ts):
 * a correct server passes every probe; each planted defect fails exactly the check that catches it.
 */
import { strict as assert } from 'node:assert';
import { resourceServerChecks } from '../../../src/core/audit/checks/resourceServer';
import { findLeaks } from '../../fixtures/oauthFixture';
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
});

/**
 * src/vscode/audits.ts: the last audit of each server is kept in the workspace state and restored
 * after a window reload (a new connection object for the same server id), and what is kept holds no
 * secret — checked with a report from a real audit of the local OAuth fixture.
 */
import { strict as assert } from 'node:assert';
import { runAudit } from '../../../src/core/audit/runner';
import { AUDITS_STATE_KEY, auditRun, updateAuditRun, useAuditStore } from '../../../src/vscode/audits';
import { fixtureReport } from '../../fixtures/auditReport';
import { findLeaks, knownSecrets, useOAuthFixtures } from '../../fixtures/oauthFixture';

/** A Memento in memory that round-trips values through JSON, as VS Code stores them. */
function memento(): { get<T>(key: string): T | undefined; update(key: string, value: unknown): Promise<void>; raw(): string } {
  const data = new Map<string, string>();
  return {
    get: <T>(key: string) => (data.has(key) ? (JSON.parse(data.get(key)!) as T) : undefined),
    update: async (key, value) => void data.set(key, JSON.stringify(value)),
    raw: () => [...data.values()].join('\n'),
  };
}

/** A server connection as audits.ts sees it: its id and its change event. */
function server(id: string): { entry: { id: string }; changed(): void; changes: number } {
  return { entry: { id }, changes: 0, changed() { this.changes++; } };
}

describe('vscode/audits: the last audit of each server survives a window reload', function () {
  this.timeout(60_000);
  const { fixture } = useOAuthFixtures();
  afterEach(() => useAuditStore(undefined));

  it('a new report is kept per server id and restored into a new connection object; running state and errors are not', async () => {
    const state = memento();
    useAuditStore(state);
    const a = server('a');
    updateAuditRun(a, { running: { since: 1 } });
    assert.equal(state.get(AUDITS_STATE_KEY), undefined, 'nothing kept before a report');
    const report = fixtureReport();
    updateAuditRun(a, { running: undefined, report, callTools: 'all' });
    assert.equal(a.changes, 2);
    updateAuditRun(server('b'), { error: { code: 'audit_cancelled', message: 'cancelled' } });

    // after a reload: new objects, the same ids, the module's memory gone
    const again = server('a');
    const run = auditRun(again);
    assert.deepEqual(run?.report, JSON.parse(JSON.stringify(report)));
    assert.equal(run?.callTools, 'all');
    assert.equal(run?.running, undefined);
    assert.equal(run?.trace, undefined, 'a restored report has no trace (its connection is gone)');
    assert.equal(auditRun(server('b')), undefined, 'an error alone is not kept');
    assert.equal(auditRun(server('c')), undefined);
  });

  it('a later report replaces the kept one; a state that is not a report is ignored', async () => {
    const state = memento();
    useAuditStore(state);
    updateAuditRun(server('a'), { report: fixtureReport(undefined, { durationMs: 1 }), callTools: 'read-only' });
    updateAuditRun(server('a'), { report: fixtureReport(undefined, { durationMs: 2 }), callTools: 'read-only' });
    assert.equal(auditRun(server('a'))?.report?.durationMs, 2);
    await state.update(AUDITS_STATE_KEY, { x: { report: { server: 1 } }, y: 'nonsense' });
    assert.equal(auditRun(server('x')), undefined);
    assert.equal(auditRun(server('y')), undefined);
  });

  it('a report from a real audit holds no token, so what is kept holds none', async () => {
    const fx = await fixture({ requiredScopes: ['mcp'], asMetadata: { scopes_supported: ['mcp', 'offline_access'] } });
    const report = await runAudit({ serverUrl: fx.mcpUrl, headless: true, timeoutMs: 5000 });
    assert.ok(fx.issued.accessTokens.length >= 1, 'the audit was issued tokens');
    const state = memento();
    useAuditStore(state);
    updateAuditRun(server('real'), { report, callTools: 'read-only' });
    assert.ok(state.raw().includes(report.server));
    assert.deepEqual(findLeaks(state.raw(), [...knownSecrets(), ...fx.issued.accessTokens]), []);
    assert.doesNotMatch(state.raw(), /"(access_token|refresh_token|code_verifier|client_secret)"|Bearer [A-Za-z0-9._~+/-]{12,}/);
  });
});
